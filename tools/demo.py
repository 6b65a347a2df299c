"""`make demo`: the whole system on its defaults, in ./var, until Ctrl-C.

Each part runs as a child process; when one stops, or on Ctrl-C, all are
stopped. The demo prepares a seeded community, runs the server, enrols one
device of the chosen role (once; the enrolment is kept in its store under
./var), runs that device's agent and opens its kiosk window. Without a
display the kiosk runs on a virtual one (Xvfb) and the demo says how to see it.

    python -m tools.demo [--role supermarket|lift|square] [--port 8080] [--no-kiosk]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PYTHON = sys.executable
STOP_GRACE_S = 10


@dataclass
class Part:
    """One child process of the demo."""

    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    def start(self) -> None:
        print(f"[demo] starting {self.name}: {' '.join(self.argv)}", flush=True)
        self.process = subprocess.Popen(
            self.argv, cwd=ROOT, env=os.environ | self.env, start_new_session=True
        )

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if not self.running():
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        print(f"[demo] stopped {self.name}", flush=True)


def run_step(description: str, argv: list[str]) -> None:
    """A preparation step that must succeed before the parts start."""
    print(f"[demo] {description}", flush=True)
    result = subprocess.run(argv, cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit(f"[demo] {description} failed (exit {result.returncode})")


def wait_for(url: str, part: Part, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not part.running():
            raise SystemExit(f"[demo] {part.name} stopped while starting")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"[demo] {part.name} did not answer at {url} within {timeout_s:.0f} s")


def device_store(role: str) -> Path:
    return VAR / f"agent-{role}" / "store.db"


def kiosk_config(role: str) -> Path:
    return ROOT / "assets" / "config" / f"kiosk-{role}.toml"


def kiosk_location(role: str) -> str:
    """The location the role's example configuration names."""
    import tomllib

    return tomllib.loads(kiosk_config(role).read_text("utf-8"))["kiosk"]["location"]


def token_accepted(agent: list[str], base_url: str) -> bool:
    """Whether the device is enrolled with this server and its token is taken."""
    status = subprocess.run([*agent, "status", "--json"], cwd=ROOT, capture_output=True)
    try:
        identity = json.loads(status.stdout).get("identity") or {}
    except ValueError:
        return False
    if identity.get("server") != base_url:
        return False
    doctor = subprocess.run([*agent, "doctor", "--json"], cwd=ROOT, capture_output=True)
    try:
        checks = json.loads(doctor.stdout)["checks"]
    except (ValueError, KeyError, TypeError):
        return False
    return any(check.get("key") == "token" and check.get("ok") for check in checks)


def enrol_device(role: str, base_url: str, server_cli: list[str], data: list[str]) -> None:
    """Enrol the demo device once; its store keeps the identity across demo runs.

    A device enrolled with another server address, or whose token the server
    no longer takes (its database was made anew), is enrolled again.
    """
    agent = [PYTHON, "-m", "terminal_agent.cli", "--store", str(device_store(role))]
    if token_accepted(agent, base_url):
        print(f"[demo] the {role} device is already enrolled", flush=True)
        return
    location = kiosk_location(role)
    made = subprocess.run(
        [*server_cli, "device-code", *data, "--role", role, "--location", location],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        raise SystemExit(f"[demo] could not make an enrolment code: {made.stderr.strip()}")
    code = made.stdout.strip().splitlines()[-1].strip()
    name = f"demo-{role}"
    run_step(
        f"enrolling the {role} device at {location}",
        [*agent, "enroll", "--server", base_url, "--code", code, "--name", name, "--force"],
    )


def start_display() -> tuple[Part | None, dict[str, str]]:
    """A virtual display for the kiosk when this machine has none."""
    if os.environ.get("DISPLAY"):
        return None, {}
    display = ":87"
    xvfb = Part("display", ["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
    return xvfb, {"DISPLAY": display}


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--role", default="supermarket", choices=["supermarket", "lift", "square"])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--no-kiosk", action="store_true", help="server and agent only")
    args = parser.parse_args(argv)

    server_cli = [PYTHON, "-m", "server_sync.cli"]
    data = ["--data-dir", str(VAR)]
    base_url = f"http://127.0.0.1:{args.port}"
    if port_in_use(args.port):
        raise SystemExit(
            f"[demo] port {args.port} is already in use (an earlier demo still running?); "
            "stop that program, or run: make demo PORT=8081"
        )
    run_step("preparing the demo community in ./var", [*server_cli, "seed", "--demo", *data])

    server = Part("server", [*server_cli, "serve", *data, "--port", str(args.port)])
    agent = Part(
        "agent",
        [
            PYTHON,
            "-m",
            "terminal_agent.cli",
            "--store",
            str(device_store(args.role)),
            "run",
            "--pull-interval",
            "10",
        ],
    )
    kiosk = Part(
        "kiosk",
        [PYTHON, "-m", "kiosk.app", "--config", str(kiosk_config(args.role)), "--windowed"],
    )
    parts = [server]
    # Ctrl-C reaches us; the children run in their own sessions and are stopped below.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.start()
        wait_for(f"{base_url}/api/v1/health", server)
        enrol_device(args.role, base_url, server_cli, data)
        agent.start()
        parts.append(agent)
        display_note = ""
        if not args.no_kiosk:
            display, display_env = start_display()
            if display is not None:
                display.start()
                parts.insert(0, display)
                time.sleep(1.0)
                display_note = (
                    f"  the kiosk runs on the virtual display {display_env['DISPLAY']} "
                    "(no screen here); x11vnc or `xwd -root -display "
                    f"{display_env['DISPLAY']}` shows it\n"
                )
            kiosk.env = display_env
            kiosk.start()
            parts.append(kiosk)
        print(
            "\n[demo] ready. Look at:\n"
            f"  {base_url}/console          the processing centre's console "
            "(staff accounts from `ymt-server seed --demo`)\n"
            f"  {base_url}/r/{kiosk_location(args.role)}    the phone report page\n"
            f"  {base_url}/api/v1/health    the server's health\n"
            f"  {base_url}/docs             the sync API, to try by hand\n"
            f"  {VAR}/demo_cards            points card images the kiosk camera shows\n"
            f"  ymt-agent --store {device_store(args.role)} status    the device's sync\n"
            f"{display_note}"
            "[demo] Ctrl-C stops everything.\n",
            flush=True,
        )
        while all(part.running() for part in parts):
            time.sleep(0.5)
        stopped = next(part for part in parts if not part.running())
        print(f"[demo] {stopped.name} stopped (exit {stopped.process.returncode})", flush=True)
        return 1
    except KeyboardInterrupt:
        print("\n[demo] stopping", flush=True)
        return 0
    finally:
        for part in reversed(parts):
            part.stop()


if __name__ == "__main__":
    sys.exit(main())
