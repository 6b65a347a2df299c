"""A TCP proxy that breaks HTTP exchanges the ways a village network does.

One HTTP request per connection: the proxy reads the request, decides on a
fault, forwards it (or not) to the real server and passes the answer back (or
not). See `FAULTS` for what it does.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable

FAULTS = {
    # name: weight
    "drop_on_connect": 3,  # closed before the request is read
    "drop_after_request": 3,  # request read, never forwarded
    "lose_response": 4,  # forwarded and committed, the answer is lost
    "truncate_response": 2,  # half the answer, then the line goes dead
    "delay_response": 1,  # committed, the answer comes after the client gave up
    "delay_request": 1,  # forwarded only after the client gave up
    "http_500": 2,  # answered 500 without reaching the server
    "http_500_after_commit": 2,  # forwarded and committed, answered 500
    "http_503": 2,  # answered 503 with Retry-After
}


class FaultProxy:
    """A TCP proxy that handles one HTTP request per connection and injects faults."""

    def __init__(
        self,
        upstream_port: int,
        *,
        fault_rate: float = 0.4,
        max_faults: int = 10**9,
        delay_s: float = 1.5,
        seed: int = 1,
        on_push: Callable[[], None] | None = None,
    ):
        self.upstream_port = upstream_port
        self.fault_rate = fault_rate
        self.max_faults = max_faults
        self.delay_s = delay_s
        self.random = random.Random(seed)
        self.on_push = on_push
        self.enabled = True
        self.faults: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def total_faults(self) -> int:
        return sum(self.faults.values())

    def close(self) -> None:
        self._closed = True
        self._listener.close()

    def _choose(self) -> str | None:
        with self._lock:
            if not self.enabled or self.total_faults >= self.max_faults:
                return None
            if self.random.random() >= self.fault_rate:
                return None
            names, weights = zip(*FAULTS.items(), strict=True)
            fault = self.random.choices(names, weights)[0]
            self.faults[fault] += 1
            return fault

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        client.settimeout(30)
        try:
            fault = self._choose()
            if fault == "drop_on_connect":
                return
            request = _read_request(client)
            if request is None:
                return
            head, body = request
            first_line = head.split(b"\r\n", 1)[0].decode("latin-1")
            with self._lock:
                self.requests[first_line.split(" ")[0]] += 1
            if fault == "drop_after_request":
                return
            if fault == "http_500":
                client.sendall(_canned(500, b'{"error":{"code":"proxy","message":"injected"}}'))
                return
            if fault == "http_503":
                client.sendall(_canned(503, b"busy", retry_after=1))
                return
            if fault == "delay_request":
                time.sleep(self.delay_s)
            if first_line.startswith("POST /api/v1/sync/events") and self.on_push:
                threading.Thread(target=self.on_push, daemon=True).start()
            response = self._forward(head, body)
            if response is None:
                return  # the server is down: the client sees the line drop
            if fault == "lose_response":
                return
            if fault == "truncate_response":
                client.sendall(response[: max(1, len(response) // 2)])
                return
            if fault == "delay_response":
                time.sleep(self.delay_s)
            if fault == "http_500_after_commit":
                client.sendall(_canned(500, b'{"error":{"code":"proxy","message":"injected"}}'))
                return
            client.sendall(response)
        except OSError:
            pass
        finally:
            try:
                client.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            client.close()

    def _forward(self, head: bytes, body: bytes) -> bytes | None:
        lines = [
            line
            for line in head.split(b"\r\n")
            if line and not line.lower().startswith(b"connection:")
        ]
        lines.append(b"Connection: close")
        try:
            with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30) as up:
                up.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
                chunks = []
                while chunk := up.recv(65536):
                    chunks.append(chunk)
        except OSError:
            return None
        return b"".join(chunks) or None


def _read_request(sock: socket.socket) -> tuple[bytes, bytes] | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = sock.recv(min(1 << 20, length - len(rest)))
        if not chunk:
            return None
        rest += chunk
    return head, rest


def _canned(status: int, body: bytes, retry_after: int | None = None) -> bytes:
    reason = {500: "Internal Server Error", 503: "Service Unavailable"}[status]
    headers = [
        f"HTTP/1.1 {status} {reason}",
        "Content-Type: application/json" if body.startswith(b"{") else "Content-Type: text/plain",
        f"Content-Length: {len(body)}",
        "Connection: close",
    ]
    if retry_after is not None:
        headers.append(f"Retry-After: {retry_after}")
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + body
