"""What the screens ask of the device: the store, points, printer, scanner, camera.

The screens call only this module. It opens the device store, records the
kiosk's own events (report, home-visit request, help) and hands points,
printing and scanning to their packages (`kiosk.points`, `kiosk.printing`,
`kiosk.scanner`). Results from worker threads come back on the UI thread
through the ``deliver`` function the app passes in (``Clock.schedule_once``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from kiosk.config import KioskConfig
from kiosk.i18n import N_, pick
from kiosk.points import PointsDesk
from kiosk.printer_desk import PrinterDesk
from kiosk.scanning import ScanHub
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
        self.points = PointsDesk(self.store, staff=config.staff_name)
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

    def server_base(self) -> str:
        """The server's address: the enrolled one, else the one in the tracking link setting."""
        server = (self.store.identity() or {}).get("server") or ""
        if not server and "/t/" in self.config.track_url:
            server = self.config.track_url.split("/t/", 1)[0]
        return server.rstrip("/")

    def receipt_link(self, receipt: str) -> str:
        """The console's ledger page for one receipt (for staff, behind the console sign-in)."""
        return f"{self.server_base()}/console/points/ledger?card={receipt}"

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
