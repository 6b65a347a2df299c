"""The kiosk's camera as a scanner: frames in, one classified :class:`Scan` per code out.

:class:`CameraScanner` runs the frame reader and a decoding thread. Each new
code becomes a :class:`Scan` and is handed to ``on_scan`` from the decoding
thread; a Kivy app passes it on with ``Clock.schedule_once``. Camera trouble
goes to ``on_health`` the same way and never stops the kiosk.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence

from kiosk.scanner.classify import Classifier
from kiosk.scanner.decode import Decoder
from kiosk.scanner.dedup import Deduplicator
from kiosk.scanner.frames import Frame, FrameReader, Health
from kiosk.scanner.scan import Scan, ScanSource

log = logging.getLogger(__name__)


class FrameScanner:
    """Decoding and de-duplication for a sequence of frames, without threads."""

    def __init__(
        self,
        classifier: Classifier,
        decoder: Decoder | None = None,
        dedup: Deduplicator | None = None,
    ):
        self.classifier = classifier
        self.decoder = decoder or Decoder()
        self.dedup = dedup or Deduplicator()

    def scan_frame(self, frame: Frame) -> list[Scan]:
        codes = self.decoder.decode(frame.image)
        by_text = {code.text: code for code in codes}
        scans = []
        for text in self.dedup.new_codes(by_text, frame.t):
            code = by_text[text]
            detail = {
                "frame": frame.seq,
                "frame_t": round(frame.t, 3),
                "engine": code.engine,
                "pass": code.pass_name,
                "box": list(code.box),
            }
            scans.append(
                self.classifier.classify(
                    text, source=ScanSource.CAMERA, symbology=code.symbology, detail=detail
                )
            )
        return scans

    def scan_frames(self, frames: Iterable[Frame]) -> list[Scan]:
        return [scan for frame in frames for scan in self.scan_frame(frame)]


def camera_scanner_for(
    store,
    camera_source: str,
    on_scan: Callable[[Scan], None],
    on_health: Callable[[Health], None] | None = None,
    chain: Sequence[str] | None = None,
    **reader_options,
) -> CameraScanner:
    """The kiosk's camera scanner: cards checked against the store's pulled key and
    revocations, camera health recorded in the store for the heartbeat. Call ``start()``;
    after each pull, refresh with ``scanner.classifier = Classifier.from_store(store)``.
    ``chain`` overrides the decoding passes (see ``DECODING.md`` for a cheaper one)."""

    def health(status: Health) -> None:
        status.report_to(store)
        if on_health is not None:
            on_health(status)

    reader = FrameReader(camera_source, **reader_options)
    decoder = Decoder(chain) if chain else None
    return CameraScanner(reader, Classifier.from_store(store), on_scan, health, decoder)


class CameraScanner:
    """Frame reader plus a decoding thread; see the module docstring."""

    def __init__(
        self,
        reader: FrameReader,
        classifier: Classifier,
        on_scan: Callable[[Scan], None],
        on_health: Callable[[Health], None] | None = None,
        decoder: Decoder | None = None,
        dedup: Deduplicator | None = None,
    ):
        self.reader = reader
        self.frames = FrameScanner(classifier, decoder, dedup)
        self.on_scan = on_scan
        if on_health is not None:
            reader.on_health = on_health
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def classifier(self) -> Classifier:
        return self.frames.classifier

    @classifier.setter
    def classifier(self, value: Classifier) -> None:
        """Swap in a classifier built from freshly pulled keys and revocations."""
        self.frames.classifier = value

    @property
    def health(self) -> Health:
        return self.reader.health

    def start(self) -> CameraScanner:
        self.reader.start()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="camera-decoder", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self.reader.stop(timeout)
        if self._thread is not None:
            self._thread.join(timeout)

    def join(self, timeout: float | None = None) -> None:
        """Wait for a file or folder source to be read to its end."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        seq = 0
        while not self._stop.is_set():
            frame = self.reader.latest(seq, timeout=0.5)
            if frame is None:
                if self.reader.finished:
                    return
                continue
            seq = frame.seq
            try:
                scans = self.frames.scan_frame(frame)
            except Exception:  # one bad frame must not stop scanning
                log.exception("scanning frame %d failed", frame.seq)
                continue
            for scan in scans:
                try:
                    self.on_scan(scan)
                except Exception:
                    log.exception("scan callback failed")
