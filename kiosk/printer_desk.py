"""The kiosk's slips (ticket, receipt, day close, test page) sent to `kiosk.printing`'s queue.

Printing runs on the queue's worker thread; outcomes come back on the UI thread
through ``deliver``. A failed print never undoes what it records.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.config import KioskConfig
from kiosk.printing import (
    DayClose,
    GoodsOut,
    PrinterConfig,
    PrinterTestPage,
    PrintQueue,
    RedemptionItem,
    RedemptionReceipt,
    StaffTotals,
    TicketSlip,
    printer_test_page,
    redemption_receipt,
    ticket_slip,
)

if TYPE_CHECKING:
    from kiosk.services import ReportDraft, Services

log = logging.getLogger(__name__)


class PrinterDesk:
    """Slips for the kiosk, printed by `kiosk.printing`'s queue off the UI thread."""

    def __init__(self, config: KioskConfig, services: Services, deliver):
        self.services = services
        self.deliver = deliver
        printer = PrinterConfig.parse(
            config.printer_url, mode=config.printer_mode, width=config.printer_width_mm
        )
        self.queue = PrintQueue(printer, Path(config.store).parent / "print-jobs")
        self.last_job: str | None = None
        self._commands: set[int] = set()

    def _submit(self, document, on_done: Callable[[str | None], None]) -> None:
        job = self.queue.submit(document)
        self.last_job = job.id
        self._follow(job, on_done)

    def _follow(self, job, on_done) -> None:
        def finished(outcome):
            self.deliver(lambda: on_done(None if outcome.ok else outcome))

        job.on_done(finished)

    def print_ticket(self, ticket: str, draft: ReportDraft, on_done) -> None:
        services = self.services
        category = services.category(draft.category) or {}
        location = services.location_name("zh_CN")
        if draft.building:
            location = f"{draft.building}栋{draft.unit or ''}室"
        slip = TicketSlip(
            community=services.community(),
            ticket_no=ticket,
            category_zh=category.get("name_zh") or draft.category or "",
            occurred_at=services.now(),
            device=services.device_code(),
            track_url=services.track_link(ticket),
            hotline=services.phone("hotline"),
            location_zh=location,
            deadline_hours=category.get("deadline_hours"),
        )
        self._submit(ticket_slip(slip), on_done)

    def print_receipt(self, redemption, staff: str, on_done) -> None:
        services = self.services
        account = services.store.reference_row("accounts", str(redemption.card.account)) or {}
        receipt = RedemptionReceipt(
            community=services.community(),
            receipt_no=redemption.receipt,
            occurred_at=(redemption.occurred_at or services.now()).astimezone(),
            device=services.device_code(),
            staff=staff or services.config.staff_name,
            resident_name=str(account.get("name") or redemption.card.name_masked),
            card_no=redemption.card.card_no or "",
            items=[
                RedemptionItem(line.name_zh, line.quantity, line.points)
                for line in redemption.lines
            ],
            balance_before=redemption.balance_before,
            balance_after=redemption.balance_after,
            record_url=services.receipt_link(redemption.receipt),
        )
        self._submit(redemption_receipt(receipt), on_done)

    def submit(self, document, on_done) -> None:
        self._submit(document, on_done)

    def run_commands(self) -> None:
        """Print the test pages technicians asked for; each outcome goes back to the store."""
        store = self.services.store
        for command in store.pending_commands("kiosk"):
            command_id = command["command_id"]
            if command["name"] != "print_test_page" or command_id in self._commands:
                continue
            self._commands.add(command_id)
            printer = self.queue.config
            page = PrinterTestPage(
                device=self.services.device_code(),
                printer_url=printer.url,
                mode=printer.mode,
                encoding=printer.encoding,
                paper_mm=printer.width,
                printed_at=self.services.now(),
            )

            def done(outcome, command_id=command_id):
                output = "printed" if outcome.ok else f"{outcome.problem}: {outcome.message_en}"
                store.complete_command(command_id, outcome.ok, output)
                log.info("test page for command %s: %s", command_id, output)

            self.queue.submit(printer_test_page(page)).on_done(done)

    def reprint(self, on_done, job_id: str | None = None) -> None:
        job_id = job_id or self.last_job
        if job_id is None:
            recent = self.queue.recent()
            job_id = recent[0].id if recent else None
        if job_id is None:
            on_done(None)
            return
        self._follow(self.queue.reprint(job_id), on_done)

    def close(self) -> None:
        self.queue.close(timeout=2)


def day_totals(services: Services, day: date | None = None):
    """The day's close for this device: redemptions, reversals, awards, goods out, by staff."""
    store = services.store
    day = day or services.now().date()
    # Limitation: the store has no query for all of a day's events whatever their sync
    # status, so this reads its outbox table directly (as kiosk.points does for receipts).
    rows = store.db.execute(
        "SELECT type, occurred_at, payload FROM outbox WHERE type LIKE 'points.%'"
        " AND status != 'rejected'"
    ).fetchall()
    catalogue = {row["key"]: row for row in store.reference("catalogue")}
    rules = {row["key"]: row for row in store.reference("rules")}
    totals = dict(
        redemptions=0,
        points_redeemed=0,
        reversals=0,
        points_reversed=0,
        awards=0,
        points_awarded=0,
        deductions=0,
        points_deducted=0,
    )
    goods: dict[str, list[int]] = {}
    staff: dict[str, dict[str, int]] = {}
    for event_type, occurred_at, text in rows:
        when = datetime.fromisoformat(occurred_at).astimezone()
        if when.date() != day:
            continue
        payload = json.loads(text)
        who = staff.setdefault(
            payload.get("staff") or "-",
            dict(
                redemptions=0, points_redeemed=0, points_awarded=0, points_deducted=0, reversals=0
            ),
        )
        if event_type == "points.redeemed":
            totals["redemptions"] += 1
            totals["points_redeemed"] += int(payload["total"])
            who["redemptions"] += 1
            who["points_redeemed"] += int(payload["total"])
            for item in payload["items"]:
                line = goods.setdefault(item["item"], [0, 0])
                line[0] += int(item["quantity"])
                line[1] += int(item["quantity"]) * int(item["points"])
        elif event_type == "points.reversed":
            totals["reversals"] += 1
            who["reversals"] += 1
        elif event_type in ("points.awarded", "points.deducted"):
            points = abs(int((rules.get(payload.get("rule")) or {}).get("points") or 0))
            kind = "awards" if event_type == "points.awarded" else "deductions"
            totals[kind] += 1
            totals["points_awarded" if kind == "awards" else "points_deducted"] += points
            who["points_awarded" if kind == "awards" else "points_deducted"] += points
    return DayClose(
        community=services.community(),
        device=services.device_code(),
        business_date=day,
        printed_at=services.now(),
        goods_out=tuple(
            GoodsOut(
                (catalogue.get(key) or {}).get("name_zh", key),
                qty,
                pts,
                (catalogue.get(key) or {}).get("unit_zh", ""),
            )
            for key, (qty, pts) in sorted(goods.items())
        ),
        by_staff=tuple(StaffTotals(name, **values) for name, values in sorted(staff.items())),
        **totals,
    )
