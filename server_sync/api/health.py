"""GET /health: is the server up, which version, which database."""

from __future__ import annotations

import logging
from typing import Literal

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from sqlalchemy import text

from server_sync import __version__
from server_sync.db import Database

from .deps import get_database
from .errors import ApiError, error_responses

log = logging.getLogger(__name__)

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    database: str


@router.get("/health", response_model=Health, responses=error_responses(503))
async def health(database: Database = Depends(get_database)) -> Health:
    def ping() -> None:
        with database.read_session() as session:
            session.execute(text("SELECT 1"))

    try:
        await run_in_threadpool(ping)
    except Exception:
        log.exception("health check: the database does not answer")
        raise ApiError(503, "database_unavailable", "the database does not answer") from None
    return Health(status="ok", version=__version__, database=database.kind)
