"""What the screens ask of the device: the store, points, printer, scanner, camera.

The screens call only this module. It opens the device store, records the
kiosk's own events (report, home-visit request, help) and hands points,
printing and scanning to their packages (`kiosk.points`, `kiosk.printing`,
`kiosk.scanner`). Results from worker threads come back on the UI thread
through the ``deliver`` function the app passes in (``Clock.schedule_once``).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from kiosk.config import KioskConfig
from kiosk.i18n import N_, pick
from kiosk.points import PointsDesk
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
from terminal_agent.store import Store

log = logging.getLogger(__name__)

Deliver = Callable[[Callable[[], None]], None]

STATUS_WORDS = {
    "submitted": N_("Received, waiting to be sent to a department"),
    "routed": N_("Sent to the department in charge"),
    "accepted": N_("The department is working on it"),
    "resolved": N_("Done; the centre will check it with you"),
    "reviewed": N_("Checked; the centre will call you for your opinion"),
    "closed": N_("Closed. Thank you"),
}

SERVICES = ("pay_bills", "fetch_medicine", "social_security")


@dataclass
class ReportDraft:
    """What a resident has entered so far in the report flow; discarded when going home."""

    category: str | None = None
    phrases: list[str] = field(default_factory=list)
    building: int | None = None
    unit: int | None = None
    voice: Path | None = None
    photo: Path | None = None
    contact_kind: str = "anonymous"
    card: str | None = None
    phone: str | None = None

    def payload(self, ticket: str, location: str) -> dict:
        contact: dict = {"kind": self.contact_kind}
        if self.contact_kind == "card":
            contact["card"] = self.card
        elif self.contact_kind == "phone":
            contact["phone"] = self.phone
        return {
            "ticket": ticket,
            "category": self.category,
            "location": location,
            "building": self.building,
            "unit": self.unit,
            "phrases": list(self.phrases),
            "contact": contact,
        }

    def media(self) -> list[tuple[Path, str]]:
        found = []
        if self.voice and self.voice.is_file():
            found.append((self.voice, "voice"))
        if self.photo and self.photo.is_file():
            found.append((self.photo, "photo"))
        return found


class Services:
    """The device behind the screens; one per app."""

    def __init__(self, config: KioskConfig, deliver: Deliver, work_dir: Path):
        self.config = config
        self.deliver = deliver
        self.work_dir = work_dir
        work_dir.mkdir(parents=True, exist_ok=True)
        self.store = Store(config.store)
        self.scans = ScanHub(self.store, deliver, config.camera_source)
        self.points = PointsDesk(self.store)
        self.printer = PrinterDesk(config, self, deliver)

    def close(self) -> None:
        self.scans.close()
        self.printer.close()
        self.store.close()

    # ------------------------------------------------------------ reference data

    def categories(self) -> list[dict]:
        return [row for row in self.store.reference("categories") if row.get("key")]

    def category(self, key: str | None) -> dict | None:
        return self.store.reference_row("categories", key) if key else None

    def location_name(self, language: str) -> str:
        row = self.store.reference_row("locations", self.config.location)
        return pick(row, "name", language) or self.config.location

    def notices(self) -> list[dict]:
        rows = self.store.reference("notices")
        return sorted(rows, key=lambda r: str(r.get("published_at") or ""), reverse=True)

    def stars(self) -> list[dict]:
        rows = self.store.reference("stars")
        return sorted(rows, key=lambda r: int(r["key"]) if str(r["key"]).isdigit() else 99)

    def ticket_status(self, ticket: str) -> dict | None:
        """The ticket's reference row, or this device's own not-yet-synced report."""
        row = self.store.reference_row("tickets", ticket)
        if row:
            return row
        for event in self.store.local_events(["report.submitted"]):
            if event["payload"].get("ticket") == ticket:
                return {
                    "key": ticket,
                    "category": event["payload"]["category"],
                    "status": "submitted",
                    "updated_at": event["occurred_at"],
                }
        return None

    def phone(self, which: str) -> str:
        """A phone number for the help screen: the device's setting, else the config file."""
        if which == "property_office":
            return str(self.store.config_get("property_phone", self.config.property_phone) or "")
        if which == "hotline":
            return str(self.store.config_get("hotline", self.config.hotline) or "")
        return str(self.store.config_get("emergency_phone", self.config.emergency_phone))

    def online(self) -> bool | None:
        return self.store.sync_status().get("online")

    def track_link(self, ticket: str) -> str:
        template = self.config.track_url
        if not template:
            server = (self.store.identity() or {}).get("server") or ""
            template = server.rstrip("/") + "/t/{ticket}" if server else "/t/{ticket}"
        return template.replace("{ticket}", ticket)

    # ------------------------------------------------------------ the kiosk's own events

    def submit_report(self, draft: ReportDraft) -> str:
        """Record one `report.submitted` event; returns the ticket number."""
        ticket = self.store.next_ticket()
        payload = draft.payload(ticket, self.config.location)
        self.store.record_event("report.submitted", payload, draft.media())
        log.info("report %s recorded (category %s)", ticket, draft.category)
        return ticket

    def request_service(
        self, service: str, building: int | None, unit: int | None, phone: str | None
    ) -> str:
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r}")
        ticket = self.store.next_ticket()
        contact = {"kind": "phone", "phone": phone} if phone else {"kind": "anonymous"}
        self.store.record_event(
            "service.requested",
            {
                "service": service,
                "location": self.config.location,
                "building": building,
                "unit": unit,
                "contact": contact,
                "ticket": ticket,
            },
        )
        log.info("home-visit request %s recorded (%s)", ticket, service)
        return ticket

    def request_help(self) -> None:
        self.store.record_event("help.requested", {"location": self.config.location})
        log.info("emergency help requested at %s", self.config.location)

    def now(self) -> datetime:
        return datetime.now().astimezone()

    def device_code(self) -> str:
        ident = self.store.identity() or {}
        return str(ident.get("short_code") or self.store.config_get("short_code", "DEMO"))

    def community(self) -> str:
        return str(self.store.config_get("community_name", "") or "")

    def star_rank(self, account: str | None) -> int | None:
        for row in self.stars():
            if account is not None and str(row.get("account")) == str(account):
                return int(row["key"])
        return None

    def affordable(self, balance: int) -> list[dict]:
        """Catalogue items the balance pays for, dearest first (what a resident aims at)."""
        stock = self.points.stock()
        rows = [
            row
            for row in self.store.reference("catalogue")
            if int(row.get("points") or 0) <= balance and stock.get(row["key"]) != 0
        ]
        return sorted(rows, key=lambda r: -int(r.get("points") or 0))

    def recent_entries(self, account: str | None, limit: int = 4) -> list[dict]:
        """This device's points entries for the account since the last pull, newest first."""
        # Limitation: the sync state carries balances, not ledger history, so only entries
        # recorded on this device since the last pull can be listed here.
        found = []
        rules = {row["key"]: row for row in self.store.reference("rules")}
        for event in reversed(
            self.store.local_events(["points.awarded", "points.deducted", "points.redeemed"])
        ):
            payload = event["payload"]
            lookup = self.points.lookup(payload.get("card", ""))
            if not lookup.ok or lookup.account != account:
                continue
            when = str(event["occurred_at"])[5:10]
            if event["type"] == "points.redeemed":
                found.append(
                    {
                        "when": when,
                        "name_zh": "兑换",
                        "name_en": "Redeemed",
                        "points": -int(payload.get("total") or 0),
                    }
                )
            else:
                rule = rules.get(payload.get("rule"), {})
                found.append(
                    {
                        "when": when,
                        "name_zh": rule.get("name_zh", payload.get("rule")),
                        "name_en": rule.get("name_en", payload.get("rule")),
                        "points": int(rule.get("points") or 0),
                    }
                )
            if len(found) >= limit:
                break
        return found


