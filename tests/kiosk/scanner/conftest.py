"""Fixtures for the scanner tests: a card key pair, signed cards, a classifier."""

from __future__ import annotations

import pytest

from kiosk.scanner.classify import Classifier
from server_sync.protocol import cards

SERVER = "https://ymt.example.org"
REVOKED_CARD = "0000000099"


@pytest.fixture(scope="session")
def card_key():
    return cards.generate_private_key()


@pytest.fixture(scope="session")
def public_key(card_key):
    return cards.public_key_text(card_key)


@pytest.fixture(scope="session")
def make_card(card_key):
    def make(card_no: str) -> str:
        return cards.sign_card(card_key, card_no)

    return make


@pytest.fixture
def classifier(public_key):
    return Classifier(public_key, {REVOKED_CARD}, [SERVER])


@pytest.fixture(scope="session")
def write_video(tmp_path_factory):
    """Writes frames to an MJPG video file with OpenCV and returns its path."""
    import cv2

    def write(name: str, frames, fps: float = 15.0):
        path = tmp_path_factory.mktemp("video") / name
        frames = list(frames)
        height, width = frames[0].shape[:2]
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height))
        assert writer.isOpened(), "OpenCV could not open a video writer for MJPG"
        for frame in frames:
            writer.write(frame)
        writer.release()
        return path

    return write
