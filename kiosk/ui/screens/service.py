"""Ask for a home visit: pay bills, fetch medicine, or a social-security check."""

from __future__ import annotations

import logging

from kiosk.i18n import N_
from kiosk.ui.widgets import KioskScreen

log = logging.getLogger(__name__)

SERVICE_NAMES = {
    "pay_bills": N_("Pay my bills"),
    "fetch_medicine": N_("Fetch my medicine"),
    "social_security": N_("Social-security check"),
}


class ServiceScreen(KioskScreen):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = N_("Ask for a home visit")
        self.prompt = N_("What can we do for you at home? Tap one.")
        self.has_draft = True

    def choose(self, service: str):
        app = self.app
        choice = {"service": service}

        def got_building(value):
            choice["building"] = int(value)
            app.go("keypad", purpose="unit", done=got_unit, back="service")

        def got_unit(value):
            choice["unit"] = int(value)
            app.go("keypad", purpose="phone", done=got_phone, back="service")

        def got_phone(value):
            try:
                ticket = app.services.request_service(
                    service, choice["building"], choice["unit"], value
                )
            except Exception:
                log.exception("service.requested could not be recorded")
                app.go("message", text=N_("Your request could not be saved. Please try again."))
                return
            app.go(
                "message",
                title=N_("Ask for a home visit"),
                text=N_("We have your request. Someone will call you to arrange the visit."),
                big=ticket,
            )

        app.go("keypad", purpose="building", done=got_building, back="service")
