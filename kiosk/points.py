"""The supermarket kiosk's points desk: cards, balances, redemptions, awards, reversals.

Works offline from the device store: the card key, revoked cards, cards,
accounts, rules and catalogue as last pulled, plus the points events this
device recorded since (``Store.local_events``). The decisions come from
``server_sync.protocol.points``, the same code the server runs.

Nothing here raises to the screen: every method returns an outcome whose
``refusal`` (when not ``ok``) reads as a sentence in Chinese or English that
tells staff what to do next.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from server_sync.protocol import points as points_rules
from server_sync.protocol.cards import check_card
from server_sync.protocol.points import Refusal
from terminal_agent.store import Store

log = logging.getLogger(__name__)

_CARD_NO = re.compile(r"^YMT1:(\d{10}):")


@dataclass(frozen=True)
class Outcome:
    """The result of one action; `refusal` says why it did not happen."""

    refusal: Refusal | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None

    def message(self, lang: str = "zh") -> str:
        return "" if self.refusal is None else self.refusal.text(lang)


@dataclass(frozen=True)
class CardLookup(Outcome):
    card_no: str | None = None
    account: str | None = None
    name_masked: str = ""
    building: int | None = None
    unit: int | None = None
    household: str | None = None
    # As last pulled, plus what this device recorded since.
    balance: int = 0
    month_earned: int = 0


@dataclass(frozen=True)
class ReceiptLine:
    item: str
    name_zh: str
    name_en: str
    quantity: int
    points: int
    subtotal: int


@dataclass(frozen=True)
class Redemption(Outcome):
    event_id: str | None = None
    receipt: str | None = None
    card: CardLookup | None = None
    lines: tuple[ReceiptLine, ...] = ()
    total: int = 0
    balance_before: int = 0
    balance_after: int = 0
    occurred_at: datetime | None = None


@dataclass(frozen=True)
class RuleEntry(Outcome):
    """One card's award or deduction."""

    scanned: str = ""
    event_id: str | None = None
    card: CardLookup | None = None
    points: int = 0
    balance_after: int = 0


@dataclass(frozen=True)
class RuleBatch(Outcome):
    """Awards or deductions for cards scanned in a row; `entries` has one per scan."""

    rule: str = ""
    entries: tuple[RuleEntry, ...] = field(default_factory=tuple)

    @property
    def recorded(self) -> int:
        return sum(1 for entry in self.entries if entry.ok)


@dataclass(frozen=True)
class Reversal(Outcome):
    event_id: str | None = None
    receipt: str | None = None
    card: CardLookup | None = None
    points: int = 0
    returned: tuple[ReceiptLine, ...] = ()
    partial: bool = False
    balance_after: int = 0


def _failed(error: Exception) -> Refusal:
    detail = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
    return Refusal("not_recorded", {"detail": detail})


