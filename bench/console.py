"""Console page times over five years of reports.

    .venv/bin/python bench/console.py [--households 2900] [--years 5] [--reports 15000]
                                      [--runs 30]

Fills a fresh SQLite database in bench/_output/console with five years of
reports for a community of 2,900 households (about 15,000 reports, each with
its history of four to seven rows, the category mix drifting from job and
school questions towards environment, culture and training), seventy devices
with heartbeats and commands, and this fortnight's open reports, some overdue.
It then starts the real server (`ymt-server serve`, its own process) on a free
127.0.0.1 port, signs in as an administrator and times, over one keep-alive
connection, and again handed straight to the application without a socket:

- the baseline: GET /api/v1/health (HTTP and a bare database query, no page);
- the daily triage page, the monthly analysis (12 months), the fleet page,
  the weekly list and the analysis CSV.

It prints the median and p95 of each beside the baseline. Goal: each page
under 200 ms on SQLite on this machine.
"""

from __future__ import annotations

import argparse
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

from server_sync.app import create_app  # noqa: E402
from server_sync.db import Database  # noqa: E402
from server_sync.migrate import upgrade  # noqa: E402
from server_sync.models import (  # noqa: E402
    Category,
    Device,
    DeviceCommand,
    Location,
    Report,
    ReportHistory,
)
from server_sync.seed import seed_reference  # noqa: E402
from server_sync.settings import load_settings  # noqa: E402
from server_sync.staff import create_user  # noqa: E402

OUTPUT = ROOT / "bench" / "_output" / "console"
PAGES = (
    ("daily triage", "/console/reports/triage"),
    ("monthly analysis", "/console/analysis"),
    ("fleet", "/console/fleet"),
    ("weekly list", "/console/reports/weekly"),
    ("analysis CSV", "/console/analysis.csv"),
)
# Weight of each category at the start and at the end of the period: job and school
# questions fall, environment, culture and training rise.
DRIFT = {
    "housing_repair": (14, 12), "utilities": (10, 9), "lift_fault": (9, 9), "noise": (7, 7),
    "environment": (6, 14), "safety_hazard": (5, 5), "policy_question": (9, 6),
    "dispute_mediation": (5, 4), "job_referral": (15, 5), "school_places": (12, 5),
    "training": (4, 14), "supervision": (4, 4),
}  # fmt: skip


def fill(database: Database, households: int, years: int, total: int, rng: random.Random):
    now = datetime.now(UTC)
    start = now - timedelta(days=365 * years)
    with database.transaction() as session:
        seed_reference(session)
        create_user(session, "bench", "bench-password", role="admin")
        categories = {c.key: c for c in session.scalars(select(Category))}
        locations = [x.key for x in session.scalars(select(Location))]
    keys = [k for k in DRIFT if k in categories]

    reports, history = [], []
    history_id = 0
    span = (now - start).total_seconds()
    per_day: dict[str, int] = {}
    for report_id in range(1, total + 1):
        at = start + timedelta(seconds=span * report_id / total + rng.uniform(-3000, 3000))
        at = min(at, now - timedelta(minutes=5))
        progress = (at - start).total_seconds() / span
        weights = [a + (b - a) * progress for a, b in (DRIFT[k] for k in keys)]
        category = categories[rng.choices(keys, weights)[0]]
        deadline = at + timedelta(hours=category.deadline_hours)
        age_days = (now - at).days
        # Older reports are closed; the last fortnight's are at every stage.
        if age_days > 14:
            stage = 5 if rng.random() < 0.97 else rng.choice((2, 3, 4))
        else:
            stage = rng.choice((1, 1, 2, 2, 3, 4, 5))
        steps = ["submitted", "routed", "accepted", "resolved", "reviewed", "closed"][: stage + 1]
        hours_to_resolve = rng.lognormvariate(2.6, 0.8)
        resolved = at + timedelta(hours=hours_to_resolve) if stage >= 3 else None
        if resolved and resolved > now:
            resolved, steps = None, steps[:3]
        status = steps[-1]
        day = at.strftime("%y%m%d")
        per_day[day] = per_day.get(day, 0) + 1
        household = rng.randrange(households)
        reports.append({
            "id": report_id, "ticket": f"L{household % 30 + 1:02d}-{day}-{per_day[day]:04d}",
            "category": category.key, "location": rng.choice(locations),
            "building": household % 30 + 1, "unit": 100 + household % 97, "phrases": [],
            "text": "", "media": [], "contact_kind": "anonymous", "status": status,
            "department": category.department, "deadline_at": deadline, "county": False,
            "submitted_at": at, "received_at": at, "updated_at": resolved or at,
            "resolved_at": resolved, "closed_at": resolved + timedelta(days=2)
            if status == "closed" else None,
            "rating": rng.choice((3, 4, 4, 5, 5)) if status == "closed" else None,
            "rating_comment": "",
        })  # fmt: skip
        moment, previous = at, None
        for step in steps:
            history_id += 1
            if step == "resolved":
                moment = resolved
            history.append({
                "id": history_id, "report_id": report_id, "at": moment, "status_from": previous,
                "status_to": step, "actor": "system" if step == "routed" else "staff:bench",
                "department": category.department, "note": "",
            })  # fmt: skip
            previous = step
            moment = moment + timedelta(hours=1)

    with database.transaction() as session:
        for offset in range(0, len(reports), 2000):
            session.execute(insert(Report), reports[offset : offset + 2000])
        for offset in range(0, len(history), 5000):
            session.execute(insert(ReportHistory), history[offset : offset + 5000])
        for number in range(70):
            role = ("lift", "square", "supermarket")[0 if number < 60 else 1 if number < 68 else 2]
            seen = now - timedelta(minutes=rng.choice((1, 2, 3, 30)))
            device = Device(
                name=f"kiosk {number}", short_code=f"{role[0].upper()}{number:02d}", role=role,
                location=rng.choice(locations), token_hash=f"{number:064d}", last_seen_at=seen,
                health={"queue_depth": rng.randrange(5), "oldest_unsent_age_s": 30.0,
                        "versions": {"kiosk": "0.1.0"}, "printer": {"ok": True, "status": "ok"},
                        "camera": {"ok": True, "status": "ok"}},
            )  # fmt: skip
            session.add(device)
            session.flush()
            for _ in range(8):
                session.add(DeviceCommand(device_id=device.id, name="sync_now", status="done",
                                          ok=True, output="synced"))  # fmt: skip
    return len(reports), len(history)


