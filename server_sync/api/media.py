"""HEAD and PUT /media/{sha256}: content-addressed photos, voice notes and videos."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.dialects import postgresql, sqlite

from server_sync.db import Database
from server_sync.media import MediaError, MediaStore
from server_sync.models import Device, MediaObject, utcnow
from server_sync.protocol import MediaKind
from server_sync.settings import Settings

from .deps import current_device, get_database, get_media_store, get_settings
from .errors import ApiError, error_responses

router = APIRouter(prefix="/media", tags=["media"])

Sha256Path = Path(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the content, lower-case hex")


@router.head("/{sha256}", responses={404: {"description": "not on the server"}})
def media_exists(
    sha256: str = Sha256Path,
    device: Device = Depends(current_device),
    database: Database = Depends(get_database),
) -> Response:
    with database.read_session() as session:
        row = session.get(MediaObject, sha256)
    if row is None:
        return Response(status_code=404)
    return Response(
        status_code=200,
        headers={"Content-Type": row.content_type, "X-Media-Size": str(row.size)},
    )


@router.put(
    "/{sha256}",
    status_code=201,
    responses=error_responses(401, 413, 415, 422) | {200: {"description": "already stored"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def upload_media(
    request: Request,
    sha256: str = Sha256Path,
    kind: MediaKind = Query(description="photo, voice or video; decides the size limit"),
    device: Device = Depends(current_device),
    database: Database = Depends(get_database),
    store: MediaStore = Depends(get_media_store),
    settings: Settings = Depends(get_settings),
) -> Response:
    """Store an upload under its hash after checking its size, content and hash."""
    limit = settings.media_limit(kind.value)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "too_large", f"a {kind.value} may be at most {limit // 2**20} MB")
    if await run_in_threadpool(_known, database, sha256) and store.exists(sha256):
        return Response(status_code=200)
    try:
        stored = await store.save(sha256, kind.value, request.stream(), limit)
    except MediaError as exc:
        raise ApiError(exc.status, exc.code, exc.message) from None
    await run_in_threadpool(_record, database, stored, device.id)
    return Response(status_code=201)


def _known(database: Database, sha256: str) -> bool:
    with database.read_session() as session:
        return session.get(MediaObject, sha256) is not None


def _record(database: Database, stored, device_id: int) -> None:
    with database.transaction() as session:
        insert = postgresql.insert if database.kind == "postgresql" else sqlite.insert
        session.execute(
            insert(MediaObject)
            .values(
                sha256=stored.sha256,
                kind=stored.kind,
                content_type=stored.content_type,
                size=stored.size,
                stored_at=utcnow(),
                device_id=device_id,
            )
            .on_conflict_do_nothing(index_elements=["sha256"])
        )
