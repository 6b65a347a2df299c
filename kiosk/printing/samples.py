"""Example slips with fixed data, for the demo's preview printer, the tests and the benchmark."""

from __future__ import annotations

from datetime import date, datetime

from .slips import (
    DayClose,
    GoodsOut,
    PointsSlip,
    PrinterTestPage,
    RedemptionItem,
    RedemptionReceipt,
    StaffTotals,
    TicketSlip,
)

COMMUNITY = "幸福家园社区"
AT = datetime(2026, 12, 3, 15, 42)

_GOODS = [
    ("洗衣粉", 5, "袋"),
    ("洗洁精", 8, "瓶"),
    ("大米（5公斤）", 30, "袋"),
    ("食用油（5升）", 25, "桶"),
    ("卫生纸", 6, "提"),
    ("牙膏", 4, "支"),
    ("肥皂", 2, "块"),
    ("毛巾", 3, "条"),
    ("酱油", 4, "瓶"),
    ("鸡蛋（30枚）", 12, "盒"),
]


def redemption(items: int = 3) -> RedemptionReceipt:
    chosen = [
        RedemptionItem(name, quantity=1 + index % 2, points_each=points, unit_zh=unit)
        for index, (name, points, unit) in enumerate(_GOODS[:items])
    ]
    total = sum(item.points for item in chosen)
    return RedemptionReceipt(
        community=COMMUNITY,
        receipt_no="M01-261203-0042",
        occurred_at=AT,
        device="M01",
        staff="李红",
        resident_name="王秀娟",
        card_no="1000012345",
        items=chosen,
        balance_before=480,
        balance_after=480 - total,
        record_url="https://ymt.example.cn/r/M01-261203-0042",
    )


def award() -> PointsSlip:
    return PointsSlip(
        community=COMMUNITY,
        slip_no="M01-261203-0043",
        occurred_at=AT,
        device="M01",
        staff="李红",
        resident_name="欧阳明",
        card_no="1000067890",
        rule_name_zh="参加楼道巡逻",
        points=10,
        balance_after=130,
    )


def deduction() -> PointsSlip:
    return PointsSlip(
        community=COMMUNITY,
        slip_no="M01-261203-0044",
        occurred_at=AT,
        device="M01",
        staff="李红",
        resident_name="张伟",
        card_no="1000055555",
        rule_name_zh="楼道堆放杂物",
        points=-5,
        balance_after=45,
        note="已劝导清理",
    )


def ticket() -> TicketSlip:
    return TicketSlip(
        community=COMMUNITY,
        ticket_no="L07-261203-0012",
        category_zh="房屋维修",
        location_zh="7号楼1号电梯",
        occurred_at=AT,
        device="L07",
        track_url="https://ymt.example.cn/t/L07-261203-0012",
        hotline="0851-8888 1234",
        deadline_hours=24,
    )


def close() -> DayClose:
    return DayClose(
        community=COMMUNITY,
        device="M01",
        business_date=date(2026, 12, 3),
        printed_at=datetime(2026, 12, 3, 18, 5),
        redemptions=37,
        points_redeemed=1265,
        reversals=1,
        points_reversed=30,
        awards=12,
        points_awarded=160,
        deductions=2,
        points_deducted=10,
        goods_out=[
            GoodsOut("洗衣粉", 14, 70, "袋"),
            GoodsOut("大米（5公斤）", 20, 600, "袋"),
            GoodsOut("食用油（5升）", 19, 475, "桶"),
            GoodsOut("洗洁精", 15, 120, "瓶"),
        ],
        by_staff=[
            StaffTotals("李红", 25, 830, 120, 10, 1),
            StaffTotals("陈建国", 12, 435, 40, 0, 0),
        ],
    )


def printer_check(
    url: str = "tcp://192.168.1.50:9100", mode="native", encoding="gb18030", width=58
):
    return PrinterTestPage(
        device="M01",
        printer_url=url,
        mode=mode,
        encoding=encoding,
        paper_mm=width,
        printed_at=AT,
    )
