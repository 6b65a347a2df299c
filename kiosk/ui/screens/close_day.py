"""Staff: close the day. Today's totals on screen and on a printed slip."""

from __future__ import annotations

import logging

from kivy.properties import StringProperty

from kiosk.i18n import N_
from kiosk.printer_desk import day_totals
from kiosk.printing import day_close
from kiosk.ui.widgets import KioskScreen

log = logging.getLogger(__name__)


class CloseDayScreen(KioskScreen):
    summary = StringProperty("")
    status = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = N_("Close the day")
        self.prompt = N_("Check today's totals, then print the day's close.")
        self._close = None

    def setup(self, **options):
        self.status = ""
        self._close = day_totals(self.app.services)
        self.refresh()

    def refresh(self):
        close, tr = self._close, self.tr
        if close is None:
            return
        lines = [
            tr("Redemptions: {n}, {p} points").format(
                n=close.redemptions, p=close.points_redeemed
            ),
            tr("Reversals: {n}").format(n=close.reversals),
            tr("Awards: {n}, {p} points").format(n=close.awards, p=close.points_awarded),
            tr("Deductions: {n}, {p} points").format(n=close.deductions, p=close.points_deducted),
        ]
        goods = ", ".join(f"{g.name_zh} x{g.quantity}" for g in close.goods_out[:8])
        if goods:
            lines.append(tr("Goods out: {goods}").format(goods=goods))
        self.summary = "\n".join(lines)

    def print_close(self):
        self.status = self.tr("Printing...")
        self.app.services.printer.submit(day_close(self._close), self._printed)

    def _printed(self, problem):
        self.status = (
            self.app.printer_sentence(problem)
            if problem
            else self.tr("The day's close is printed.")
        )
