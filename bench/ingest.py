"""Event ingest over loopback: events per second and batch latency by batch size.

    .venv/bin/python bench/ingest.py [--events 20000] [--sizes 1,50,500]
                                     [--sqlite-synchronous FULL|NORMAL]
    .venv/bin/python bench/ingest.py --database postgresql+psycopg://USER@HOST/DB
    .venv/bin/python bench/ingest.py --url http://127.0.0.1:8080 --token TOKEN

Without --url it starts its own server (`ymt-server serve`, the real
migrations and seed; SQLite in bench/_output/ingest, or the empty database
named by --database) on a free 127.0.0.1 port and enrols a device. It pushes
the same number of new events (80 % reports, 20 % home-visit requests) in
batches of each size, one request at a time over one keep-alive connection,
and prints events per second and the p50/p99 latency of
a batch, side by side. The baseline, measured in the same run, is an empty
batch: the cost of HTTP, JSON and the token check with nothing to apply.

Goal: at least 3,000 events/s with batches of 500 on SQLite.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from server_sync.protocol import new_event_id  # noqa: E402

OUTPUT = ROOT / "bench" / "_output" / "ingest"
CATEGORIES = ["lift_fault", "housing_repair", "utilities", "environment", "noise"]
_sequence = itertools.count(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(synchronous: str, database: str | None) -> tuple[subprocess.Popen, str, str]:
    """A fresh seeded server; returns the process, its URL and a device token."""
    shutil.rmtree(OUTPUT, ignore_errors=True)
    OUTPUT.mkdir(parents=True)
    cli = [sys.executable, "-m", "server_sync.cli"]
    common = ["--data-dir", str(OUTPUT), "--log-level", "WARNING"]
    if database:
        common += ["--database", database]
    env = os.environ | {"YMT_SQLITE_SYNCHRONOUS": synchronous}
    subprocess.run([*cli, "seed", *common], check=True, capture_output=True, env=env)
    made = subprocess.run(
        [*cli, "device-code", "--role", "lift", "--location", "b07-lift-1", *common],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    code = made.stdout.strip().splitlines()[-1]
    port = free_port()
    server = subprocess.Popen(
        [*cli, "serve", *common, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=open(OUTPUT / "server.log", "w"),
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the server did not start; see {OUTPUT / 'server.log'}")
        time.sleep(0.2)
    enrolled = httpx.post(f"{url}/api/v1/devices/enroll", json={"code": code, "name": "bench"})
    enrolled.raise_for_status()
    return server, url, enrolled.json()["token"]


def make_event(short_code: str, day: str) -> dict:
    number = next(_sequence)
    now = datetime.now(UTC).isoformat()
    if number % 5 == 0:
        payload = {
            "service": "fetch_medicine",
            "location": "b07-lift-1",
            "building": 7,
            "unit": 100 + number % 1800,
        }
        kind = "service.requested"
    else:
        payload = {
            "ticket": f"{short_code}-{day}-{number:06d}",
            "category": CATEGORIES[number % len(CATEGORIES)],
            "location": "b07-lift-1",
            "phrases": ["电梯不动"],
            "text": "电梯停在三楼不动了，请尽快来修",
        }
        kind = "report.submitted"
    return {"id": str(new_event_id()), "type": kind, "occurred_at": now, "payload": payload}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run(client: httpx.Client, bodies: list[bytes], events_each: int) -> dict:
    """Push each body in turn; latency of every request and the overall rate."""
    latencies = []
    accepted = 0
    started = time.perf_counter()
    for body in bodies:
        t0 = time.perf_counter()
        response = client.post("/api/v1/sync/events", content=body)
        latencies.append(time.perf_counter() - t0)
        response.raise_for_status()
        accepted += sum(r["status"] == "accepted" for r in response.json()["results"])
    elapsed = time.perf_counter() - started
    events = events_each * len(bodies)
    return {
        "requests": len(bodies),
        "events": events,
        "accepted": accepted,
        "seconds": elapsed,
        "events_per_s": events / elapsed if events else 0.0,
        "requests_per_s": len(bodies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--sizes", default="1,50,500")
    parser.add_argument("--url", help="a running server instead of starting one")
    parser.add_argument("--token", help="a device token for --url")
    parser.add_argument("--short-code", default=None, help="ticket prefix (default random)")
    parser.add_argument("--sqlite-synchronous", default="FULL", choices=["FULL", "NORMAL"])
    parser.add_argument(
        "--database", help="database URL for the server it starts (default SQLite)"
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    server = None
    if args.url:
        if not args.token:
            parser.error("--url needs --token")
        url, token = args.url.rstrip("/"), args.token
    else:
        server, url, token = start_server(args.sqlite_synchronous, args.database)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    # Tickets only need to be unique: a random prefix keeps runs against one server apart.
    short_code = args.short_code or "X" + secrets.token_hex(3).upper()
    day = datetime.now(UTC).strftime("%y%m%d")
    load_before = os.getloadavg()
    results = {}
    try:
        with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
            empty = [json.dumps({"events": []}).encode()] * 1000
            results["baseline"] = run(client, empty, 0)
            for size in sizes:
                batches = args.events // size
                bodies = [
                    json.dumps(
                        {"events": [make_event(short_code, day) for _ in range(size)]}
                    ).encode()
                    for _ in range(batches)
                ]
                results[size] = run(client, bodies, size)
                print(
                    f"  batches of {size}: done in {results[size]['seconds']:.1f} s",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
    load_after = os.getloadavg()

    if server is None:
        where = "given server"
    elif args.database:
        where = f"own server, {args.database.split(':')[0]}"
    else:
        where = f"own server, SQLite synchronous={args.sqlite_synchronous}"
    print(f"\nEvent ingest on {url} ({where})")
    print(
        f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
        f"on {os.cpu_count()} CPUs\n"
    )
    print(
        f"{'batch':>10} {'requests':>9} {'events':>8} {'accepted':>9} {'events/s':>10} "
        f"{'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8}"
    )
    for name, r in results.items():
        label = "empty" if name == "baseline" else str(name)
        print(
            f"{label:>10} {r['requests']:>9} {r['events']:>8} {r['accepted']:>9} "
            f"{r['events_per_s']:>10.0f} {r['requests_per_s']:>11.1f} "
            f"{r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f}"
        )
    goal = results.get(500)
    if goal is not None:
        verdict = "meets" if goal["events_per_s"] >= 3000 else "misses"
        print(
            f"\nbatches of 500: {goal['events_per_s']:.0f} events/s {verdict} the goal "
            "of 3,000 events/s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
