"""The processing centre's web console, the phone report page and Open311.

`install(app, settings, database)` adds all of it to the server's FastAPI app:
pages under `/console/`, the phone pages `/r/{location}` and `/t/{ticket}`, and
GeoReport v2 under `/open311/v2/`. The pages are drawn on the server and work
without JavaScript.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote_to_bytes

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from server_sync.console.web import CONTROL_RE, LoginRequired, Page, PageError

logger = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")


class RefuseControlCharacters:
    """Refuse, with 400, a console, phone or Open311 address carrying control characters.

    No link a person follows has them, and PostgreSQL refuses NUL in a query, so such a
    request would otherwise fail deep inside as a server error.
    """

    PREFIXES = ("/console", "/r/", "/t/", "/open311/")

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.PREFIXES):
            query = unquote_to_bytes(scope.get("query_string", b""))
            if CONTROL_RE.search(scope["path"]) or CONTROL_RE.search(query.decode("latin-1")):
                if scope["path"].startswith("/open311/"):
                    body = [{"code": 400, "description": "the address has control characters"}]
                    response = JSONResponse(body, status_code=400)
                else:
                    response = PlainTextResponse(
                        "地址中有不允许的字符。The address has characters that are not allowed.",
                        status_code=400,
                    )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def install(app: FastAPI, settings, database) -> None:
    """Add the console, the phone pages and Open311 to `app`."""
    from server_sync.console import auth, open311, phone
    from server_sync.console.routes import (
        admin,
        analysis,
        fleet,
        notices,
        points,
        points_catalogue,
        reports,
        visits,
    )

    app.state.settings = getattr(app.state, "settings", settings)
    app.state.database = getattr(app.state, "database", database)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
    app.add_middleware(RefuseControlCharacters)
    for module in (
        auth,
        reports,
        visits,
        analysis,
        points,
        points_catalogue,
        fleet,
        notices,
        admin,
        phone,
        open311,
    ):
        app.include_router(module.router)

    @app.exception_handler(PageError)
    async def page_error(request: Request, exc: PageError):
        page = getattr(request.state, "page", None) or Page(request, None)
        message = page.t(exc.message_key, **exc.values) if exc.values else page.t(exc.message_key)
        return page.render(
            "error.html", status=exc.status, message=message, back=exc.values.get("back")
        )

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired):
        from urllib.parse import urlencode

        return RedirectResponse(f"/console/login?{urlencode({'next': exc.next_url})}", 303)
