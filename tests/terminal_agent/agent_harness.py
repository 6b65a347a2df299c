"""Real parts for the agent's tests and benchmarks: a server process and a fault-injecting proxy.

`ServerProcess` runs the real server (``server_sync.app.create_app`` under
uvicorn) on 127.0.0.1 with its own SQLite file. `FaultProxy` sits between the
agent and the server and breaks connections in the ways a village network
does. Used by tests/terminal_agent and by bench/faults.py and bench/sync.py.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------- the server


class ServerProcess:
    """The real server in its own process, restartable on the same port and data."""

    def __init__(self, data_dir: Path, port: int | None = None, log_path: Path | None = None):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path or self.data_dir / "server.log"
        self.proc: subprocess.Popen | None = None
        self.restarts = 0

    def start(self, timeout: float = 60) -> ServerProcess:
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "serve", str(self.data_dir), str(self.port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited; see {self.log_path}")
            try:
                if requests.get(self.url + "/api/v1/health", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start within {timeout} s; see {self.log_path}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def restart(self, sig: int = signal.SIGTERM) -> None:
        self.stop(sig)
        self.restarts += 1
        self.start()

    @property
    def database_url(self) -> str:
        return f"sqlite:///{(self.data_dir / 'server.db').resolve()}"


def _serve(data_dir: str, port: str) -> None:
    import uvicorn

    from server_sync.app import create_app
    from server_sync.settings import load_settings

    settings = load_settings(data_dir=data_dir, port=int(port), environ={})
    uvicorn.run(
        create_app(settings),
        host="127.0.0.1",
        port=int(port),
        log_level="warning",
        timeout_graceful_shutdown=5,
    )


def server_database(server: ServerProcess):
    from server_sync.db import Database
    from server_sync.migrate import upgrade

    database = Database(server.database_url)
    upgrade(database)
    return database


def seed_reference(server: ServerProcess) -> None:
    """The few rows a report needs: a department, two categories, two locations."""
    from server_sync.models.reference import Category, Department, Location

    database = server_database(server)
    with database.transaction() as session:
        if session.get(Department, "property") is None:
            session.add(Department(key="property", name_zh="物业", name_en="Property office"))
            session.flush()
            session.add_all(
                [
                    Category(
                        key="lift_fault",
                        name_zh="电梯故障",
                        name_en="Lift fault",
                        department="property",
                        deadline_hours=24,
                    ),
                    Category(
                        key="noise",
                        name_zh="噪音",
                        name_en="Noise",
                        department="property",
                        deadline_hours=48,
                    ),
                    Location(
                        key="b07-lift-1",
                        name_zh="7号楼电梯",
                        name_en="Building 7 lift",
                        building=7,
                    ),
                    Location(key="square", name_zh="广场", name_en="Square", building=None),
                ]
            )
    database.dispose()


def device_code(server: ServerProcess, role: str = "lift", location: str = "b07-lift-1") -> str:
    from server_sync.enrolment import create_code

    database = server_database(server)
    with database.transaction() as session:
        code = create_code(session, role, location)
    database.dispose()
    return code


def add_command(server: ServerProcess, device_id: int, name: str, args: dict) -> int:
    from server_sync.models import DeviceCommand

    database = server_database(server)
    with database.transaction() as session:
        command = DeviceCommand(device_id=device_id, name=name, args=args)
        session.add(command)
        session.flush()
        command_id = command.id
    database.dispose()
    return command_id


def server_facts(server: ServerProcess) -> dict:
    """What the server holds: event ids (with repeats, if any), tickets, media, commands."""
    from sqlalchemy import select

    from server_sync.models import Device, DeviceCommand, EventLog, MediaObject
    from server_sync.models.reports import Report

    database = server_database(server)
    with database.read_session() as session:
        facts = {
            "event_ids": [str(i) for i in session.scalars(select(EventLog.id))],
            "tickets": list(session.scalars(select(Report.ticket))),
            "media": set(session.scalars(select(MediaObject.sha256))),
            "commands": {
                c.id: (c.status, c.ok, c.output) for c in session.scalars(select(DeviceCommand))
            },
            "health": {d.short_code: d.health for d in session.scalars(select(Device))},
        }
    database.dispose()
    return facts


# ---------------------------------------------------------------- the proxy

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


# ---------------------------------------------------------------- the agent process


class AgentProcess:
    """`ymt-agent run` in its own process, killable with SIGKILL and restartable."""

    def __init__(self, store_path: Path, *extra: str, log_path: Path | None = None):
        self.store_path = Path(store_path)
        self.extra = list(extra)
        self.log_path = log_path or self.store_path.with_name("agent-stderr.log")
        self.proc: subprocess.Popen | None = None
        self.kills = 0
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            log = open(self.log_path, "ab")
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "terminal_agent.cli",
                    "--store",
                    str(self.store_path),
                    "run",
                    *self.extra,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
            log.close()

    def kill(self) -> None:
        """SIGKILL the agent (in the middle of whatever it does) and start it again."""
        with self._lock:
            if self.proc is None or self.proc.poll() is not None:
                return
            self.proc.kill()
            self.proc.wait()
            self.kills += 1
        self.start()

    def stop(self) -> int | None:
        with self._lock:
            if self.proc is None:
                return None
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            code = self.proc.returncode
            self.proc = None
            return code


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        _serve(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: agent_harness.py serve DATA_DIR PORT")
