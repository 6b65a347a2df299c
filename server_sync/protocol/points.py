"""Points rules shared by the supermarket kiosk (offline) and the server.

One implementation of what a rule allows, what a redemption costs, whether a
reversal may happen and how a name is masked, so that a balance printed on a
receipt is worked out the same way everywhere. Imports only pydantic and the
standard library.

Refusals are :class:`Refusal` values (a stable code plus the figures that go
into its sentence), never exceptions: the kiosk shows ``refusal.text(lang)``
and the server uses ``refusal.en`` as the rejection reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# The community keeps Beijing time (no daylight saving): months and years of the
# points stars, monthly caps and the once-a-year award are counted in it.
COMMUNITY_TZ = timezone(timedelta(hours=8), "CST")

AWARDED = "points.awarded"
DEDUCTED = "points.deducted"
REDEEMED = "points.redeemed"
REVERSED = "points.reversed"
POINTS_EVENT_TYPES = (AWARDED, DEDUCTED, REDEEMED, REVERSED)

# Ledger entry kinds, the same words in SQL, JSON and the UI.
EntryKind = Literal["award", "deduction", "redemption", "reversal"]
KIND_OF_EVENT: dict[str, str] = {
    AWARDED: "award",
    DEDUCTED: "deduction",
    REDEEMED: "redemption",
    REVERSED: "reversal",
}


def local_time(ts: datetime) -> datetime:
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.astimezone(COMMUNITY_TZ)


def month_of(ts: datetime) -> str:
    """The community month of a moment, as ``2026-12``."""
    return f"{local_time(ts):%Y-%m}"


def year_of(ts: datetime) -> int:
    return local_time(ts).year


# ---------------------------------------------------------------- reference rows


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class Rule(_Row):
    """A behaviour that earns (points > 0) or loses (points < 0) points."""

    key: str = Field(min_length=1, max_length=40)
    name_zh: str = Field(min_length=1, max_length=80)
    name_en: str = Field(min_length=1, max_length=120)
    points: int = Field(ge=-1000, le=1000)
    once_per_year_household: bool = False
    monthly_cap: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _not_zero(self) -> Rule:
        if self.points == 0:
            raise ValueError(f"rule {self.key}: points must not be zero")
        return self

    @property
    def event_type(self) -> str:
        return AWARDED if self.points > 0 else DEDUCTED


class CatalogueItem(_Row):
    """Goods (with stock) or a service (no stock) residents can spend points on."""

    key: str = Field(min_length=1, max_length=40)
    name_zh: str = Field(min_length=1, max_length=80)
    name_en: str = Field(min_length=1, max_length=120)
    kind: Literal["goods", "service"]
    points: int = Field(ge=1, le=100_000)
    stock: int | None = None
    unit_zh: str = Field(default="件", max_length=10)
    unit_en: str = Field(default="piece", max_length=20)

    @model_validator(mode="after")
    def _stock_for_goods(self) -> CatalogueItem:
        if self.kind == "service":
            self.stock = None
        elif self.stock is None:
            self.stock = 0
        return self


# ---------------------------------------------------------------- refusals

# The sentences staff see, in both languages; {placeholders} come from Refusal.args.
MESSAGES: dict[str, tuple[str, str]] = {
    "card_not_a_card": (
        "这不是积分卡的二维码，请扫描居民的积分卡",
        "This code is not a points card; scan the resident's points card",
    ),
    "card_malformed": (
        "积分卡二维码不完整或已损坏，请重新扫描；仍不行请为居民补办新卡",
        "The card code is damaged or cut short; scan it again, or reissue the card",
    ),
    "card_bad_signature": (
        "这张卡的签名与本社区不符，可能是伪造的，请留下卡片并联系办公室",
        "The card's signature does not match this community's key; it may be forged, "
        "keep the card and call the office",
    ),
    "card_revoked": (
        "这张卡已挂失作废，请为居民补办新卡",
        "This card was reported lost and revoked; issue the resident a new card",
    ),
    "card_no_key": (
        "本机还没有收到积分卡密钥，请等设备同步后再试",
        "This device has not received the card key yet; let it sync and try again",
    ),
    "no_account": (
        "这张积分卡没有对应的账户，请让设备同步后再扫；仍不行请到办公室核实",
        "No account is linked to this card yet; let the device sync and scan again, "
        "or check the card at the office",
    ),
    "scanned_twice": (
        "这张卡在本次登记中已经扫过了，请扫下一位居民的卡",
        "This card was already scanned for this entry; scan the next resident's card",
    ),
    "unknown_rule": (
        "没有“{rule_zh}”这条积分规则，请在列表中重新选择",
        "There is no points rule '{rule}'; choose the rule again from the list",
    ),
    "wrong_direction": (
        "规则“{rule_zh}”是{direction_zh}规则，不能用来{action_zh}",
        "Rule '{rule}' {direction_en}; it cannot be used to {action_en}",
    ),
    "once_per_year": (
        "“{rule_zh}”每户每年只能获得一次，这户今年已经获得过",
        "'{rule}' is given once a year per household, and this household already "
        "received it this year",
    ),
    "monthly_cap": (
        "“{rule_zh}”每月最多 {cap} 分，本月已得 {so_far} 分，不能再加",
        "'{rule}' earns at most {cap} points a month and this account already has "
        "{so_far} this month",
    ),
    "unknown_item": (
        "没有商品“{item_zh}”，请在列表中重新选择",
        "There is no item '{item}' in the catalogue; choose it again from the list",
    ),
    "empty_basket": (
        "还没有选择要兑换的商品",
        "Nothing has been chosen to redeem yet",
    ),
    "bad_quantity": (
        "“{item_zh}”的数量必须在 1 到 999 之间",
        "The quantity of '{item}' must be between 1 and 999",
    ),
    "not_enough_points": (
        "积分不足：需要 {total} 分，账户只有 {balance} 分，请减少商品",
        "Not enough points: this needs {total} and the account has {balance}; "
        "remove something from the basket",
    ),
    "not_enough_stock": (
        "“{item_zh}”库存不足：需要 {wanted}，只剩 {stock}",
        "Not enough '{item}' in stock: {wanted} wanted, {stock} left",
    ),
    "total_mismatch": (
        "兑换合计 {total} 分与明细 {sum} 分不符，请重新兑换",
        "The redemption total {total} does not match its lines ({sum}); redeem again",
    ),
    "unknown_original": (
        "找不到要撤销的记录，请核对小票",
        "The entry to reverse cannot be found; check the receipt",
    ),
    "already_reversed": (
        "这笔记录已经撤销过，不能再次撤销",
        "This entry has already been reversed and cannot be reversed again",
    ),
    "reverse_reversal": (
        "撤销记录本身不能再撤销",
        "A reversal cannot itself be reversed",
    ),
    "other_account": (
        "这笔记录不属于这张卡的账户，请扫描原来的积分卡",
        "This entry belongs to another account; scan the card it was made with",
    ),
    "partial_not_redemption": (
        "只有兑换记录可以部分退回",
        "Only a redemption can be partly returned",
    ),
    "return_too_many": (
        "“{item_zh}”最多可退 {redeemed}，不能退 {returned}",
        "At most {redeemed} of '{item}' can be returned, not {returned}",
    ),
    "return_not_redeemed": (
        "这笔兑换里没有“{item_zh}”",
        "'{item}' is not part of this redemption",
    ),
    "service_has_no_stock": (
        "“{item_zh}”是服务项目，没有库存",
        "'{item}' is a service and has no stock",
    ),
    "bad_stock_change": (
        "“{item_zh}”现有 {stock}，请填写不为零、且不会让库存小于零的数量",
        "'{item}' has {stock} in stock; give a change that is not zero and does not "
        "take the stock below zero",
    ),
    "unknown_flag": (
        "没有编号为 {flag} 的透支记录",
        "There is no overdraft flag {flag}; list them with: ymt-server points overdrafts",
    ),
    "not_recorded": (
        "记录没有保存成功：{detail}。请重试；仍不行请联系技术员",
        "The entry could not be saved: {detail}. Try again, or call the technician",
    ),
}


@dataclass(frozen=True)
class Refusal:
    """Why an action on points cannot go ahead, readable in Chinese and English."""

    code: str
    args: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "zh") -> str:
        zh, en = MESSAGES[self.code]
        return (zh if lang.startswith("zh") else en).format(**self.args)

    @property
    def zh(self) -> str:
        return self.text("zh")

    @property
    def en(self) -> str:
        return self.text("en")

    def __str__(self) -> str:
        return self.en


def card_refusal(reason: str | None) -> Refusal:
    """The refusal for a card check that failed (see ``protocol.cards.CardReason``)."""
    code = f"card_{reason or 'malformed'}"
    return Refusal(code if code in MESSAGES else "card_malformed")


# ---------------------------------------------------------------- rules


def check_rule(
    rule: Rule | None,
    rule_key: str,
    event_type: str,
    *,
    household_has_this_year: bool = False,
    month_points_under_rule: int = 0,
) -> Refusal | None:
    """Whether `rule` may be applied once more to an account.

    `household_has_this_year` says whether the account's household already has an
    entry under this rule in the community year (not reversed);
    `month_points_under_rule` is what the account has earned under it this month.
    """
    if rule is None:
        return Refusal("unknown_rule", {"rule": rule_key, "rule_zh": rule_key})
    if event_type != rule.event_type:
        earning = rule.points > 0
        return Refusal(
            "wrong_direction",
            {
                "rule": rule.name_en,
                "rule_zh": rule.name_zh,
                "direction_zh": "加分" if earning else "扣分",
                "direction_en": "earns points" if earning else "takes points away",
                "action_zh": "扣分" if earning else "加分",
                "action_en": "deduct points" if earning else "award points",
            },
        )
    if rule.once_per_year_household and household_has_this_year:
        return Refusal("once_per_year", {"rule": rule.name_en, "rule_zh": rule.name_zh})
    if (
        rule.monthly_cap is not None
        and rule.points > 0
        and month_points_under_rule + rule.points > rule.monthly_cap
    ):
        return Refusal(
            "monthly_cap",
            {
                "rule": rule.name_en,
                "rule_zh": rule.name_zh,
                "cap": rule.monthly_cap,
                "so_far": month_points_under_rule,
            },
        )
    return None


def earned_points(kind: str, points: int, reversed_kind: str | None = None) -> int:
    """How much a ledger entry adds to the month's earnings (the points stars).

    Awards and deductions count, and so do their reversals; spending does not.
    """
    if kind in ("award", "deduction"):
        return points
    if kind == "reversal" and reversed_kind in ("award", "deduction"):
        return points
    return 0


# ---------------------------------------------------------------- redemption


@dataclass(frozen=True)
class PricedLine:
    item: str
    name_zh: str
    name_en: str
    kind: str
    quantity: int
    points: int  # for one unit

    @property
    def subtotal(self) -> int:
        return self.points * self.quantity

    def wire(self) -> dict[str, Any]:
        return {"item": self.item, "quantity": self.quantity, "points": self.points}


@dataclass(frozen=True)
class PricedBasket:
    lines: tuple[PricedLine, ...]

    @property
    def total(self) -> int:
        return sum(line.subtotal for line in self.lines)


def price_basket(
    wanted: Iterable[tuple[str, int]], catalogue: Mapping[str, CatalogueItem]
) -> PricedBasket | Refusal:
    """Price (item, quantity) pairs at the catalogue's figures; repeated items are merged."""
    quantities: dict[str, int] = {}
    for key, quantity in wanted:
        if key not in catalogue:
            return Refusal("unknown_item", {"item": key, "item_zh": key})
        quantities[key] = quantities.get(key, 0) + int(quantity)
    if not quantities:
        return Refusal("empty_basket")
    lines = []
    for key, quantity in quantities.items():
        item = catalogue[key]
        if not 1 <= quantity <= 999:
            return Refusal("bad_quantity", {"item": item.name_en, "item_zh": item.name_zh})
        lines.append(PricedLine(key, item.name_zh, item.name_en, item.kind, quantity, item.points))
    return PricedBasket(tuple(lines))


