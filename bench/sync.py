"""Drain a device backlog to a local server: events per second and the agent's peak memory.

    .venv/bin/python bench/sync.py [--events 50000] [--naive-events 2000]

Builds a store holding N report events (1% with a 200 KB photo), starts the
real server on 127.0.0.1 with a fresh SQLite file, and runs `ymt-agent flush`
in its own process, which reports its own peak RSS (VmHWM). The baseline, in the same
run, is the same agent pushing one event per request (--batch-size 1) to a
second fresh server, over a smaller backlog of the same mix.
Goals: at least 2,000 events/s and under 100 MB for the agent.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "terminal_agent")]

from agent_harness import ServerProcess, device_code, seed_reference  # noqa: E402

from terminal_agent import cli  # noqa: E402
from terminal_agent.store import Store  # noqa: E402


def build_backlog(path: Path, server: ServerProcess, events: int, photo_every: int, seed: int):
    code = device_code(server)
    assert (
        cli.main(
            ["--store", str(path), "enroll", "--server", server.url, "--code", code, "--json"]
        )
        == 0
    )
    rng = random.Random(seed)
    photo = path.parent / "photo.jpg"
    with Store(path) as store, store.transaction():
        for n in range(events):
            payload = {
                "ticket": store.next_ticket(),
                "category": "lift_fault" if n % 2 else "noise",
                "location": "b07-lift-1",
                "phrases": ["按钮失灵", "门关不上"],
                "text": f"第 {n} 号报告：电梯按钮失灵，请尽快维修。",
            }
            media = ()
            if photo_every and n % photo_every == 0:
                photo.write_bytes(b"\xff\xd8\xff\xe0" + rng.randbytes(200 * 1024 - 4))
                media = [(photo, "photo")]
            store.record_event("report.submitted", payload, media=media)


def flush_in_child(store: Path, batch_size: int) -> dict:
    """Run the agent's flush in its own process; it reports its time and peak memory."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(store), "--batch-size", str(batch_size)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise SystemExit(f"flush failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def peak_rss_kb() -> int:
    """This process's peak resident memory since exec (VmHWM).

    getrusage's ru_maxrss would do, but Linux carries it across exec, so a child
    started from a big parent would report the parent's size.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(store: Path, batch_size: int) -> None:
    from terminal_agent.sync import Agent

    opened = Store(store)
    agent = Agent(opened, max_events=batch_size)
    started = time.perf_counter()
    cpu_started = time.process_time()
    report = agent.push_all()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    agent.close()
    left = opened.counts()["pending"]
    opened.close()
    peak_kb = peak_rss_kb()
    print(
        json.dumps(
            {
                "sent": report.sent,
                "accepted": report.accepted,
                "left": left,
                "seconds": elapsed,
                "cpu_seconds": cpu,
                "peak_mb": peak_kb / 1024,
            }
        )
    )
    if left:
        sys.exit(1)


def run(events: int, naive_events: int, photo_every: int) -> None:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="ymt-bench-sync-") as tmp:
        tmp = Path(tmp)
        results = {}
        for label, count, batch in (
            ("batched (500)", events, 500),
            ("naive (1 per request)", naive_events, 1),
        ):
            server = ServerProcess(tmp / f"server-{batch}").start()
            try:
                seed_reference(server)
                store = tmp / f"device-{batch}" / "store.db"
                store.parent.mkdir(parents=True)
                t0 = time.perf_counter()
                build_backlog(store, server, count, photo_every, seed=batch)
                print(
                    f"{label}: backlog of {count} events built in "
                    f"{time.perf_counter() - t0:.1f} s",
                    flush=True,
                )
                results[label] = flush_in_child(store, batch)
            finally:
                server.stop()
    load_after = os.getloadavg()
    print()
    print(
        f"{'push':<24}{'events':>8}{'seconds':>10}{'events/s':>10}{'peak MB':>10}"
        f"{'agent CPU s':>13}{'events/CPU s':>14}"
    )
    for label, figures in results.items():
        rate = figures["sent"] / figures["seconds"]
        per_cpu = figures["sent"] / max(figures["cpu_seconds"], 1e-9)
        print(
            f"{label:<24}{figures['sent']:>8}{figures['seconds']:>10.1f}{rate:>10.0f}"
            f"{figures['peak_mb']:>10.1f}{figures['cpu_seconds']:>13.2f}{per_cpu:>14.0f}"
        )
    print(
        "events/s is end to end (agent and server on this machine); events/CPU s counts only "
        "the agent process's CPU time: its capacity when the server keeps up"
    )
    print(f"\nphotos: 1 in {photo_every} events, 200 KB each; goals: >= 2000 events/s, < 100 MB")
    print(
        f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f} "
        f"on {os.cpu_count()} cores (other work on the machine makes figures noisy)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--naive-events", type=int, default=2_000)
    parser.add_argument("--photo-every", type=int, default=100)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--batch-size", type=int, default=500, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.batch_size)
    else:
        run(args.events, args.naive_events, args.photo_every)


if __name__ == "__main__":
    main()
