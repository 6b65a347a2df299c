"""The FastAPI application, built from settings by `create_app`."""

from __future__ import annotations

import logging
import os
import secrets
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from server_sync import __version__
from server_sync.api import API_PREFIX, devices, health, media, sync, tickets
from server_sync.api.errors import error_response, install_error_handlers
from server_sync.console import install as install_console
from server_sync.db import Database
from server_sync.media import MediaStore
from server_sync.settings import Settings

log = logging.getLogger(__name__)

# Largest body for API requests other than event batches and media uploads,
# which check their own limits while they read.
SMALL_BODY_LIMIT = 256 * 1024
OWN_LIMITS = (f"{API_PREFIX}/sync/events", f"{API_PREFIX}/media/")


class BodyLimit:
    """Refuse an API request body over SMALL_BODY_LIMIT with 413 before anything reads it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(API_PREFIX) or path.startswith(OWN_LIMITS):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > SMALL_BODY_LIMIT:
            response = error_response(413, "payload_too_large", "the request body is too large")
            await response(scope, receive, send)
            return
        # Small bodies are read here, whole, and handed on: a chunked body over the
        # limit is refused just like one that declares its length.
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay(bytes(body), message, receive), send)
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > SMALL_BODY_LIMIT:
                response = error_response(
                    413, "payload_too_large", "the request body is too large"
                )
                await response(scope, receive, send)
                return
        await self.app(scope, _replay(bytes(body), None, receive), send)


def _replay(body: bytes, last: dict | None, receive_next: Receive) -> Receive:
    """A receive channel that gives the buffered body, then what the client sends next."""
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if last is not None:
            return last
        return await receive_next()

    return receive


def secret_key(settings: Settings) -> str:
    """The console's cookie secret: from settings, or made once and kept in the data directory."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key


def create_app(settings: Settings, database: Database | None = None) -> FastAPI:
    """The server application; migrates the database at start unless told not to."""
    database = database or Database(
        settings.effective_database_url, sqlite_synchronous=settings.sqlite_synchronous
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if settings.migrate_on_start:
            from server_sync.migrate import upgrade

            upgrade(database)
        log.info("server %s ready on %s (%s)", __version__, database.kind, settings.data_dir)
        yield
        database.dispose()

    app = FastAPI(
        title="Yimatong server",
        version=__version__,
        description="Sync API for the community's kiosks, and the processing centre's console.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.media = MediaStore(settings.media_dir)
    app.state.secret_key = secret_key(settings)
    install_error_handlers(app)
    for router in (health.router, devices.router, sync.router, media.router, tickets.router):
        app.include_router(router, prefix=API_PREFIX)
    # The processing centre's console, the phone report pages and Open311.
    install_console(app, settings, database)
    app.add_middleware(BodyLimit)
    return app
