"""Reference data for a kiosk that has never synced: development, tests and benchmarks.

Builds a sync state (the shape ``Store.apply_state`` takes) from the seed files
in ``assets/seed/`` plus the twelve report categories, a few locations,
notices, points stars and signed demo cards. A real kiosk gets all of this
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

# key, name_zh, name_en, department, icon, phrases_zh, phrases_en
CATEGORIES = [
    (
        "housing_repair",
        "房屋维修",
        "Housing repair",
        "property",
        "housing_repair",
        ["墙面渗水", "门窗坏了", "天花板掉灰", "楼道灯不亮"],
        [
            "Water seeps through the wall",
            "A door or window is broken",
            "Plaster falls from the ceiling",
            "The stairwell light is out",
        ],
    ),
    (
        "utilities",
        "水电气故障",
        "Water, power, gas",
        "property",
        "utilities",
        ["停水了", "停电了", "闻到煤气味", "水管漏水"],
        ["No water", "No power", "I smell gas", "A water pipe leaks"],
    ),
    (
        "lift",
        "电梯故障",
        "Lift fault",
        "property",
        "lift",
        ["电梯不动了", "电梯门关不上", "有人被困", "电梯有异响"],
        [
            "The lift does not move",
            "The lift door does not close",
            "Someone is stuck",
            "The lift makes strange noises",
        ],
    ),
    (
        "noise",
        "噪音扰民",
        "Noise",
        "community",
        "noise",
        ["晚上装修", "广场舞声音太大", "狗一直叫"],
        ["Building work at night", "Square dancing is too loud", "A dog keeps barking"],
    ),
    (
        "environment",
        "环境卫生",
        "Environment",
        "property",
        "environment",
        ["垃圾没人清", "楼道有杂物", "有污水"],
        ["Rubbish is not collected", "Things block the stairwell", "Dirty water on the ground"],
    ),
    (
        "safety",
        "安全隐患",
        "Safety hazard",
        "property",
        "safety",
        ["消防通道被堵", "电线乱拉", "有东西要掉下来"],
        ["The fire exit is blocked", "Loose electric wires", "Something may fall down"],
    ),
    (
        "policy",
        "政策咨询",
        "Policy question",
        "community",
        "policy",
        ["低保怎么申请", "医保怎么报销", "搬迁补助"],
        ["How to apply for basic allowance", "How medical insurance pays", "Resettlement subsidy"],
    ),
    (
        "dispute",
        "矛盾调解",
        "Dispute mediation",
        "community",
        "dispute",
        ["邻里纠纷", "家庭矛盾", "占用公共地方"],
        ["A quarrel with neighbours", "A family quarrel", "Someone takes shared space"],
    ),
    (
        "jobs",
        "就业推荐",
        "Job referral",
        "employment",
        "jobs",
        ["想找工作", "想学技术", "想做零工"],
        ["I want a job", "I want to learn a trade", "I want casual work"],
    ),
    (
        "school",
        "子女入学",
        "School places",
        "education",
        "school",
        ["孩子上小学", "孩子上初中", "转学手续"],
        ["Primary school place", "Middle school place", "Changing schools"],
    ),
    (
        "training",
        "文化技能培训",
        "Culture and skills training",
        "employment",
        "training",
        ["电脑培训", "手工培训", "普通话学习"],
        ["Computer class", "Handicraft class", "Learning Mandarin"],
    ),
    (
        "supervision",
        "监督投诉",
        "Supervision and complaints",
        "office",
        "supervision",
        ["对服务不满意", "办事太慢", "表扬工作人员"],
        ["Unhappy with a service", "Things take too long", "Praise a member of staff"],
    ),
]

NOTICES = [
    (
        "n1",
        "news",
        "本月积分超市新到大米和食用油",
        "Rice and cooking oil in the points shop",
        "本月积分超市新到五公斤装大米和五升食用油，欢迎用积分兑换。",
        "5 kg bags of rice and 5 litre bottles of oil are in the points shop this month.",
    ),
    (
        "n2",
        "policy",
        "医保缴费提醒",
        "Medical insurance reminder",
        "请在本月底前到社区服务中心缴纳明年的医保费用。",
        "Please pay next year's medical insurance at the service centre by the end of the month.",
    ),
    (
        "n3",
        "news",
        "周六上午免费量血压",
        "Free blood pressure check on Saturday",
        "周六上午九点到十一点，社区卫生室免费量血压。",
        "On Saturday 9 to 11 am the community clinic checks blood pressure for free.",
    ),
]

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
        return list(tomllib.load(handle).get(table, []))


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
        "categories": [
            {
                "key": k,
                "name_zh": zh,
                "name_en": en,
                "department": dept,
                "deadline_hours": 24,
                "icon": icon,
                "phrases_zh": pzh,
                "phrases_en": pen,
            }
            for k, zh, en, dept, icon, pzh, pen in CATEGORIES
        ],
        "departments": [
            {
                "key": "property",
                "name_zh": "物业办公室",
                "name_en": "Property office",
                "phone": "0851-8888-1234",
            },
        ],
        "locations": [
            {
                "key": "b07-lift-1",
                "name_zh": "7栋1号电梯",
                "name_en": "Building 7, lift 1",
                "building": 7,
            },
            {"key": "square", "name_zh": "中心广场", "name_en": "Market square", "building": None},
            {
                "key": "supermarket",
                "name_zh": "积分超市",
                "name_en": "Points supermarket",
                "building": None,
            },
        ],
        "notices": [
            {
                "key": k,
                "kind": kind,
                "title_zh": tzh,
                "title_en": ten,
                "body_zh": bzh,
                "body_en": ben,
                "published_at": f"2026-12-0{i + 1}T09:00:00+08:00",
            }
            for i, (k, kind, tzh, ten, bzh, ben) in enumerate(NOTICES)
        ],
        "config": [
            {"key": "property_phone", "value": "0851-8888-1234"},
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
