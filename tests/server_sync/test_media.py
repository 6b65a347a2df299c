"""Uploading photos, voice notes and videos by their SHA-256."""

from __future__ import annotations

import hashlib
import io
import struct

import pytest
from PIL import Image
from sqlalchemy import select
from sync_helpers import TEST_PHOTO_LIMIT, sqlite_only

from server_sync.models import MediaObject


def png_bytes(size: int = 32) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def wav_bytes(samples: int = 800) -> bytes:
    data = b"\x00\x00" * samples
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
    return header + fmt + b"data" + struct.pack("<I", len(data)) + data


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def put(server, device, content: bytes, kind: str, digest: str | None = None):
    return server.client.put(
        f"/api/v1/media/{digest or sha(content)}",
        params={"kind": kind},
        content=content,
        headers=device.headers,
    )


def test_a_photo_is_stored_under_its_hash_and_found_with_head(server):
    device = server.enrol()
    photo = png_bytes()

    missing = server.client.head(f"/api/v1/media/{sha(photo)}", headers=device.headers)
    created = put(server, device, photo, "photo")
    again = put(server, device, photo, "photo")
    present = server.client.head(f"/api/v1/media/{sha(photo)}", headers=device.headers)

    assert missing.status_code == 404
    assert created.status_code == 201
    assert again.status_code == 200
    assert present.status_code == 200
    assert present.headers["content-type"] == "image/png"
    stored = server.data_dir / "media" / sha(photo)[:2] / sha(photo)[2:4] / sha(photo)
    assert stored.read_bytes() == photo


def test_a_voice_note_in_wav_is_accepted(server):
    device = server.enrol()

    response = put(server, device, wav_bytes(), "voice")

    assert response.status_code == 201
    with server.database.read_session() as session:
        assert session.get(MediaObject, sha(wav_bytes())).content_type == "audio/wav"


def test_an_upload_that_does_not_match_its_hash_is_refused_and_not_kept(server):
    device = server.enrol()
    photo = png_bytes()
    damaged = photo[:-1] + b"\x00"

    response = put(server, device, damaged, "photo", digest=sha(photo))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "hash_mismatch"
    assert not list((server.data_dir / "media").rglob("*" + sha(photo)[-8:]))
    with server.database.read_session() as session:
        assert session.scalars(select(MediaObject)).all() == []


@sqlite_only
@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"#!/bin/sh\nrm -rf /\n", "photo"),
        (b"<html><body>hello</body></html>", "voice"),
        (png_bytes(), "voice"),
        (wav_bytes(), "photo"),
    ],
    ids=["script-as-photo", "html-as-voice", "png-as-voice", "wav-as-photo"],
)
def test_content_of_the_wrong_type_is_refused_with_415(server, content, kind):
    device = server.enrol()

    response = put(server, device, content, kind)

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert not (server.data_dir / "media").exists() or not any(
        p.is_file() and not p.name.startswith(".") for p in (server.data_dir / "media").rglob("*")
    )


def test_a_photo_over_the_limit_is_refused_with_413(server):
    device = server.enrol()
    big = png_bytes() + b"\x00" * (TEST_PHOTO_LIMIT + 1)

    response = put(server, device, big, "photo")

    assert response.status_code == 413
    with server.database.read_session() as session:
        assert session.get(MediaObject, sha(big)) is None


def test_a_chunked_photo_over_the_limit_is_refused_with_413(server):
    device = server.enrol()
    big = png_bytes() + b"\x00" * (TEST_PHOTO_LIMIT + 1)

    def chunks():
        for start in range(0, len(big), 32768):
            yield big[start : start + 32768]

    response = server.client.put(
        f"/api/v1/media/{sha(big)}",
        params={"kind": "photo"},
        content=chunks(),
        headers=device.headers,
    )

    assert response.status_code == 413


def test_a_name_that_is_not_a_hash_is_refused(server):
    device = server.enrol()

    response = server.client.put(
        "/api/v1/media/..%2F..%2Fetc%2Fpasswd",
        params={"kind": "photo"},
        content=png_bytes(),
        headers=device.headers,
    )

    assert response.status_code in (404, 422)
    assert "error" in response.json()
