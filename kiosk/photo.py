"""One photo from the kiosk camera, for a report, taken off the UI thread.

The camera source is the one in the device configuration: a camera index, a
``/dev/video*`` path, a video file, or a folder of images (tests and demos).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from kiosk.i18n import N_

log = logging.getLogger(__name__)

NO_CAMERA = N_("The camera is not working. You can go on without a photo.")
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp"}


def _grab(source: str):
    import cv2

    path = Path(source)
    if source and path.is_dir():
        images = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        return cv2.imread(str(images[0])) if images else None
    if not source:
        return None
    capture = cv2.VideoCapture(int(source) if source.isdigit() else source)
    try:
        if not capture.isOpened():
            return None
        frame = None
        for _ in range(5):  # the first frames of a webcam are often dark
            ok, grabbed = capture.read()
            if ok:
                frame = grabbed
        return frame
    finally:
        capture.release()


def take_photo(
    source: str,
    out: Path,
    on_done: Callable[[Path | None, str | None], None],
    deliver: Callable = lambda fn: fn(),
) -> None:
    """Grab one frame into ``out`` (JPEG); ``on_done(path, None)`` or ``(None, sentence)``."""

    def work():
        try:
            import cv2

            frame = _grab(source)
            if frame is None:
                raise OSError(f"no frame from camera source {source!r}")
            height, width = frame.shape[:2]
            if width > 1280:
                frame = cv2.resize(frame, (1280, int(height * 1280 / width)))
            if not cv2.imwrite(str(out), frame, [cv2.IMWRITE_JPEG_QUALITY, 85]):
                raise OSError(f"could not write {out}")
        except Exception as exc:  # any camera failure ends in the same sentence
            log.info("photo failed: %s", exc)
            deliver(lambda: on_done(None, NO_CAMERA))
            return
        deliver(lambda: on_done(out, None))

    threading.Thread(target=work, name="photo", daemon=True).start()
