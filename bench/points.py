"""Points at community scale: card lookup, a redemption and the month's stars.

    .venv/bin/python bench/points.py [--residents 12800] [--years 3] [--runs 200] [--keep]

Builds a server database (SQLite, the real migrations) for 12,800 residents in
about 2,900 households with three years of ledger entries (about a million),
and a supermarket device store holding the same accounts and cards as a pull
leaves them. Prints, beside a plain SUM over the ledger measured in the same
run, the time for:

- a card lookup with balance: on the device (`PointsDesk.lookup`, signature
  check, revocation, account, balance as pulled plus this device's events
  since) and on the server (the card check and the stored balance);
- a redemption: on the device (checked and recorded with synchronous=FULL)
  and on the server (`apply_redemption` committed);
- the month's points stars from the monthly aggregate, and the same ten
  worked out from the ledger itself.

Goals: card lookup under 5 ms, stars under 50 ms. The build takes a minute or
two; --keep reuses the database files in bench/_output/points.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text  # noqa: E402

from kiosk.points import PointsDesk  # noqa: E402
from server_sync.db import Database  # noqa: E402
from server_sync.migrate import upgrade  # noqa: E402
from server_sync.models.points import LedgerEntry, PointsCard  # noqa: E402
from server_sync.points import ledger  # noqa: E402
from server_sync.points.cards import card_payload  # noqa: E402
from server_sync.points.keys import card_public_key  # noqa: E402
from server_sync.points.seed import seed_points  # noqa: E402
from server_sync.protocol import PointsRedeemed, new_event_id  # noqa: E402
from server_sync.protocol.cards import check_card  # noqa: E402
from server_sync.protocol.points import month_of  # noqa: E402
from terminal_agent.store import Store  # noqa: E402

OUT = Path(__file__).resolve().parent / "_output" / "points"
AWARDS = [("patrol", 10), ("stairwell_clearing", 5), ("dispute_mediation", 20),
          ("waste_sorting_promotion", 10), ("school_pickup_help", 5), ("elderly_visit", 10),
          ("volunteer_service", 10), ("green_care", 5)]  # fmt: skip
DEDUCTIONS = [("littering", -5), ("illegal_parking", -5), ("blocking_stairwell", -10)]
GOODS = [("detergent", 5), ("dish_soap", 8), ("toothpaste", 6), ("rice_5kg", 30),
         ("cooking_oil_5l", 25), ("soap", 3)]  # fmt: skip


def card_no(account_id: int) -> str:
    return f"{3_000_000_000 + account_id}"


def build_server(path: Path, residents: int, years: int, rng: random.Random) -> int:
    """The migrated server database with the community and its ledger; returns entries."""
    database = Database(f"sqlite:///{path}", sqlite_synchronous="NORMAL")
    upgrade(database)
    with database.transaction() as session:
        seed_points(session)
    database.dispose()

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    households = max(1, residents * 2900 // 12800)
    stamp = "2026-01-01 00:00:00.000000"
    conn.executemany(
        "INSERT INTO households (id, building, unit, created_at) VALUES (?, ?, ?, ?)",
        [(h, 1 + (h - 1) // 60, 101 + (h - 1) % 60, stamp) for h in range(1, households + 1)],
    )
    household_of = {a: 1 + (a - 1) % households for a in range(1, residents + 1)}
    conn.executemany(
        "INSERT INTO points_accounts (id, household_id, name, balance, created_at)"
        " VALUES (?, ?, ?, 0, ?)",
        [(a, household_of[a], f"居民{a:05d}", stamp) for a in range(1, residents + 1)],
    )
    conn.executemany(
        "INSERT INTO points_cards (card_no, account_id, status, issued_at, revoke_reason)"
        " VALUES (?, ?, 'active', ?, '')",
        [(card_no(a), a, stamp) for a in range(1, residents + 1)],
    )

    now = datetime.now(UTC)
    start = now - timedelta(days=365 * years)
    span = (now - start).total_seconds()
    per_resident = 78 * years // 3
    balances: dict[int, int] = defaultdict(int)
    months: dict[tuple[int, str], int] = defaultdict(int)
    rows = []
    entry_id = 0
    for account in range(1, residents + 1):
        moments = sorted(rng.random() * span for _ in range(rng.randint(1, 2 * per_resident)))
        for offset in moments:
            when = start + timedelta(seconds=offset)
            month = month_of(when)
            roll = rng.random()
            items = None
            if roll < 0.80 or balances[account] < 30:
                kind, (rule, points) = "award", rng.choice(AWARDS)
            elif roll < 0.86:
                kind, (rule, points) = "deduction", rng.choice(DEDUCTIONS)
            else:
                kind, rule = "redemption", None
                item, price = rng.choice(GOODS)
                items = f'[{{"item":"{item}","quantity":1,"points":{price}}}]'
                points = -price
            balances[account] += points
            if kind != "redemption":
                months[account, month] += points
            entry_id += 1
            rows.append((
                entry_id, f"{entry_id:08x}-0000-7000-8000-{account:012x}", account,
                household_of[account], kind, points, rule, items, card_no(account),
                stamp_of(when), month, stamp_of(when),
                "", "", balances[account], 0,
            ))  # fmt: skip
            if len(rows) >= 50_000:
                _insert_entries(conn, rows)
                rows = []
    _insert_entries(conn, rows)
    conn.executemany(
        "UPDATE points_accounts SET balance = ? WHERE id = ?",
        [(balance, account) for account, balance in balances.items()],
    )
    conn.executemany(
        "INSERT INTO points_months (account_id, month, earned) VALUES (?, ?, ?)",
        [(account, month, earned) for (account, month), earned in months.items()],
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    return entry_id


def stamp_of(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S.%f")


def _insert_entries(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    conn.executemany(
        "INSERT INTO ledger_entries (id, event_id, account_id, household_id, kind, points,"
        " rule_key, items, card_no, occurred_at, month, recorded_at, staff, note,"
        " balance_after, overdraft) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )


def build_store(path: Path, database: Database) -> Store:
    """A supermarket store after a full pull of the server's points reference data."""
    from server_sync.state import points as producers

    store = Store(path)
    store.config_set("short_code", "M01")
    with database.read_session() as session:
        device = type("Device", (), {"id": 1, "role": "supermarket"})()
        changes = {
            kind: list(getattr(producers, kind)(session, device, None))
            for kind in ("rules", "catalogue", "keys", "revoked_cards", "cards", "accounts")
        }
    store.apply_state({"cursor": "1", "full": True, "changes": changes})
    return store


