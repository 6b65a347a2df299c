"""Real parts for the agent's tests and benchmarks: a server process and a fault-injecting proxy.

`ServerProcess` runs the real server (``server_sync.app.create_app`` under
uvicorn) on 127.0.0.1 with its own SQLite file. `FaultProxy` sits between the
agent and the server and breaks connections in the ways a village network
does. Used by tests/terminal_agent and by bench/faults.py and bench/sync.py.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests
from fault_proxy import FAULTS, FaultProxy  # noqa: F401  (re-exported for tests)

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


# ---------------------------------------------------------------- the whole scenario


# Quick retries and short timeouts, so a test sees hundreds of faults in a minute.
AGENT_OPTIONS = (
    "--poll-interval 0.05 --heartbeat-interval 0.1 --pull-interval 1 --timeout 1"
    " --backoff-base 0.02 --backoff-cap 0.3 --log-level WARNING"
)


def fault_run(
    workdir: Path,
    *,
    events: int,
    photo_every: int = 10,
    photo_bytes: int = 20_000,
    fault_target: int = 200,
    fault_rate: float = 0.5,
    agent_kills: int = 3,
    batch_size: int = 10,
    seed: int = 7,
    deadline_s: float = 600,
    bulk_first_half: bool = False,
    restart_server: bool = True,
    say: Callable[[str], None] = lambda _: None,
) -> dict:
    """Events recorded on a device reach a server through a faulty network: what arrived where.

    Half the events are recorded before the agent starts, half while it runs
    (as a kiosk would). During recording the server is restarted twice (once
    with SIGTERM, once with SIGKILL); during pushes the agent is SIGKILLed and
    started again. The run ends when the outbox is empty and the proxy has
    injected `fault_target` faults. `bulk_first_half` records the backlog in one
    transaction (quicker to build; the live half is still one commit per event).
    """
    from terminal_agent import cli
    from terminal_agent.store import Store

    workdir = Path(workdir)
    rng = random.Random(seed)
    server = ServerProcess(workdir / "server").start()
    seed_reference(server)
    agent: AgentProcess | None = None

    def kill_agent_during_push() -> None:
        if agent is not None and agent.kills < agent_kills and rng.random() < 0.15:
            time.sleep(rng.random() * 0.05)
            agent.kill()

    proxy = FaultProxy(
        server.port,
        fault_rate=fault_rate,
        max_faults=fault_target,
        delay_s=1.3,
        seed=seed,
        on_push=kill_agent_during_push,
    )
    try:
        store_path = workdir / "device" / "store.db"
        proxy.enabled = False
        code = cli.main(
            [
                "--store",
                str(store_path),
                "enroll",
                "--server",
                proxy.url,
                "--code",
                device_code(server),
            ]
        )
        if code != 0:
            raise RuntimeError("enrolment through the proxy failed")
        proxy.enabled = True
        store = Store(store_path)
        photos = workdir / "camera"
        photos.mkdir(parents=True, exist_ok=True)

        def record(n: int) -> None:
            payload = {
                "ticket": store.next_ticket(),
                "category": "lift_fault" if n % 2 else "noise",
                "location": "b07-lift-1",
                "text": f"第 {n} 号报告",
            }
            media = ()
            if photo_every and n % photo_every == 0:
                path = photos / f"{n}.jpg"
                path.write_bytes(b"\xff\xd8\xff\xe0" + rng.randbytes(photo_bytes))
                media = [(path, "photo")]
            store.record_event("report.submitted", payload, media=media)
            if media:
                path.unlink()

        first_half = events // 2
        with store.transaction() if bulk_first_half else contextlib.nullcontext():
            for n in range(first_half):
                record(n)
        say(f"recorded {first_half} events before the agent started")
        agent = AgentProcess(
            store_path,
            *AGENT_OPTIONS.split(),
            "--batch-size",
            str(batch_size),
        )
        agent.start()
        restarts = {events * 2 // 3: signal.SIGTERM, events - 1: signal.SIGKILL}
        if not restart_server:
            restarts = {}
        for n in range(first_half, events):
            record(n)
            if n in restarts:
                server.restart(restarts[n])
                say(f"server restarted ({restarts[n].name}) after {n + 1} events")
            if n % 50 == 0:
                time.sleep(0.02)  # the kiosk is not a firehose
        say(f"recorded all {events} events; waiting for the outbox to drain")

        started = time.monotonic()
        first_drained = None
        while True:
            counts = store.counts()
            drained = counts["pending"] == 0 and counts["held"] == 0
            if drained and first_drained is None:
                first_drained = (time.monotonic() - started, proxy.total_faults)
            if drained and proxy.total_faults >= fault_target and agent.kills >= agent_kills:
                break
            if time.monotonic() - started > deadline_s:
                raise TimeoutError(
                    f"not drained after {deadline_s} s: {counts}, faults {proxy.total_faults}, "
                    f"agent kills {agent.kills}"
                )
            time.sleep(0.2)
        agent.stop()
        proxy.enabled = False

        device_events = store._query("SELECT id, type, status, payload, media FROM outbox")
        store.close()
        facts = server_facts(server)
        media_files = {
            sha
            for sha in facts["media"]
            if (server.data_dir / "media" / sha[:2] / sha[2:4] / sha).is_file()
        }
        return {
            "device_events": device_events,
            "server_event_ids": facts["event_ids"],
            "server_tickets": facts["tickets"],
            "server_media_files": media_files,
            "faults": dict(proxy.faults),
            "total_faults": proxy.total_faults,
            "requests": dict(proxy.requests),
            "agent_kills": agent.kills,
            "server_restarts": server.restarts,
            "drain_s": time.monotonic() - started,
            "first_drained": first_drained,
        }
    finally:
        if agent is not None:
            agent.stop()
        proxy.close()
        server.stop()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        _serve(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: agent_harness.py serve DATA_DIR PORT")
