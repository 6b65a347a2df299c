"""Scanning: camera frames, keyboard-wedge and serial scanners to one verified :class:`Scan`.

- :mod:`.frames` reads frames from the configured camera, stream, file or folder;
- :mod:`.decode` finds codes in a frame (zxing-cpp and ZBar, cheapest pass first);
- :mod:`.dedup` reports a code held in view once;
- :mod:`.wedge` tells a handheld scanner's keystroke burst from a person typing;
- :mod:`.serial_port` reads a scanner on a serial port;
- :mod:`.classify` checks cards and tickets and gives every other code a reason.
"""

from kiosk.scanner.camera import CameraScanner, FrameScanner, camera_scanner_for
from kiosk.scanner.classify import Classifier
from kiosk.scanner.decode import Decoder
from kiosk.scanner.dedup import Deduplicator
from kiosk.scanner.frames import FrameReader, Health, SourceSpec
from kiosk.scanner.scan import Scan, ScanKind, ScanReason, ScanSource
from kiosk.scanner.wedge import ENTER_KEYS, KeyboardScanner, WedgeDetector

__all__ = [
    "ENTER_KEYS",
    "CameraScanner",
    "Classifier",
    "Decoder",
    "Deduplicator",
    "FrameReader",
    "FrameScanner",
    "Health",
    "KeyboardScanner",
    "Scan",
    "ScanKind",
    "ScanReason",
    "ScanSource",
    "SourceSpec",
    "WedgeDetector",
    "camera_scanner_for",
]