def check_affordable(
    basket: PricedBasket, balance: int, stock: Mapping[str, int | None]
) -> Refusal | None:
    """The device's check before a redemption: balance and stock as it knows them."""
    if basket.total > balance:
        return Refusal("not_enough_points", {"total": basket.total, "balance": balance})
    for line in basket.lines:
        left = stock.get(line.item)
        if line.kind == "goods" and left is not None and line.quantity > left:
            return Refusal(
                "not_enough_stock",
                {
                    "item": line.name_en,
                    "item_zh": line.name_zh,
                    "wanted": line.quantity,
                    "stock": max(left, 0),
                },
            )
    return None


def check_total(items: Iterable[Mapping[str, Any]], total: int) -> Refusal | None:
    """A redemption's total must be the sum of its lines as the device priced them."""
    lines_sum = sum(int(line["points"]) * int(line["quantity"]) for line in items)
    if lines_sum != total:
        return Refusal("total_mismatch", {"total": total, "sum": lines_sum})
    return None


# ---------------------------------------------------------------- reversal


@dataclass(frozen=True)
class Original:
    """What a reversal needs to know about the entry it points at."""

    kind: str  # award | deduction | redemption | reversal
    points: int  # signed, as entered in the ledger
    items: tuple[Mapping[str, Any], ...] = ()  # redemption lines: item, quantity, points
    already_reversed: bool = False


