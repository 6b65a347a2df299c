"""The full-size fault-injection run: 10,000 events through a faulty network, exactly once.

    .venv/bin/python bench/faults.py [--events 10000] [--faults 500] [--kills 10]

A real agent process and a real server process on 127.0.0.1 with the
fault-injecting proxy of tests/terminal_agent/agent_harness.py between them:
connections dropped before and after the request, answers lost after the
server committed, delays past the timeout, 500 and 503 with Retry-After, the
server restarted (SIGTERM and SIGKILL) and the agent SIGKILLed during pushes.
Prints what was injected and checks that every event recorded on the device is
on the server exactly once, with every photo. The baseline beside it is the
same events pushed through the proxy with no faults, in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "terminal_agent")]

from agent_harness import fault_run  # noqa: E402


def check(outcome: dict) -> list[str]:
    """What is wrong with the outcome; empty when every event arrived exactly once."""
    problems = []
    device = outcome["device_events"]
    statuses = Counter(row["status"] for row in device)
    if set(statuses) - {"accepted", "duplicate"}:
        problems.append(f"events not done on the device: {dict(statuses)}")
    on_server = Counter(outcome["server_event_ids"])
    device_ids = {row["id"] for row in device}
    if set(on_server) != device_ids:
        problems.append(
            f"{len(device_ids - set(on_server))} device events missing on the server, "
            f"{len(set(on_server) - device_ids)} unknown events on the server"
        )
    if on_server and max(on_server.values()) > 1:
        problems.append("an event is on the server more than once")
    tickets = sorted(json.loads(row["payload"])["ticket"] for row in device)
    if sorted(outcome["server_tickets"]) != tickets:
        problems.append("the server's reports do not match the device's tickets one to one")
    photos = {sha for row in device for sha in json.loads(row["media"])}
    if not photos <= outcome["server_media_files"]:
        problems.append(f"{len(photos - outcome['server_media_files'])} photos missing")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--faults", type=int, default=500)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--photo-every", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    rows = []
    for label, faults, kills in (("no faults", 0, 0), ("with faults", args.faults, args.kills)):
        with tempfile.TemporaryDirectory(prefix="ymt-bench-faults-") as tmp:
            started = time.monotonic()
            outcome = fault_run(
                Path(tmp),
                events=args.events,
                photo_every=args.photo_every,
                fault_target=faults,
                fault_rate=0.5 if faults else 0.0,
                agent_kills=kills,
                batch_size=args.batch_size,
                seed=args.seed,
                deadline_s=3600,
                bulk_first_half=True,
                restart_server=bool(faults),
                say=lambda message, label=label: print(f"[{label}] {message}", flush=True),
            )
            elapsed = time.monotonic() - started
        problems = check(outcome)
        rows.append((label, outcome, elapsed, problems))
        print(f"[{label}] injected: {json.dumps(outcome['faults'], sort_keys=True)}")
        print(f"[{label}] requests seen by the proxy: {json.dumps(outcome['requests'])}")

    print()
    print(
        f"{'run':<14}{'events':>8}{'faults':>8}{'agent kills':>13}{'server restarts':>17}"
        f"{'drain s':>9}{'total s':>9}  result"
    )
    failed = False
    for label, outcome, elapsed, problems in rows:
        failed |= bool(problems)
        print(
            f"{label:<14}{len(outcome['device_events']):>8}{outcome['total_faults']:>8}"
            f"{outcome['agent_kills']:>13}{outcome['server_restarts']:>17}"
            f"{outcome['drain_s']:>9.1f}{elapsed:>9.1f}  "
            + ("every event on the server exactly once" if not problems else "; ".join(problems))
        )
    print(f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