def serve(data_dir: Path, url: str) -> tuple[subprocess.Popen, str]:
    """`ymt-server serve` in its own process, as in production; returns it and its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "server_sync.cli", "serve", "--data-dir", str(data_dir),
         "--database", url, "--port", str(port), "--log-level", "WARNING"],
        stdout=subprocess.DEVNULL, stderr=open(data_dir / "server.log", "w"), cwd=ROOT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the server did not start; see {data_dir / 'server.log'}")
        time.sleep(0.1)


def timed(client: httpx.Client, path: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        begin = time.perf_counter()
        response = client.get(path, follow_redirects=False)
        times.append((time.perf_counter() - begin) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=2900)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--reports", type=int, default=15000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    shutil.rmtree(OUTPUT, ignore_errors=True)
    OUTPUT.mkdir(parents=True)
    url = f"sqlite:///{OUTPUT / 'server.db'}"
    database = Database(url)
    upgrade(database)
    begin = time.perf_counter()
    reports, history = fill(database, args.households, args.years, args.reports, random.Random(7))
    print(f"filled {reports} reports with {history} history rows in "
          f"{time.perf_counter() - begin:.1f} s")  # fmt: skip

    settings = load_settings(environ={}, data_dir=OUTPUT, database_url=url, migrate_on_start=False)
    app = create_app(settings, database)
    server, base = serve(OUTPUT, url)
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            over_http = measure(client, args.runs)
    finally:
        server.terminate()
        server.wait(15)
    # The same requests handed to the application directly, without a socket: what the
    # pages themselves cost, apart from loopback TCP.
    with TestClient(app) as client:
        in_process = measure(client, args.runs)

    print(f"{'request':44} {'HTTP median':>11} {'p95':>7} {'in-process':>11} {'p95':>7}  < 200 ms")
    for (name, http_times), (_, asgi_times) in zip(over_http, in_process, strict=True):
        p95 = statistics.quantiles(http_times, n=20)[-1]
        verdict = "" if name.startswith("baseline") else ("ok" if p95 < 200 else "OVER")
        print(
            f"{name:44} {statistics.median(http_times):11.1f} {p95:7.1f} "
            f"{statistics.median(asgi_times):11.1f} "
            f"{statistics.quantiles(asgi_times, n=20)[-1]:7.1f}  {verdict}"
        )


def measure(client, runs: int) -> list[tuple[str, list[float]]]:
    form = client.get("/console/login").text
    token = form.split('name="csrf" value="')[1].split('"')[0]
    signed_in = client.post(
        "/console/login",
        data={"csrf": token, "username": "bench", "password": "bench-password"},
        follow_redirects=False,
    )
    if signed_in.status_code != 303:
        raise SystemExit("could not sign in")
    rows = [("baseline: GET /api/v1/health", timed(client, "/api/v1/health", runs))]
    for name, path in PAGES:
        timed(client, path, 2)  # warm the caches once
        rows.append((f"{name}: {path}", timed(client, path, runs)))
    return rows


if __name__ == "__main__":
    main()
