"""Camera frames from the device configuration, read in a background thread.

The ``camera_source`` setting names where frames come from:

- ``0``, ``/dev/video0`` or ``/dev/v4l/by-id/...``: a USB camera by index or device path;
- ``rtsp://...``, ``http://...``, ``https://...``: a network stream;
- a video file path: played at its own frame rate (or in lock-step, for tests);
- a folder of images (``.png``, ``.jpg``, ``.bmp``), or ``folder:PATH``: shown in name order.

:class:`FrameReader` keeps only the newest frame, so a slow decode never
builds a backlog. A camera that is missing, unplugged or stops sending frames
never raises into the kiosk: it turns into a :class:`Health` with a
sentence in both languages, and the reader reconnects with backoff.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np

from kiosk.scanner.messages import message

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
STREAM_TIMEOUT_MS = 5000
STREAM_SCHEMES = ("rtsp://", "rtsps://", "http://", "https://", "udp://", "tcp://")


class CameraConfigError(ValueError):
    """A camera setting a technician has to fix; the message says what to write."""


@dataclass(frozen=True)
class SourceSpec:
    """Where frames come from: kind is camera, stream, file or folder."""

    kind: str
    target: int | str

    @classmethod
    def parse(cls, setting: object) -> SourceSpec:
        text = str(setting if setting is not None else "").strip()
        if not text:
            raise CameraConfigError(
                "camera_source is empty: write a camera index such as 0, a device such as "
                "/dev/video0, a stream address, a video file or a folder of images"
            )
        if text.isdigit():
            return cls("camera", int(text))
        if text.startswith("/dev/"):
            # /dev/video0, or better /dev/v4l/by-id/usb-...-video-index0, which keeps naming
            # the same camera when USB devices are re-enumerated after a replug.
            return cls("camera", text)
        if text.lower().startswith(STREAM_SCHEMES):
            return cls("stream", text)
        if text.startswith("folder:"):
            return cls("folder", text.removeprefix("folder:"))
        if os.path.isdir(text):
            return cls("folder", text)
        if os.path.isfile(text):
            return cls("file", text)
        # Limitation: a video file or folder must exist when the reader is made; one that
        # appears later (a USB stick mounted late) is a configuration error until restart.
        raise CameraConfigError(
            f"camera_source {text!r} is neither a camera index, a /dev/video device, a stream "
            "address, nor an existing video file or folder; correct the path"
        )

    def __str__(self) -> str:
        return f"{self.kind}:{self.target}"


@dataclass(frozen=True)
class Health:
    """What the kiosk shows and stores about the camera or a serial scanner.

    ``ok`` is True when working, False when failing (``reason`` says why), None when not
    running; ``report_to`` puts it in the store for the agent's heartbeat.
    """

    ok: bool | None
    reason: str
    detail: dict = field(default_factory=dict)
    component: str = "camera"

    def message(self, lang: str = "zh") -> str:
        return message(self.reason, lang)

    @property
    def message_zh(self) -> str:
        return self.message("zh")

    @property
    def message_en(self) -> str:
        return self.message("en")

    def report_to(self, store) -> None:
        """Record this in the device store's health table for the agent's heartbeat."""
        detail = {**self.detail, "reason": self.reason, "message_zh": self.message_zh}
        store.set_health(self.component, self.ok, self.message_en, detail)


class FolderCapture:
    """A folder of images read like a video: one image per ``read()``, in name order."""

    def __init__(self, folder: str | Path, fps: float = 10.0):
        self.paths = (
            sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            if Path(folder).is_dir()
            else []
        )
        self.fps = fps
        self.index = 0

    def isOpened(self) -> bool:  # noqa: N802 - the cv2.VideoCapture interface
        return bool(self.paths)

    def read(self) -> tuple[bool, np.ndarray | None]:
        while self.index < len(self.paths):
            image = cv2.imread(str(self.paths[self.index]), cv2.IMREAD_COLOR)
            self.index += 1
            if image is not None:
                return True, image
            log.info("skipping unreadable image %s", self.paths[self.index - 1].name)
        return False, None

    def get(self, prop: int) -> float:
        if prop == cv2.CAP_PROP_POS_MSEC:
            return (self.index - 1) * 1000.0 / self.fps
        if prop == cv2.CAP_PROP_FPS:
            return self.fps
        return 0.0

    def set(self, prop: int, value: float) -> bool:
        return False

    def release(self) -> None:
        self.paths = []


def camera_index(target: int | str) -> int | str:
    """The V4L2 index for a camera setting: ``/dev/video2`` and a ``/dev/v4l/by-id/...`` link
    to it both give 2, since OpenCV's V4L2 backend opens cameras by index."""
    if isinstance(target, int):
        return target
    match = re.fullmatch(r"/dev/video(\d+)", os.path.realpath(target))
    return int(match[1]) if match else target


