"""The media spool: photos, voice notes and videos kept on the device by their SHA-256.

The kiosk hands over a temporary file; the spool copies it, checks the copy
against the hash and keeps it under its hash until the server has it, so the
kiosk can delete its own file at once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

CHUNK = 1024 * 1024


class MediaDamaged(Exception):
    """A spooled file is missing or no longer matches its hash."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Spool:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        return self.folder / sha256

    def add(self, source: Path | str) -> tuple[str, int]:
        """Copy `source` into the spool; return its hash and size once the copy is verified."""
        source = Path(source)
        if not source.is_file():
            raise ValueError(f"media file {source} does not exist or is not a file")
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.folder, prefix=".incoming-")
        tmp = Path(tmp_name)
        try:
            with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    dst.write(chunk)
                dst.flush()
                os.fsync(dst.fileno())
            sha = digest.hexdigest()
            target = self.path(sha)
            if target.exists() and sha256_of(target) == sha:
                tmp.unlink()
            else:
                os.replace(tmp, target)
                _fsync_dir(self.folder)
            if sha256_of(target) != sha:
                raise OSError(f"the copy of {source} in the media spool does not match its hash")
            return sha, size
        finally:
            if tmp.exists():
                tmp.unlink()

    def remove_leftovers(self, older_than_s: float = 3600) -> int:
        """Delete partial copies a crash left behind (never a finished, hash-named file)."""
        removed = 0
        now = time.time()
        for leftover in self.folder.glob(".incoming-*"):
            try:
                if now - leftover.stat().st_mtime > older_than_s:
                    leftover.unlink()
                    removed += 1
            except OSError:
                continue
        return removed

    def verify(self, sha256: str) -> Path:
        """The spooled file's path, or MediaDamaged when it is gone or no longer matches."""
        target = self.path(sha256)
        try:
            actual = sha256_of(target)
        except OSError as exc:
            raise MediaDamaged(f"media file {sha256[:12]} is missing from the spool") from exc
        if actual != sha256:
            raise MediaDamaged(f"media file {sha256[:12]} in the spool is damaged")
        return target

    def check(self, sha256: str) -> str | None:
        """None when the spooled file is intact, otherwise why it is not."""
        try:
            self.verify(sha256)
        except MediaDamaged as exc:
            return str(exc)
        return None
