"""`make demo`: the whole system on its defaults, in ./var, until Ctrl-C.

Each part runs as a child process; when one stops, or on Ctrl-C, all are
stopped. At this stage the demo prepares a seeded community and runs the
server; the device parts join the `PARTS` list as they are built.

    python -m tools.demo [--role supermarket|lift|square] [--port 8080]
"""

from __future__ import annotations

import argparse
import os
import signal
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


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--role", default="supermarket", choices=["supermarket", "lift", "square"])
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)

    server_cli = [PYTHON, "-m", "server_sync.cli"]
    data = ["--data-dir", str(VAR)]
    base_url = f"http://127.0.0.1:{args.port}"
    run_step("preparing the demo community in ./var", [*server_cli, "seed", "--demo", *data])

    parts = [
        Part("server", [*server_cli, "serve", *data, "--port", str(args.port)]),
    ]
    # Ctrl-C reaches us; the children run in their own sessions and are stopped below.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        for part in parts:
            part.start()
        wait_for(f"{base_url}/api/v1/health", parts[0])
        print(
            "\n[demo] ready. Look at:\n"
            f"  {base_url}/api/v1/health    the server's health\n"
            f"  {base_url}/docs             the sync API, to try by hand\n"
            f"  {base_url}/api/v1/tickets/<ticket>  a report's public status\n"
            f"  {VAR}/demo_cards            points card images of the demo residents\n"
            f"  (kiosk role for later parts of the demo: {args.role})\n"
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
