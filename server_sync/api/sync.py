"""POST /sync/events (push a batch) and GET /sync/state (pull reference data)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from server_sync.db import Database
from server_sync.ingest import apply_batch
from server_sync.models import Device
from server_sync.protocol import (
    MAX_BATCH_BYTES,
    MAX_BATCH_EVENTS,
    BatchResult,
    EventBatch,
    SyncState,
)
from server_sync.state import BadCursor, build_state

from .deps import current_device, get_database
from .errors import ApiError, error_responses

router = APIRouter(prefix="/sync", tags=["sync"])

_BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": EventBatch.model_json_schema()}},
    }
}


async def read_limited(request: Request, limit: int) -> bytes:
    """The request body, or 413 as soon as it grows past `limit` bytes."""
    too_large = ApiError(
        413,
        "batch_too_large",
        f"a batch may hold at most {MAX_BATCH_EVENTS} events and {limit // 1024 // 1024} MB; "
        "send smaller batches",
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    return bytes(body)


@router.post(
    "/events",
    response_model=BatchResult,
    openapi_extra=_BATCH_BODY,
    responses=error_responses(401, 413, 422),
)
async def push_events(
    request: Request,
    device: Device = Depends(current_device),
    database: Database = Depends(get_database),
) -> Response:
    """Apply a batch of events; one result per event, in the order sent."""
    body = await read_limited(request, MAX_BATCH_BYTES)
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ApiError(422, "invalid_json", "the batch is not valid JSON") from None
    events = document.get("events") if isinstance(document, dict) else None
    if not isinstance(events, list):
        raise ApiError(422, "invalid_batch", 'a batch is a JSON object {"events": [...]}')
    if len(events) > MAX_BATCH_EVENTS:
        raise ApiError(
            413,
            "batch_too_large",
            f"a batch may hold at most {MAX_BATCH_EVENTS} events; this one has {len(events)}",
        )
    results = await run_in_threadpool(apply_batch, database, device.id, events)
    # Serialised here: the results are already validated models, and a second
    # validation of 500 of them by the framework costs more than the JSON itself.
    return Response(BatchResult(results=results).model_dump_json(), media_type="application/json")


@router.get("/state", response_model=SyncState, responses=error_responses(400, 401))
def pull_state(
    since: str | None = Query(default=None, max_length=64, description="cursor of the last pull"),
    device: Device = Depends(current_device),
    database: Database = Depends(get_database),
) -> SyncState:
    """Reference data changed since the cursor, or all of it without one."""
    with database.read_session() as session:
        try:
            state = build_state(session, device, since)
        except BadCursor as exc:
            raise ApiError(400, "invalid_cursor", str(exc)) from None
    return SyncState.model_validate(state)