def timed(fn, runs: int) -> tuple[float, float]:
    fn()
    times = []
    for _ in range(runs):
        begin = time.perf_counter()
        fn()
        times.append((time.perf_counter() - begin) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=12_800)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="reuse an earlier build")
    args = parser.parse_args()
    rng = random.Random(20261203)
    OUT.mkdir(parents=True, exist_ok=True)
    server_path, store_path = OUT / "server.db", OUT / "store.db"

    if not (args.keep and server_path.exists()):
        for path in OUT.glob("*.db*"):
            path.unlink()
        began = time.perf_counter()
        entries = build_server(server_path, args.residents, args.years, rng)
        print(f"built {entries:,} ledger entries for {args.residents:,} residents "
              f"in {time.perf_counter() - began:.0f} s")  # fmt: skip
    database = Database(f"sqlite:///{server_path}")
    if not (args.keep and store_path.exists()):
        for path in OUT.glob("store*"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        build_store(store_path, database).close()

    with database.read_session() as session:
        entries = session.scalar(select(func.count(LedgerEntry.id)))
        public_key = card_public_key(session)
        payloads = [card_payload(session, card_no(a)) for a in range(1, 201)]
    month = month_of(datetime.now(UTC))
    print(f"{entries:,} ledger entries, {args.residents:,} accounts, month {month}; "
          f"median / p95 of {args.runs} runs, ms")  # fmt: skip
    results: list[tuple[str, float, float, str]] = []
    picks = iter(range(10**9))

    def row(name, fn, goal=""):
        median, p95 = timed(fn, args.runs)
        results.append((name, median, p95, goal))

    # Baselines: the plain sums over the ledger.
    with database.read_session() as session:

        def one_account_sum():
            account = 1 + next(picks) % args.residents
            session.execute(
                text("SELECT SUM(points) FROM ledger_entries WHERE account_id = :a"),
                {"a": account},
            ).scalar()

        row("baseline: SUM(points) of one account's entries", one_account_sum)
        runs, args.runs = args.runs, max(3, args.runs // 40)
        row(
            "baseline: SUM(points) over the whole ledger",
            lambda: session.execute(text("SELECT SUM(points) FROM ledger_entries")).scalar(),
        )
        row(
            "baseline: month's top ten by SUM over the ledger",
            lambda: session.execute(
                text(
                    "SELECT account_id, SUM(points) AS earned FROM ledger_entries"
                    " WHERE month = :m AND kind IN ('award', 'deduction')"
                    " GROUP BY account_id ORDER BY earned DESC, account_id LIMIT 10"
                ),
                {"m": month},
            ).all(),
        )
        args.runs = runs

        def server_lookup():
            payload = payloads[next(picks) % len(payloads)]
            check = check_card(payload, public_key)
            card = session.get(PointsCard, check.card_no)
            assert card.status == "active" and card.account.balance is not None
            session.expire_all()

        row("server: card check + stored balance", server_lookup, "< 5")
        row("server: month's points stars (monthly aggregate)",
            lambda: ledger.month_stars(session, month), "< 50")  # fmt: skip

    def server_redeem():
        payload = payloads[next(picks) % len(payloads)]
        with database.transaction() as session:
            ledger.apply_redemption(
                session,
                event_id=str(new_event_id()),
                occurred_at=datetime.now(UTC),
                payload=PointsRedeemed(
                    card=payload,
                    receipt="M01-261203-0001",
                    items=[{"item": "soap", "quantity": 1, "points": 3}],
                    total=3,
                ),
            )

    runs, args.runs = args.runs, max(10, args.runs // 4)
    row("server: redemption applied and committed", server_redeem)
    args.runs = runs

    store = Store(store_path)
    desk = PointsDesk(store, staff="bench")
    for index in range(30):  # the day's entries not yet reflected by a pull
        desk.award("patrol", payloads[index % 10])
    row(
        "device: card lookup with balance (30 local events)",
        lambda: desk.lookup(payloads[next(picks) % len(payloads)]),
        "< 5",
    )
    runs, args.runs = args.runs, max(10, args.runs // 4)
    row(
        "device: redemption checked and recorded",
        lambda: desk.redeem(payloads[100 + next(picks) % 100], [("soap", 1)]),
    )
    args.runs = runs
    store.close()
    database.dispose()

    width = max(len(name) for name, *_ in results)
    print(f"{'':{width}}  {'median':>8}  {'p95':>8}  goal")
    for name, median, p95, goal in results:
        print(f"{name:{width}}  {median:8.3f}  {p95:8.3f}  {goal}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
