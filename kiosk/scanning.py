"""Scans from every scanner the kiosk has, classified, handed to the screen waiting for one."""

from __future__ import annotations

import logging
import threading

from terminal_agent.store import Store

log = logging.getLogger(__name__)


class ScanHub:
    """Every scan, from the camera or a handheld scanner, classified and handed to one listener.

    The camera scanner (``kiosk.scanner``) runs only while a screen is waiting for a
    scan; the keyboard-wedge detector always listens, fed by the app's key events.
    """

    def __init__(self, store: Store, deliver, camera_source: str = ""):
        from kiosk.scanner import KeyboardScanner

        self.store = store
        self.deliver = deliver
        self.camera_source = camera_source
        self._listener = None
        self._camera = None
        self._stopping: list[threading.Thread] = []
        self.camera_problem: str | None = None
        self.keyboard = KeyboardScanner(self.classifier(), self._scanned)

    def classifier(self):
        from kiosk.scanner import Classifier

        return Classifier.from_store(self.store)

    def listen(self, callback) -> None:
        """Send scans to ``callback``; None when no screen is waiting for a scan."""
        self._listener = callback
        if callback is None:
            self._stop_camera()
        else:
            self.keyboard.classifier = self.classifier()  # keys or revocations may be new
            self._start_camera()

    @property
    def listening(self) -> bool:
        return self._listener is not None

    def _start_camera(self) -> None:
        if self._camera is not None or not self.camera_source:
            return
        from kiosk.scanner import camera_scanner_for

        self._camera = camera_scanner_for(
            self.store, self.camera_source, self._scanned, self._camera_health, loop=True
        ).start()

    def _stop_camera(self) -> None:
        camera, self._camera = self._camera, None
        if camera is not None:
            stopping = threading.Thread(target=camera.stop, name="camera-stop", daemon=True)
            stopping.start()
            self._stopping.append(stopping)

    def newest_frame(self, after: int = 0):
        """The camera's newest frame after ``after`` (for a live picture), or None; never waits."""
        camera = self._camera
        if camera is None:
            return None
        return camera.reader.latest(after, timeout=0)

    def _camera_health(self, health) -> None:
        self.camera_problem = None if health.ok is not False else health.reason

    def _scanned(self, scan) -> None:
        """From the camera's decoding thread or the keyboard detector: on to the UI thread."""

        def hand_over():
            if self._listener is not None:
                self._listener(scan)

        self.deliver(hand_over)

    def submit(self, text, source: str = "wedge", symbology=None) -> None:
        """A code read by a scanner the kiosk does not drive itself (any thread)."""
        self._scanned(self.classifier().classify(text, source=source, symbology=symbology))

    def close(self) -> None:
        """Stop the camera and wait for it, so no reader thread outlives the app."""
        self._listener = None
        camera, self._camera = self._camera, None
        if camera is not None:
            camera.stop(timeout=2.0)
        for stopping in self._stopping:
            stopping.join(timeout=5.0)
