"""A scanner on a serial port (RS-232 or a USB CDC/ACM port): one code per line.

Some kiosk models have the handheld scanner on a serial port instead of
typing as a keyboard. :class:`SerialScanner` reads lines ending in CR or LF
with pyserial in a thread and turns each into a classified :class:`Scan`. A
port that is missing or goes away becomes a health status in both languages,
and the scanner reopens it with backoff.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import serial

from kiosk.scanner.frames import Health
from kiosk.scanner.scan import Scan, ScanSource

log = logging.getLogger(__name__)

MAX_LINE = 4096


class SerialScanner:
    def __init__(
        self,
        port: str,
        classifier,
        on_scan: Callable[[Scan], None],
        *,
        baudrate: int = 9600,
        on_health: Callable[[Health], None] | None = None,
        backoff: tuple[float, float] = (0.5, 30.0),
    ):
        self.port = port
        self.baudrate = baudrate
        self.classifier = classifier
        self.on_scan = on_scan
        self.on_health = on_health
        self.backoff = backoff
        self.health = Health(None, "scanner_not_started", {"port": port}, component="scanner")
        self.failures = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._serial: serial.Serial | None = None

    def start(self) -> SerialScanner:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="serial-scanner", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _set_health(self, ok: bool | None, reason: str, **detail) -> None:
        changed = (ok, reason) != (self.health.ok, self.health.reason)
        self.health = Health(ok, reason, {"port": self.port, **detail}, component="scanner")
        if changed:
            log.info("serial scanner %s: %s", self.port, self.health.message_en)
        if self.on_health is not None:
            try:
                self.on_health(self.health)
            except Exception:
                log.exception("serial scanner health callback failed")

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with serial.Serial(self.port, self.baudrate, timeout=0.2) as port:
                    self.failures = 0
                    self._set_health(True, "scanner_ok")
                    self._read_lines(port)
            except (serial.SerialException, OSError) as exc:
                self._set_health(False, "scanner_port_failed", error=str(exc)[:200])
                first, most = self.backoff
                delay = min(most, first * 2 ** min(self.failures, 16))
                self.failures += 1
                self._stop.wait(delay)

    def _read_lines(self, port: serial.Serial) -> None:
        buffer = bytearray()
        while not self._stop.is_set():
            chunk = port.read(256)
            if not chunk:
                continue
            buffer += chunk
            while True:
                cut = min(
                    (i for i in (buffer.find(b"\r"), buffer.find(b"\n")) if i >= 0), default=-1
                )
                if cut < 0:
                    break
                line, buffer = bytes(buffer[:cut]), buffer[cut + 1 :]
                if line.strip():
                    self._emit(line)
            if len(buffer) > MAX_LINE:
                log.info(
                    "serial scanner %s sent %d bytes without a line end; dropped",
                    self.port,
                    len(buffer),
                )
                buffer.clear()

    def _emit(self, line: bytes) -> None:
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            text = line.decode("gb18030", errors="replace")  # scanners set to the GBK code page
        scan = self.classifier.classify(text, source=ScanSource.SERIAL)
        try:
            self.on_scan(scan)
        except Exception:
            log.exception("serial scan callback failed")