@dataclass(frozen=True)
class ReversalPlan:
    points: int  # signed amount of the compensating entry
    returned: tuple[tuple[str, int], ...]  # goods going back into stock: (item, quantity)
    partial: bool


def plan_reversal(
    original: Original | None,
    returned: Iterable[Mapping[str, Any]] | None = None,
    names: Mapping[str, tuple[str, str]] | None = None,
) -> ReversalPlan | Refusal:
    """The compensating entry for reversing `original`, whole or (redemptions) in part.

    An entry is reversed at most once; a partial reversal names the items
    returned and can return no more than were redeemed. `names` maps item keys
    to (name_zh, name_en) for the refusal sentences.
    """
    names = names or {}
    if original is None:
        return Refusal("unknown_original")
    if original.kind == "reversal":
        return Refusal("reverse_reversal")
    if original.already_reversed:
        return Refusal("already_reversed")
    if returned is None:
        lines = tuple((str(line["item"]), int(line["quantity"])) for line in original.items)
        return ReversalPlan(-original.points, lines, False)
    if original.kind != "redemption":
        return Refusal("partial_not_redemption")

    redeemed: dict[str, tuple[int, int]] = {}
    for line in original.items:
        count, price = redeemed.get(line["item"], (0, int(line["points"])))
        redeemed[line["item"]] = (count + int(line["quantity"]), price)
    wanted: dict[str, int] = {}
    for line in returned:
        wanted[str(line["item"])] = wanted.get(str(line["item"]), 0) + int(line["quantity"])
    if not wanted:
        return Refusal("empty_basket")
    points = 0
    for item, quantity in wanted.items():
        if item not in redeemed:
            zh, en = names.get(item, (item, item))
            return Refusal("return_not_redeemed", {"item": en, "item_zh": zh})
        count, price = redeemed[item]
        if quantity > count or quantity < 1:
            zh, en = names.get(item, (item, item))
            return Refusal(
                "return_too_many",
                {"item": en, "item_zh": zh, "redeemed": count, "returned": quantity},
            )
        points += quantity * price
    whole = wanted == {item: count for item, (count, _) in redeemed.items()}
    return ReversalPlan(points, tuple(wanted.items()), not whole)


