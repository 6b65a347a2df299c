"""Content-addressed media: photos, voice notes and videos stored by their SHA-256.

A file's name on disk is its hash, never a name a client chose, and its
content is recognised from its first bytes, not from what the client claims.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from .protocol import SHA256_RE

log = logging.getLogger(__name__)

# What each kind of media may be, by sniffed content type.
ALLOWED = {
    "photo": {"image/jpeg", "image/png", "image/webp"},
    # Phones record voice as WebM/Opus (Chrome) or MP4/AAC (Safari).
    "voice": {"audio/ogg", "audio/wav", "audio/webm", "audio/mp4"},
    "video": {"video/mp4", "video/webm"},
}
SNIFF_BYTES = 64


def sniff(head: bytes, kind: str) -> str | None:
    """The content type of a file from its first bytes, as it fits `kind`; None if unknown."""
    found: str | None = None
    if head.startswith(b"\xff\xd8\xff"):
        found = "image/jpeg"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        found = "image/png"
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        found = "image/webp"
    elif head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        found = "audio/wav"
    elif head.startswith(b"OggS") and b"OpusHead" in head:
        found = "audio/ogg"
    elif head[4:8] == b"ftyp":
        found = "mp4"
    elif head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head:
        found = "webm"
    if found in ("mp4", "webm"):
        # The container is the same for a voice note and a video; the kind decides.
        found = f"{'audio' if kind == 'voice' else 'video'}/{found}"
    if found is None or found not in ALLOWED.get(kind, ()):
        return None
    return found


class MediaError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class StoredMedia:
    sha256: str
    kind: str
    content_type: str
    size: int
    path: Path


class MediaStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        if not SHA256_RE.match(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    async def save(
        self, sha256: str, kind: str, chunks: AsyncIterator[bytes], limit: int
    ) -> StoredMedia:
        """Stream an upload to disk, checking size, content and hash; raises MediaError."""
        if kind not in ALLOWED:
            raise MediaError(422, "invalid_kind", "kind must be photo, voice or video")
        target = self.path_for(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        head = b""
        fd, tmp_name = tempfile.mkstemp(prefix=".upload-", dir=target.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > limit:
                        raise MediaError(
                            413,
                            "too_large",
                            f"a {kind} may be at most {limit // (1024 * 1024)} MB",
                        )
                    if len(head) < SNIFF_BYTES:
                        head += chunk[: SNIFF_BYTES - len(head)]
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if size == 0:
                raise MediaError(422, "empty", "the upload is empty")
            content_type = sniff(head, kind)
            if content_type is None:
                raise MediaError(
                    415,
                    "unsupported_media_type",
                    f"this file is not a {kind} the server accepts "
                    f"({', '.join(sorted(ALLOWED[kind]))})",
                )
            if digest.hexdigest() != sha256:
                raise MediaError(
                    422,
                    "hash_mismatch",
                    "the upload does not match its SHA-256; it may be damaged, send it again",
                )
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        log.info("stored %s %s (%d bytes)", kind, sha256[:12], size)
        return StoredMedia(sha256, kind, content_type, size, target)
