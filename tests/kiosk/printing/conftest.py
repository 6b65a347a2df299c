"""Fixtures for the printing tests: a network printer on 127.0.0.1 that speaks ESC/POS."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from printing_escpos_reader import Command, EscposReader

from kiosk.printing import PrinterConfig, PrintQueue

# DLE EOT answers: fixed bits 0x12, plus the bits each condition sets.
STATUS = {
    "normal": {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12},
    "paper_low": {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1E},
    "paper_out": {1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x72},
    "cover_open": {1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x12},
}


class FakeNetworkPrinter:
    """Accepts jobs on a TCP port the way a printer on port 9100 does.

    behaviour: normal, paper_low, paper_out, cover_open (answers status requests that way),
    silent (takes the bytes, never answers), close_half (answers, then hangs up after
    `close_after` bytes of a job).
    """

    def __init__(self, encoding: str = "gb18030"):
        self.encoding = encoding
        self.behaviour = "normal"
        self.close_after = 300
        self.jobs: list[bytes] = []
        self.connections = 0
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(4)
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def last_job(self) -> bytes:
        """The bytes of the latest connection, once the printer has seen it close."""
        deadline = time.monotonic() + 10
        while len(self.jobs) < self.connections or not self.jobs:
            assert time.monotonic() < deadline, "the printer never received a job"
            time.sleep(0.01)
        return self.jobs[-1]

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            with conn:
                self._job(conn)

    def _job(self, conn: socket.socket) -> None:
        conn.settimeout(0.2)
        reader = EscposReader(self.encoding)
        received = bytearray()
        behaviour = self.behaviour
        deadline = time.monotonic() + 15
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                data = conn.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                break
            if not data:
                break
            received += data
            for item in reader.feed(data):
                if isinstance(item, Command) and item.name == "status" and behaviour != "silent":
                    conn.sendall(bytes([STATUS.get(behaviour, STATUS["normal"])[item.args[0]]]))
            printed = len(received) - 3 * _status_count(reader)
            if behaviour == "close_half" and printed >= self.close_after:
                # Hang up with the rest unread: the kernel answers the sender with a reset.
                del received[self.close_after :]
                break
        self.jobs.append(bytes(received))

    def close(self) -> None:
        self._stop.set()
        self._server.close()
        self._thread.join(5)


def _status_count(reader: EscposReader) -> int:
    return sum(1 for item in reader.items if getattr(item, "name", "") == "status")


@pytest.fixture
def network_printer():
    printer = FakeNetworkPrinter()
    yield printer
    printer.close()


@pytest.fixture
def make_queue(tmp_path):
    """Build PrintQueues on a printer URL; all are closed at the end of the test."""
    queues = []

    def make(url: str, history: str = "jobs", **settings) -> PrintQueue:
        queue = PrintQueue(PrinterConfig.parse(url, **settings), tmp_path / history)
        queues.append(queue)
        return queue

    yield make
    for queue in queues:
        queue.close()
