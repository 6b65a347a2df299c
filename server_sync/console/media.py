"""Uploads the console and the phone page receive, put into the server's media store
(`server_sync.media`), which checks the real content type and stores by SHA-256."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from anyio import from_thread
from sqlalchemy.orm import Session

from server_sync.media import MediaError, MediaStore
from server_sync.models import MediaObject

logger = logging.getLogger(__name__)

_REFUSAL_KEYS = {
    "too_large": "upload.too_large",
    "empty": "upload.empty",
    "unsupported_media_type": "upload.not_media",
}


class UploadRefused(ValueError):
    """An upload that is not what it claims, or too large; `key` names the message."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


async def _once(data: bytes):
    yield data


def media_path(store: MediaStore, sha256: str) -> Path:
    return store.path_for(sha256)


def store_upload(
    session: Session, store: MediaStore, data: bytes, kind: str, limit: int
) -> tuple[str, str]:
    """Store one uploaded file as `kind` (photo, voice, video); returns (sha256, kind).

    The bytes decide: a file named .jpg that is not a JPEG/PNG/WebP is refused.
    The media row is added to `session`; the caller commits it. Call it from a route
    running in FastAPI's thread pool (a plain `def` route).
    """
    if not data:
        raise UploadRefused("upload.empty")
    if len(data) > limit:
        raise UploadRefused("upload.too_large")
    sha = hashlib.sha256(data).hexdigest()
    try:
        # Called from a route running in the thread pool; the store's writer is a coroutine.
        stored = from_thread.run(store.save, sha, kind, _once(data), limit)
    except MediaError as exc:
        logger.info("upload refused: %s", exc.code)
        raise UploadRefused(_REFUSAL_KEYS.get(exc.code, "upload.not_media")) from None
    if session.get(MediaObject, sha) is None:
        session.add(
            MediaObject(sha256=sha, kind=kind, content_type=stored.content_type, size=stored.size)
        )
    return sha, kind