# ---------------------------------------------------------------- display


def mask_name(name: str | None) -> str:
    """A resident's name as shown in public or on a slip: 王秀娟 -> 王*娟, 王娟 -> 王*, 王 -> *.

    One star whatever the length, so the mask does not tell how long the name is;
    the whole name is never shown. Spaces inside a Chinese name (张 伟) are dropped.
    The kiosk's slips and the server's points stars both use this one helper.
    """
    text = " ".join((name or "").split())
    if not text.isascii():
        text = text.replace(" ", "")
    if not text:
        return ""
    if len(text) == 1:
        return "*"
    if len(text) == 2:
        return text[0] + "*"
    return text[0] + "*" + text[-1]


__all__ = [
    "AWARDED",
    "COMMUNITY_TZ",
    "DEDUCTED",
    "KIND_OF_EVENT",
    "MESSAGES",
    "POINTS_EVENT_TYPES",
    "REDEEMED",
    "REVERSED",
    "CatalogueItem",
    "Original",
    "PricedBasket",
    "PricedLine",
    "Refusal",
    "ReversalPlan",
    "Rule",
    "card_refusal",
    "check_affordable",
    "check_rule",
    "check_total",
    "earned_points",
    "mask_name",
    "month_of",
    "plan_reversal",
    "price_basket",
    "year_of",
]
