"""Reference data for a kiosk that has never synced: development, tests and benchmarks.

Builds a sync state (the shape ``Store.apply_state`` takes) from the seed files
in ``assets/seed/`` (categories, departments, locations, notices, rules,
catalogue) plus made-up points stars, accounts and cards signed with a key
made here. A real kiosk gets all of this
from the server through the agent. Run ``python -m kiosk.demo_data STORE`` to
fill a store for a kiosk started without a server.
"""

from __future__ import annotations

import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

from server_sync.protocol import cards

SEED = Path(__file__).resolve().parent.parent / "assets" / "seed"

STARS = [
    ("王*娟", 7, 55),
    ("李*兰", 7, 48),
    ("张*", 3, 40),
    ("刘*", 3, 35),
    ("陈*明", 5, 30),
    ("赵*", 5, 28),
    ("周*华", 12, 25),
    ("吴*", 12, 20),
    ("郑*芳", 9, 15),
    ("孙*", 9, 10),
]

ACCOUNTS = [
    ("1", "王小娟", "7-1203", 7, 1203, 120, 55, "2600000001"),
    ("2", "王建国", "7-1203", 7, 1203, 8, 8, "2600000002"),
    ("3", "李秀兰", "7-502", 7, 502, 60, 48, "2600000003"),
]


def _seed(name: str, table: str) -> list[dict]:
    with (SEED / name).open("rb") as handle:
        rows = list(tomllib.load(handle).get(table, []))
    return [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
        for row in rows
    ]


def _locations() -> list[dict]:
    with (SEED / "reference.toml").open("rb") as handle:
        buildings = tomllib.load(handle).get("buildings", {})
    rows = _seed("reference.toml", "location")
    extra = buildings.get("lifts_by_building", {})
    for number in range(int(buildings.get("first", 1)), int(buildings.get("last", 0)) + 1):
        rows.append(
            {
                "key": f"b{number:02d}",
                "name_zh": f"{number}栋",
                "name_en": f"Building {number}",
                "building": number,
            }
        )
        for lift in range(1, int(extra.get(str(number), buildings.get("lifts", 0))) + 1):
            rows.append(
                {
                    "key": f"b{number:02d}-lift-{lift}",
                    "name_zh": f"{number}栋{lift}号电梯",
                    "name_en": f"Building {number}, lift {lift}",
                    "building": number,
                }
            )
    return rows


def demo_state(
    card_key=None,
    *,
    role: str = "supermarket",
    location: str = "supermarket",
    short_code: str = "M01",
) -> tuple[dict, dict[str, str]]:
    """A full sync state and the signed card payloads by card number."""
    card_key = card_key or cards.generate_private_key()
    now = datetime.now(UTC)
    month = now.strftime("%Y-%m")
    payloads = {row[7]: cards.sign_card(card_key, row[7]) for row in ACCOUNTS}
    changes: dict[str, list[dict]] = {
        "categories": _seed("reference.toml", "category"),
        "departments": _seed("reference.toml", "department"),
        "locations": _locations(),
        "notices": _seed("notices.toml", "notice"),
        "config": [
            {"key": "property_phone", "value": "0851-8620-1001"},
            {"key": "hotline", "value": "0851-12345"},
            {"key": "community_name", "value": "易码通安置社区"},
        ],
        "tickets": [
            {
                "key": "L07-261201-0003",
                "category": "lift",
                "status": "accepted",
                "updated_at": "2026-12-02T10:30:00+08:00",
            },
        ],
        "rules": _seed("points_rules.toml", "rule"),
        "catalogue": _seed("catalogue.toml", "item"),
        "keys": [{"key": "card", "public_key": cards.public_key_text(card_key)}],
        "revoked_cards": [],
        "stars": [
            {
                "key": str(rank),
                "month": month,
                "account": str(rank),
                "name_masked": name,
                "building": building,
                "points": points,
            }
            for rank, (name, building, points) in enumerate(STARS, start=1)
        ],
    }
    if role == "supermarket":
        changes["cards"] = [{"key": row[7], "account": row[0]} for row in ACCOUNTS]
        changes["accounts"] = [
            {
                "key": key,
                "name": name,
                "household": household,
                "building": building,
                "unit": unit,
                "balance": balance,
                "month_earned": earned,
                "month": month,
            }
            for key, name, household, building, unit, balance, earned, _card in ACCOUNTS
        ]
    return {"cursor": "demo-1", "full": True, "changes": changes}, payloads


def fill_store(store, role: str = "supermarket", short_code: str = "M01", card_key=None):
    """Apply the demo state to a store; returns the card payloads by card number."""
    state, payloads = demo_state(card_key, role=role)
    store.apply_state(state)
    store.config_set("short_code", short_code)
    return payloads


def main(argv: list[str] | None = None) -> int:
    from terminal_agent.store import Store

    args = argv if argv is not None else sys.argv[1:]
    if len(args) not in (1, 2):
        print("usage: python -m kiosk.demo_data STORE [ROLE]", file=sys.stderr)
        return 2
    role = args[1] if len(args) == 2 else "supermarket"
    with Store(args[0]) as store:
        payloads = fill_store(store, role, {"lift": "L07", "square": "S01"}.get(role, "M01"))
    for card_no, payload in payloads.items():
        print(card_no, payload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