# Limitation: a V4L2 camera is owned by one reader at a time; while the scanner holds it,
# another reader (a photo screen) cannot open it and should take FrameReader.latest() instead.
def open_capture(spec: SourceSpec, width: int | None = None, height: int | None = None):
    """The OpenCV capture for ``spec``; this is the boundary tests replace for a camera."""
    if spec.kind == "folder":
        return FolderCapture(spec.target)
    if spec.kind == "camera":
        capture = cv2.VideoCapture(camera_index(spec.target), cv2.CAP_V4L2)
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
    elif spec.kind == "stream":
        # Bounded waits, so a dead stream turns into a health status, not a hung thread.
        timeouts = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            STREAM_TIMEOUT_MS,
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            STREAM_TIMEOUT_MS,
        ]
        capture = cv2.VideoCapture(str(spec.target), cv2.CAP_FFMPEG, timeouts)
    else:
        capture = cv2.VideoCapture(str(spec.target), cv2.CAP_FFMPEG)
    if width and height:
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
    return capture


@dataclass(frozen=True)
class Frame:
    seq: int
    t: float  # seconds: the file's own timestamp for files and folders, else monotonic time
    image: np.ndarray


class FrameReader:
    """Reads frames from a :class:`SourceSpec` in a thread and keeps only the newest one.

    ``lockstep`` (files and folders only) hands over every frame and waits until it is
    taken, for tests and benchmarks that must see each frame; otherwise files play at
    their own frame rate. ``loop`` restarts a file or folder at its end (demos).
    """

    def __init__(
        self,
        source: str | SourceSpec,
        *,
        width: int | None = None,
        height: int | None = None,
        lockstep: bool = False,
        loop: bool = False,
        backoff: tuple[float, float] = (0.5, 30.0),
        opener: Callable = open_capture,
        on_health: Callable[[Health], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.width, self.height = width, height
        self.lockstep, self.loop = lockstep, loop
        self.backoff = backoff
        self.opener = opener
        self.on_health = on_health
        self.clock = clock
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._frame: Frame | None = None
        self._taken = 0
        self._seq = 0
        self._thread: threading.Thread | None = None
        self.finished = False
        self.failures = 0
        try:
            self.spec = source if isinstance(source, SourceSpec) else SourceSpec.parse(source)
        except CameraConfigError as exc:
            self.spec = None
            reason = (
                "camera_not_configured" if not str(source or "").strip() else "camera_bad_config"
            )
            self._health = Health(False, reason, {"source": str(source), "error": str(exc)})
        else:
            self._health = Health(None, "camera_starting", {"source": str(self.spec)})

    # ------------------------------------------------------------------ consumer side

    @property
    def health(self) -> Health:
        return self._health

    def start(self) -> FrameReader:
        if self.spec is None:
            log.info("camera not started: %s", self._health.detail.get("error"))
            self._set_health(self._health)
            return self
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="camera-reader", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def latest(self, after: int = 0, timeout: float | None = None) -> Frame | None:
        """The newest frame with ``seq > after``, waiting up to ``timeout``; None when there is
        none (timed out, stopped or the file ended)."""
        deadline = None if timeout is None else self.clock() + timeout
        with self._cond:
            while self._frame is None or self._frame.seq <= after:
                if self._stop.is_set() or (self.finished and self._frame_taken()):
                    return None
                remaining = None if deadline is None else deadline - self.clock()
                if remaining is not None and remaining <= 0:
                    return None
                self._cond.wait(remaining if remaining is not None else 0.5)
            frame = self._frame
            self._taken = frame.seq
            self._cond.notify_all()
            return frame

    def frames(self, timeout: float | None = None):
        """Yields frames until the source ends or the reader stops."""
        seq = 0
        while True:
            frame = self.latest(seq, timeout)
            if frame is None:
                return
            seq = frame.seq
            yield frame

    # ------------------------------------------------------------------ reader thread

    def _frame_taken(self) -> bool:
        return self._frame is None or self._taken >= self._frame.seq

    def _set_health(self, health: Health) -> None:
        changed = (health.ok, health.reason) != (self._health.ok, self._health.reason)
        self._health = health
        if changed:
            log.info("camera %s: %s", self.spec, health.message_en)
        if self.on_health is not None:
            try:
                self.on_health(health)
            except Exception:
                log.exception("camera health callback failed")

    def _wait_backoff(self) -> None:
        first, most = self.backoff
        delay = min(most, first * 2 ** min(self.failures, 16))
        self.failures += 1
        detail = {**self._health.detail, "retry_in_s": round(delay, 2)}
        self._set_health(replace(self._health, detail=detail))
        self._stop.wait(delay)

    def _run(self) -> None:
        is_file = self.spec.kind in ("file", "folder")
        while not self._stop.is_set():
            try:
                capture = self.opener(self.spec, self.width, self.height)
                opened = capture is not None and capture.isOpened()
            except Exception as exc:  # a driver error is a failed open, not a crash
                capture, opened = None, False
                log.debug("opening %s raised %r", self.spec, exc)
            if not opened:
                self._set_health(Health(False, "camera_open_failed", {"source": str(self.spec)}))
                self._wait_backoff()
                continue
            try:
                ended = self._read_loop(capture, is_file)
            except Exception:
                log.exception("camera %s read loop failed", self.spec)
                ended = False
            finally:
                try:
                    capture.release()
                except Exception:
                    log.debug("releasing %s failed", self.spec)
            if ended and not self.loop:
                with self._cond:
                    self.finished = True
                    self._cond.notify_all()
                self._set_health(Health(None, "camera_ended", {"source": str(self.spec)}))
                return
            if not ended:
                self._set_health(Health(False, "camera_read_failed", {"source": str(self.spec)}))
                self._wait_backoff()

    def _read_loop(self, capture, is_file: bool) -> bool:
        """Reads until the source ends (True) or fails (False) or the reader stops."""
        fps = capture.get(cv2.CAP_PROP_FPS) or 0.0
        interval = 1.0 / fps if is_file and 0 < fps <= 240 else 0.0
        started = self.clock()
        count = 0
        while not self._stop.is_set():
            ok, image = capture.read()
            if not ok or image is None:
                return is_file
            count += 1
            if count == 1:
                self.failures = 0
                self._set_health(
                    Health(
                        True,
                        "camera_ok",
                        {
                            "source": str(self.spec),
                            "width": image.shape[1],
                            "height": image.shape[0],
                        },
                    )
                )
            t = capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0 if is_file else self.clock()
            with self._cond:
                self._seq += 1
                self._frame = Frame(self._seq, t, image)
                self._cond.notify_all()
                if self.lockstep and is_file:
                    while not self._frame_taken() and not self._stop.is_set():
                        self._cond.wait(0.5)
            if interval and not self.lockstep:
                # Play a file at its own rate: wait for this frame's moment.
                delay = started + count * interval - self.clock()
                if delay > 0:
                    self._stop.wait(delay)
        return True
