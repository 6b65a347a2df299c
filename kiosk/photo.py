"""One photo from the kiosk camera, for a report, taken off the UI thread.

The camera source is the one in the device configuration (a camera index, a
``/dev/video*`` path, a stream, a video file or a folder of images), read by
``kiosk.scanner.frames.FrameReader``, the same reader the camera scanner uses.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.i18n import N_

log = logging.getLogger(__name__)

NO_CAMERA = N_("The camera is not working. You can go on without a photo.")


def _grab(source: str):
    """One frame from the configured source through the scanner's frame reader."""
    from kiosk.scanner.frames import FrameReader

    reader = FrameReader(source)
    if reader.spec is None:
        return None
    reader.start()
    try:
        frame = None
        # A webcam's first frames are often dark; take the newest of its first half second.
        deadline = time.monotonic() + 0.5
        while True:
            newer = reader.latest(frame.seq if frame else 0, timeout=3.0)
            if newer is None:
                break
            frame = newer
            if time.monotonic() > deadline or reader.spec.kind in ("folder", "file"):
                break
        return frame.image if frame is not None else None
    finally:
        reader.stop(timeout=2.0)


def take_photo(
    source: str,
    out: Path,
    on_done: Callable[[Path | None, str | None], None],
    deliver: Callable = lambda fn: fn(),
    image=None,
) -> None:
    """Grab one frame into ``out`` (JPEG); ``on_done(path, None)`` or ``(None, sentence)``.

    ``image``, when given, is a picture already taken (the live view's newest).
    """

    def work():
        try:
            import cv2

            frame = _grab(source) if image is None else image
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


class CameraView:
    """The camera running while the photo screen is shown, for a live picture to aim with.

    ``newest()`` is cheap and never waits, so the screen can poll it a few times a
    second; ``stop()`` releases the camera off the UI thread.
    """

    def __init__(self, source: str):
        self.source = source
        self.reader = None
        self._seq = 0

    def start(self) -> bool:
        from kiosk.scanner.frames import FrameReader

        reader = FrameReader(self.source, loop=True)
        if reader.spec is None:
            return False
        self.reader = reader.start()
        self._seq = 0
        return True

    def newest(self):
        """The newest frame's image since the last call, or None."""
        if self.reader is None:
            return None
        frame = self.reader.latest(self._seq, timeout=0)
        if frame is None:
            return None
        self._seq = frame.seq
        return frame.image

    def stop(self, wait: bool = False) -> None:
        reader, self.reader = self.reader, None
        if reader is None:
            return
        if wait:
            reader.stop(timeout=2.0)
        else:
            threading.Thread(target=reader.stop, name="camera-view-stop", daemon=True).start()