class ScanHub:
    """Every scan, from the camera or a handheld scanner, classified and handed to one listener.

    The camera scanner (``kiosk.scanner``) runs only while a screen is waiting for a
    scan; the keyboard-wedge detector always listens, fed by the app's key events.
    """

    def __init__(self, store: Store, deliver: Deliver, camera_source: str = ""):
        from kiosk.scanner import KeyboardScanner

        self.store = store
        self.deliver = deliver
        self.camera_source = camera_source
        self._listener = None
        self._camera = None
        self.camera_problem: str | None = None
        self.keyboard = KeyboardScanner(self.classifier(), self._scanned)

    def classifier(self):
        from kiosk.scanner import Classifier

        return Classifier.from_store(self.store)

    def listen(self, callback) -> None:
        """Send scans to ``callback``; None when no screen is waiting for a scan."""
        self._listener = callback
        if callback is None:
            self._stop_camera()
        else:
            self.keyboard.classifier = self.classifier()  # keys or revocations may be new
            self._start_camera()

    @property
    def listening(self) -> bool:
        return self._listener is not None

    def _start_camera(self) -> None:
        if self._camera is not None or not self.camera_source:
            return
        from kiosk.scanner import camera_scanner_for

        self._camera = camera_scanner_for(
            self.store, self.camera_source, self._scanned, self._camera_health, loop=True
        ).start()

    def _stop_camera(self) -> None:
        camera, self._camera = self._camera, None
        if camera is not None:
            threading.Thread(target=camera.stop, name="camera-stop", daemon=True).start()

    def _camera_health(self, health) -> None:
        self.camera_problem = None if health.ok is not False else health.reason

    def _scanned(self, scan) -> None:
        """From the camera's decoding thread or the keyboard detector: on to the UI thread."""

        def hand_over():
            if self._listener is not None:
                self._listener(scan)

        self.deliver(hand_over)

    def submit(self, text, source: str = "wedge", symbology=None) -> None:
        """A code read by a scanner the kiosk does not drive itself (any thread)."""
        self._scanned(self.classifier().classify(text, source=source, symbology=symbology))

    def close(self) -> None:
        self._listener = None
        camera, self._camera = self._camera, None
        if camera is not None:
            camera.stop(timeout=2.0)


class PrinterDesk:
    """Slips for the kiosk, printed by `kiosk.printing`'s queue off the UI thread."""

    def __init__(self, config: KioskConfig, services: Services, deliver: Deliver):
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
            staff=staff,
            resident_name=str(account.get("name") or redemption.card.name_masked),
            card_no=redemption.card.card_no or "",
            items=[
                RedemptionItem(line.name_zh, line.quantity, line.points)
                for line in redemption.lines
            ],
            balance_before=redemption.balance_before,
            balance_after=redemption.balance_after,
            record_url=services.track_link(redemption.receipt),
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
