"""Every slip the community prints, each a function of a plain data class.

The data classes carry what the kiosk already knows (a full name, a whole card number); the
slip functions decide what goes on paper (a masked name, the card's last four digits).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from .document import QR, Barcode, Big, Columns, Document, Feed, Pair, Rule, Text
from .labels import SLIP
from .text import card_tail, mask_name

_TIME = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class RedemptionItem:
    name_zh: str
    quantity: int
    points_each: int
    unit_zh: str = ""

    @property
    def points(self) -> int:
        return self.quantity * self.points_each


@dataclass(frozen=True)
class RedemptionReceipt:
    community: str
    receipt_no: str
    occurred_at: datetime
    device: str
    staff: str
    resident_name: str
    card_no: str
    items: Sequence[RedemptionItem]
    balance_before: int
    balance_after: int
    record_url: str

    @property
    def total(self) -> int:
        return sum(item.points for item in self.items)

    def __post_init__(self):
        if not self.items:
            raise ValueError("a redemption receipt needs at least one item")
        if self.balance_before - self.total != self.balance_after:
            raise ValueError(
                f"balance after ({self.balance_after}) is not balance before "
                f"({self.balance_before}) minus the total ({self.total})"
            )


@dataclass(frozen=True)
class PointsSlip:
    """Points awarded (points > 0) or deducted (points < 0) under one rule."""

    community: str
    slip_no: str
    occurred_at: datetime
    device: str
    staff: str
    resident_name: str
    card_no: str
    rule_name_zh: str
    points: int
    balance_after: int
    note: str = ""

    @property
    def balance_before(self) -> int:
        return self.balance_after - self.points


@dataclass(frozen=True)
class TicketSlip:
    community: str
    ticket_no: str
    category_zh: str
    occurred_at: datetime
    device: str
    track_url: str
    hotline: str
    location_zh: str = ""
    deadline_hours: int | None = None


@dataclass(frozen=True)
class GoodsOut:
    name_zh: str
    quantity: int
    points: int
    unit_zh: str = ""


@dataclass(frozen=True)
class StaffTotals:
    staff: str
    redemptions: int = 0
    points_redeemed: int = 0
    points_awarded: int = 0
    points_deducted: int = 0
    reversals: int = 0


@dataclass(frozen=True)
class DayClose:
    community: str
    device: str
    business_date: date
    printed_at: datetime
    redemptions: int
    points_redeemed: int
    reversals: int
    points_reversed: int
    awards: int
    points_awarded: int
    deductions: int
    points_deducted: int
    goods_out: Sequence[GoodsOut] = field(default_factory=tuple)
    by_staff: Sequence[StaffTotals] = field(default_factory=tuple)


@dataclass(frozen=True)
class PrinterTestPage:
    device: str
    printer_url: str
    mode: str
    encoding: str
    paper_mm: int
    printed_at: datetime


def _points(points: int, signed: bool = False) -> str:
    return SLIP["points_unit"].format(points=f"{points:+d}" if signed else points)


def _header(doc: Document, community: str, title: str) -> None:
    doc.add(
        Text(community, align="center", bold=True),
        Text(title, align="center", bold=True, scale=2),
        Rule(heavy=True),
    )


def redemption_receipt(receipt: RedemptionReceipt) -> Document:
    doc = Document(f"{SLIP['redemption_title']} {receipt.receipt_no}")
    _header(doc, receipt.community, SLIP["redemption_title"])
    doc.add(
        Pair(SLIP["receipt_no"], receipt.receipt_no),
        Pair(SLIP["time"], receipt.occurred_at.strftime(_TIME)),
        Pair(SLIP["device"], receipt.device),
        Pair(SLIP["staff"], receipt.staff),
        Pair(SLIP["resident"], mask_name(receipt.resident_name)),
        Pair(SLIP["card"], card_tail(receipt.card_no)),
        Rule(),
        _item_row(SLIP["item"], SLIP["quantity"], SLIP["points"], bold=True),
    )
    for item in receipt.items:
        doc.add(_item_row(item.name_zh, f"{item.quantity}{item.unit_zh}", str(item.points)))
    doc.add(
        Rule(),
        Pair(SLIP["total"], _points(receipt.total), bold=True),
        Pair(SLIP["balance_before"], _points(receipt.balance_before)),
        Pair(SLIP["balance_after"], _points(receipt.balance_after), bold=True),
        Rule(),
        QR(receipt.record_url),
        Text(SLIP["scan_record"], align="center"),
        Text(SLIP["keep_receipt"], align="center", bold=True),
    )
    return doc


def _item_row(name: str, quantity: str, points: str, bold: bool = False) -> Columns:
    return Columns((name, quantity, points), (None, 6, 6), ("left", "right", "right"), bold)


def points_slip(slip: PointsSlip) -> Document:
    awarded = slip.points >= 0
    title = SLIP["points_award_title"] if awarded else SLIP["points_deduct_title"]
    doc = Document(f"{title} {slip.slip_no}")
    _header(doc, slip.community, title)
    doc.add(
        Pair(SLIP["receipt_no"], slip.slip_no),
        Pair(SLIP["time"], slip.occurred_at.strftime(_TIME)),
        Pair(SLIP["device"], slip.device),
        Pair(SLIP["staff"], slip.staff),
        Pair(SLIP["resident"], mask_name(slip.resident_name)),
        Pair(SLIP["card"], card_tail(slip.card_no)),
        Rule(),
        Pair(SLIP["rule"], slip.rule_name_zh),
    )
    if slip.note:
        doc.add(Text(SLIP["labelled"].format(label=SLIP["note"], value=slip.note)))
    label = SLIP["points_awarded"] if awarded else SLIP["points_deducted"]
    doc.add(
        Pair(label, _points(slip.points, signed=True), bold=True),
        Pair(SLIP["balance_was"], _points(slip.balance_before)),
        Pair(SLIP["balance_now"], _points(slip.balance_after), bold=True),
    )
    return doc


def ticket_slip(slip: TicketSlip) -> Document:
    doc = Document(f"{SLIP['ticket_title']} {slip.ticket_no}")
    _header(doc, slip.community, SLIP["ticket_title"])
    doc.add(Text(SLIP["ticket_no"], align="center"), Big(slip.ticket_no), Rule())
    doc.add(Pair(SLIP["category"], slip.category_zh))
    if slip.location_zh:
        doc.add(Pair(SLIP["location"], slip.location_zh))
    doc.add(Pair(SLIP["reported_at"], slip.occurred_at.strftime(_TIME)))
    if slip.deadline_hours:
        doc.add(Pair(SLIP["deadline"], SLIP["deadline_hours"].format(hours=slip.deadline_hours)))
    doc.add(
        Pair(SLIP["device"], slip.device),
        Rule(),
        QR(slip.track_url),
        Text(SLIP["track"], align="center"),
        Text(
            SLIP["hotline_line"].format(label=SLIP["hotline"], phone=slip.hotline),
            align="center",
            bold=True,
            scale=2,
        ),
        Text(SLIP["keep_ticket"], align="center"),
    )
    return doc


def day_close(close: DayClose) -> Document:
    day = close.business_date.isoformat()
    doc = Document(f"{SLIP['day_close_title']} {day}")
    _header(doc, close.community, SLIP["day_close_title"])
    doc.add(
        Pair(SLIP["business_date"], day),
        Pair(SLIP["device"], close.device),
        Pair(SLIP["printed_at"], close.printed_at.strftime(_TIME)),
        Rule(),
        Pair(SLIP["redemptions"], str(close.redemptions)),
        Pair(SLIP["points_redeemed"], _points(close.points_redeemed), bold=True),
        Pair(SLIP["reversals"], str(close.reversals)),
        Pair(SLIP["points_reversed"], _points(close.points_reversed)),
        Pair(SLIP["awards"], str(close.awards)),
        Pair(SLIP["points_awarded_total"], _points(close.points_awarded)),
        Pair(SLIP["deductions"], str(close.deductions)),
        Pair(SLIP["points_deducted_total"], _points(close.points_deducted)),
        Rule(),
        Text(SLIP["goods_out"], bold=True),
    )
    if close.goods_out:
        doc.add(_item_row(SLIP["item"], SLIP["quantity"], SLIP["points"], bold=True))
        for goods in close.goods_out:
            quantity = f"{goods.quantity}{goods.unit_zh}"
            doc.add(_item_row(goods.name_zh, quantity, str(goods.points)))
    else:
        doc.add(Text(SLIP["none"]))
    doc.add(Rule(), Text(SLIP["by_staff"], bold=True))
    for staff in close.by_staff:
        doc.add(
            Text(staff.staff, bold=True),
            Text(
                SLIP["staff_line"].format(
                    redemptions=staff.redemptions,
                    redeemed=staff.points_redeemed,
                    awarded=staff.points_awarded,
                    deducted=staff.points_deducted,
                    reversals=staff.reversals,
                )
            ),
        )
    if not close.by_staff:
        doc.add(Text(SLIP["none"]))
    return doc


def printer_test_page(page: PrinterTestPage) -> Document:
    doc = Document(f"{SLIP['test_title']} {page.printed_at.strftime(_TIME)}")
    doc.add(Text(SLIP["test_title"], align="center", bold=True, scale=2), Rule(heavy=True))
    doc.add(
        Pair(SLIP["device"], page.device),
        Text(SLIP["labelled"].format(label=SLIP["printer_url"], value=page.printer_url)),
        Pair(SLIP["mode"], page.mode),
        Pair(SLIP["encoding"], page.encoding),
        Pair(SLIP["paper"], f"{page.paper_mm} mm"),
        Pair(SLIP["time"], page.printed_at.strftime(_TIME)),
        Rule(),
        Text(SLIP["charset_test"], bold=True),
        Text(SLIP["charset_line_1"]),
        Text(SLIP["charset_line_2"]),
        Text(SLIP["charset_line_3"]),
        Text(SLIP["charset_line_4"]),
        Rule(),
        Text(SLIP["column_test"], bold=True),
        _item_row(SLIP["item"], SLIP["quantity"], SLIP["points"], bold=True),
        _item_row("ABCDEFGH", "12", "345"),
        _item_row("大米五公斤装", "1袋", "30"),
        Rule(),
        QR(f"YMT-TEST:{page.device}"),
        Barcode(page.device.upper() + "-TEST"),
        Feed(1),
        Text(SLIP["end"], align="center"),
    )
    return doc
