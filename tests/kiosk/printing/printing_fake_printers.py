"""Printers for the tests: one on a TCP port on 127.0.0.1, one at the far end of a pty."""

from __future__ import annotations

import os
import select
import socket
import threading
import time
import tty

from printing_escpos_reader import Command, EscposReader

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
    silent (takes the bytes, never answers), stalled (takes nothing), close_half (answers,
    then hangs up after `close_after` bytes of a job).
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
            if behaviour == "stalled":  # takes nothing more: its buffer is full
                time.sleep(0.05)
                continue
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


class PtyPrinter:
    """A printer on the far end of a serial line: answers DLE EOT, keeps what it prints."""

    def __init__(self, behaviour: str = "normal"):
        self.master, slave = os.openpty()
        tty.setraw(slave)
        self.device = os.ttyname(slave)
        self._slave = slave
        self.behaviour = behaviour
        self.reader = EscposReader()
        self.received = bytearray()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if not ready or self.behaviour == "stalled":
                continue
            try:
                data = os.read(self.master, 4096)
            except OSError:
                return
            self.received += data
            for item in self.reader.feed(data):
                if isinstance(item, Command) and item.name == "status":
                    if self.behaviour != "silent":
                        os.write(self.master, bytes([STATUS[self.behaviour][item.args[0]]]))

    def close(self):
        self._stop.set()
        self._thread.join(2)
        os.close(self.master)
        os.close(self._slave)
