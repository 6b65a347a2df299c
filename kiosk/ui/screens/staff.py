"""Staff mode at the supermarket kiosk (behind the PIN): redeem, award, deduct, reverse..."""

from __future__ import annotations

import logging

from kiosk.i18n import N_
from kiosk.ui.widgets import KioskScreen

log = logging.getLogger(__name__)


class StaffScreen(KioskScreen):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = N_("Staff")
        self.prompt = N_("Choose what to do.")

    def redeem(self):
        self.app.go("scan", purpose="redeem", back="staff")

    def rules(self, direction: str):
        self.app.go("rules", direction=direction)

    def reverse(self):
        app = self.app

        def got_card(scan):
            def got_receipt(receipt: str):
                outcome = app.services.points.reverse(scan, receipt)
                if not outcome.ok:
                    app.go(
                        "message",
                        title=N_("Reverse a redemption"),
                        text=app.refusal_sentence(outcome),
                        next=lambda: app.go("staff"),
                    )
                    return
                app.go(
                    "message",
                    title=N_("Reverse a redemption"),
                    text=app.tr("Reversed: {n} points back. New balance {b}.").format(
                        n=outcome.points, b=outcome.balance_after
                    ),
                    big=outcome.receipt or receipt,
                    next=lambda: app.go("staff"),
                )

            app.go("keypad", purpose="ticket", done=got_receipt, back="staff")

        app.go("scan", purpose="reverse", done=got_card, back="staff")

    def reprint(self):
        app = self.app

        def printed(problem):
            text = (
                app.printer_sentence(problem)
                if problem
                else app.tr("The last slip is printed again.")
            )
            app.go(
                "message",
                title=N_("Print the last slip again"),
                text=text,
                next=lambda: app.go("staff"),
            )

        app.services.printer.reprint(printed)