class PointsDesk:
    """What the supermarket kiosk's staff screens call."""

    def __init__(self, store: Store, *, staff: str = ""):
        self.store = store
        self.staff = staff

    # ------------------------------------------------------------ reference data

    def rules(self) -> dict[str, points_rules.Rule]:
        found = {}
        for row in self.store.reference("rules"):
            try:
                found[row["key"]] = points_rules.Rule.model_validate(row)
            except ValueError:
                log.warning("ignored a points rule row that does not validate: %s", row.get("key"))
        return found

    def catalogue(self) -> dict[str, points_rules.CatalogueItem]:
        found = {}
        for row in self.store.reference("catalogue"):
            try:
                found[row["key"]] = points_rules.CatalogueItem.model_validate(row)
            except ValueError:
                log.warning("ignored a catalogue row that does not validate: %s", row.get("key"))
        return found

    def stock(self) -> dict[str, int | None]:
        """Each item's stock as last pulled, less what this device redeemed since."""
        left = {key: item.stock for key, item in self.catalogue().items()}
        for event in self._local():
            for item, change in self._stock_changes(event):
                if left.get(item) is not None:
                    left[item] += change
        return left

    # ------------------------------------------------------------ cards

    def lookup(self, scanned: str) -> CardLookup:
        """Check a scanned card and find its account and balance."""
        try:
            return self._lookup(scanned)
        except Exception as error:  # the store may be locked or damaged
            log.exception("card lookup failed")
            return CardLookup(_failed(error))

    def _lookup(self, scanned: str) -> CardLookup:
        key_row = self.store.reference_row("keys", "card")
        revoked = _RevokedCards(self.store)
        check = check_card(scanned, key_row and key_row.get("public_key"), revoked)
        if not check.ok:
            log.info("card refused: %s", check.reason)
            return CardLookup(points_rules.card_refusal(check.reason), card_no=check.card_no)
        card_row = self.store.reference_row("cards", check.card_no)
        account = card_row and self.store.reference_row("accounts", str(card_row["account"]))
        if not account:
            return CardLookup(Refusal("no_account"), card_no=check.card_no)
        account_key = str(account["key"])
        balance = int(account.get("balance") or 0)
        this_month = points_rules.month_of(datetime.now(UTC))
        month_earned = int(account.get("month_earned") or 0)
        if account.get("month", this_month) != this_month:
            month_earned = 0  # pulled last month; nothing earned this month is known yet
        rules = None
        for event in self._local():
            if self._account_of(event["payload"].get("card")) != account_key:
                continue
            rules = self.rules() if rules is None else rules
            delta = self._balance_change(event, rules)
            balance += delta
            if event["type"] in (
                points_rules.AWARDED,
                points_rules.DEDUCTED,
            ) and this_month == points_rules.month_of(_when(event)):
                month_earned += delta
        return CardLookup(
            card_no=check.card_no,
            account=account_key,
            name_masked=points_rules.mask_name(account.get("name")),
            building=account.get("building"),
            unit=account.get("unit"),
            household=None if account.get("household") is None else str(account["household"]),
            balance=balance,
            month_earned=month_earned,
        )

    # ------------------------------------------------------------ redemption

    def redeem(self, scanned: str, basket: Iterable[tuple[str, int]]) -> Redemption:
        """Redeem a basket of (item, quantity) against the card, as this device knows it."""
        try:
            with self.store.transaction():
                return self._redeem(scanned, list(basket))
        except Exception as error:
            log.exception("redemption failed")
            return Redemption(_failed(error))

    def _redeem(self, scanned: str, basket: list[tuple[str, int]]) -> Redemption:
        card = self._lookup(scanned)
        if not card.ok:
            return Redemption(card.refusal, card=card)
        priced = points_rules.price_basket(basket, self.catalogue())
        if isinstance(priced, Refusal):
            return Redemption(priced, card=card)
        refusal = points_rules.check_affordable(priced, card.balance, self.stock())
        if refusal:
            return Redemption(refusal, card=card)

        receipt = self.store.next_ticket()
        now = datetime.now(UTC)
        event_id = self.store.record_event(
            points_rules.REDEEMED,
            {
                "card": scanned.strip(),
                "receipt": receipt,
                "items": [line.wire() for line in priced.lines],
                "total": priced.total,
                "balance_before": card.balance,
                "staff": self.staff,
            },
            occurred_at=now,
        )
        log.info("redemption %s recorded: receipt %s, %d points", event_id, receipt, priced.total)
        return Redemption(
            event_id=str(event_id),
            receipt=receipt,
            card=card,
            lines=tuple(_receipt_line(line) for line in priced.lines),
            total=priced.total,
            balance_before=card.balance,
            balance_after=card.balance - priced.total,
            occurred_at=now,
        )

    # ------------------------------------------------------------ awards and deductions

    def apply_rule(
        self,
        rule_key: str,
        scanned_cards: str | Sequence[str],
        note: str = "",
        *,
        expect: str | None = None,
    ) -> RuleBatch:
        """Points under one rule for each card scanned in a row; the rule says + or -.

        `expect` (points.awarded or points.deducted) refuses a rule of the other kind.
        """
        if isinstance(scanned_cards, str):
            scanned_cards = [scanned_cards]
        try:
            rule = self.rules().get(rule_key)
            if rule is None or (expect is not None and rule.event_type != expect):
                refusal = points_rules.check_rule(rule, rule_key, expect or points_rules.AWARDED)
                return RuleBatch(refusal, rule=rule_key)
            entries = []
            seen: set[str] = set()
            for scanned in scanned_cards:
                entries.append(self._apply_rule_one(rule, scanned, note, seen))
            return RuleBatch(rule=rule_key, entries=tuple(entries))
        except Exception as error:
            log.exception("points entry failed")
            return RuleBatch(_failed(error), rule=rule_key)

    def award(
        self, rule_key: str, scanned_cards: str | Sequence[str], note: str = ""
    ) -> RuleBatch:
        return self.apply_rule(rule_key, scanned_cards, note, expect=points_rules.AWARDED)

    def deduct(
        self, rule_key: str, scanned_cards: str | Sequence[str], note: str = ""
    ) -> RuleBatch:
        return self.apply_rule(rule_key, scanned_cards, note, expect=points_rules.DEDUCTED)

    def _apply_rule_one(
        self, rule: points_rules.Rule, scanned: str, note: str, seen: set[str]
    ) -> RuleEntry:
        try:
            with self.store.transaction():
                card = self._lookup(scanned)
                if not card.ok:
                    return RuleEntry(card.refusal, scanned=scanned, card=card)
                if card.account in seen:
                    return RuleEntry(Refusal("scanned_twice"), scanned=scanned, card=card)
                now = datetime.now(UTC)
                refusal = points_rules.check_rule(
                    rule,
                    rule.key,
                    rule.event_type,
                    household_has_this_year=self._household_has(card, rule, now),
                    month_points_under_rule=self._month_points(card, rule, now),
                )
                if refusal:
                    return RuleEntry(refusal, scanned=scanned, card=card)
                event_id = self.store.record_event(
                    rule.event_type,
                    {"card": scanned.strip(), "rule": rule.key, "staff": self.staff, "note": note},
                    occurred_at=now,
                )
                seen.add(card.account)
        except Exception as error:
            log.exception("points entry failed")
            return RuleEntry(_failed(error), scanned=scanned)
        log.info("%s %s recorded under %s", rule.event_type, event_id, rule.key)
        return RuleEntry(
            scanned=scanned,
            event_id=str(event_id),
            card=card,
            points=rule.points,
            balance_after=card.balance + rule.points,
        )

    # Limitation: the device sees only its own entries since the last pull, so the
    # once-a-year and monthly-cap checks here catch repeats made at this kiosk; the
    # server applies the full check and rejects the rest with the same sentence.
    def _household_has(self, card: CardLookup, rule: points_rules.Rule, now: datetime) -> bool:
        if not rule.once_per_year_household:
            return False
        year = points_rules.year_of(now)
        for event in self._local((points_rules.AWARDED,)):
            if (
                event["payload"].get("rule") != rule.key
                or points_rules.year_of(_when(event)) != year
            ):
                continue
            account = self._account_of(event["payload"].get("card"))
            row = account and self.store.reference_row("accounts", account)
            if row and str(row.get("household")) == card.household:
                return True
        return False

    def _month_points(self, card: CardLookup, rule: points_rules.Rule, now: datetime) -> int:
        if rule.monthly_cap is None:
            return 0
        month = points_rules.month_of(now)
        return sum(
            rule.points
            for event in self._local((points_rules.AWARDED,))
            if event["payload"].get("rule") == rule.key
            and points_rules.month_of(_when(event)) == month
            and self._account_of(event["payload"].get("card")) == card.account
        )

    # ------------------------------------------------------------ reversal

    def find_redemption(self, receipt: str) -> str | None:
        """The event id of the redemption this device printed `receipt` for."""
        # Limitation: reads the store's outbox table directly, since the store has no
        # lookup by receipt; only redemptions made on this device can be found.
        rows = self.store.db.execute(
            "SELECT id FROM outbox WHERE type = ? AND json_extract(payload, '$.receipt') = ?"
            " AND status != 'rejected' ORDER BY seq DESC LIMIT 1",
            (points_rules.REDEEMED, receipt.strip().upper()),
        ).fetchall()
        return rows[0][0] if rows else None

    def reverse(
        self,
        scanned: str,
        original: str,
        returned: Iterable[tuple[str, int]] | None = None,
        reason: str = "",
    ) -> Reversal:
        """Reverse an entry this device recorded, whole or (a redemption) in part.

        `original` is the event id or the receipt number; `returned` lists the
        (item, quantity) pairs brought back for a partial reversal.
        """
        try:
            with self.store.transaction():
                return self._reverse(scanned, original, returned, reason)
        except Exception as error:
            log.exception("reversal failed")
            return Reversal(_failed(error))

    def _reverse(self, scanned, original, returned, reason) -> Reversal:
        card = self._lookup(scanned)
        if not card.ok:
            return Reversal(card.refusal, card=card)
        event = self.store.event(original) if _looks_like_uuid(original) else None
        if event is None and isinstance(original, str):
            found = self.find_redemption(original)
            event = found and self.store.event(found)
        if (
            event is None
            or event["type"] not in points_rules.POINTS_EVENT_TYPES
            or (event["status"] == "rejected")
        ):
            return Reversal(Refusal("unknown_original"), card=card)
        owner = self._account_of(event["payload"].get("card"))
        # A card reissued since the sale is no longer in `cards`; the server then
        # checks that the old and the new card belong to the same account.
        if owner is not None and owner != card.account:
            return Reversal(Refusal("other_account"), card=card)
        catalogue = self.catalogue()
        lines = (
            None
            if returned is None
            else [{"item": item, "quantity": int(quantity)} for item, quantity in returned]
        )
        plan = points_rules.plan_reversal(
            self._original(event),
            lines,
            {key: (item.name_zh, item.name_en) for key, item in catalogue.items()},
        )
        if isinstance(plan, Refusal):
            return Reversal(plan, card=card)

        receipt = self.store.next_ticket()
        event_id = self.store.record_event(
            points_rules.REVERSED,
            {
                "card": scanned.strip(),
                "original": event["id"],
                "items": lines,
                "reason": reason,
                "staff": self.staff,
                "receipt": receipt,
            },
        )
        log.info("reversal %s of %s recorded: %+d points", event_id, event["id"], plan.points)
        prices = {line["item"]: line["points"] for line in event["payload"].get("items", [])}
        return Reversal(
            event_id=str(event_id),
            receipt=receipt,
            card=card,
            points=plan.points,
            returned=tuple(
                _returned_line(catalogue.get(item), item, quantity, prices.get(item, 0))
                for item, quantity in plan.returned
            ),
            partial=plan.partial,
            balance_after=card.balance + plan.points,
        )

    # ------------------------------------------------------------ local events

    def _local(self, types: Sequence[str] = points_rules.POINTS_EVENT_TYPES) -> list[dict]:
        return self.store.local_events(types)

    # Limitation: events recorded here with a card that has since been revoked no
    # longer map to an account, so until the next pull reflects them they are left
    # out of the balance shown for the resident's new card.
    def _account_of(self, payload: str | None) -> str | None:
        match = _CARD_NO.match(payload or "")
        row = match and self.store.reference_row("cards", match[1])
        return None if not row else str(row["account"])

    def _original(
        self, event: dict, rules: dict[str, points_rules.Rule] | None = None
    ) -> points_rules.Original:
        """The entry an event of this device made, as a reversal sees it."""
        payload = event["payload"]
        kind = points_rules.KIND_OF_EVENT[event["type"]]
        already = self._already_reversed(event["id"])
        if kind == "redemption":
            return points_rules.Original(
                kind, -int(payload["total"]), tuple(payload["items"]), already
            )
        rule = (self.rules() if rules is None else rules).get(payload.get("rule"))
        return points_rules.Original(kind, rule.points if rule else 0, (), already)

    def _already_reversed(self, event_id: str) -> bool:
        rows = self.store.db.execute(
            "SELECT 1 FROM outbox WHERE type = ? AND status != 'rejected'"
            " AND json_extract(payload, '$.original') = ? LIMIT 1",
            (points_rules.REVERSED, event_id),
        ).fetchall()
        return bool(rows)

    def _balance_change(self, event: dict, rules: dict[str, points_rules.Rule]) -> int:
        payload = event["payload"]
        if event["type"] == points_rules.REDEEMED:
            return -int(payload["total"])
        if event["type"] in (points_rules.AWARDED, points_rules.DEDUCTED):
            rule = rules.get(payload.get("rule"))
            return rule.points if rule else 0
        original = self.store.event(payload["original"])
        if original is None:
            return 0
        plan = points_rules.plan_reversal(
            dataclasses.replace(self._original(original, rules), already_reversed=False),
            payload.get("items"),
        )
        return 0 if isinstance(plan, Refusal) else plan.points

    def _stock_changes(self, event: dict) -> list[tuple[str, int]]:
        payload = event["payload"]
        if event["type"] == points_rules.REDEEMED:
            return [(line["item"], -int(line["quantity"])) for line in payload["items"]]
        if event["type"] != points_rules.REVERSED:
            return []
        original = self.store.event(payload["original"])
        if original is None or original["type"] != points_rules.REDEEMED:
            return []
        returned = payload.get("items") or original["payload"]["items"]
        return [(line["item"], int(line["quantity"])) for line in returned]


class _RevokedCards:
    """Membership test over the `revoked_cards` reference rows, one lookup per card."""

    def __init__(self, store: Store):
        self.store = store

    def __contains__(self, card_no: object) -> bool:
        return self.store.reference_row("revoked_cards", str(card_no)) is not None


def _when(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["occurred_at"])


def _looks_like_uuid(text: object) -> bool:
    return isinstance(text, str) and bool(re.fullmatch(r"[0-9a-fA-F-]{36}", text.strip()))


def _receipt_line(line: points_rules.PricedLine) -> ReceiptLine:
    return ReceiptLine(
        line.item, line.name_zh, line.name_en, line.quantity, line.points, line.subtotal
    )


def _returned_line(item, key: str, quantity: int, price: int) -> ReceiptLine:
    name_zh, name_en = (item.name_zh, item.name_en) if item else (key, key)
    return ReceiptLine(key, name_zh, name_en, quantity, price, price * quantity)
