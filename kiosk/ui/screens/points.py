"""My points: balance, this month's points, rank, last entries and what the balance buys."""

from __future__ import annotations

import logging

from kivy.properties import StringProperty

from kiosk.i18n import N_, pick
from kiosk.ui.widgets import KioskScreen

log = logging.getLogger(__name__)


class PointsScreen(KioskScreen):
    name_masked = StringProperty("")
    balance = StringProperty("")
    summary = StringProperty("")
    buys = StringProperty("")
    problem = StringProperty("")
    note = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = N_("My points")
        self.prompt = N_("Here are your points.")
        self._card = None

    def setup(self, card="", **options):
        self._card = self.app.services.points.lookup(card) if card else None
        self.refresh()

    def refresh(self):
        card, tr, lang, services = self._card, self.tr, self.app.lang, self.app.services
        self.name_masked = self.balance = self.summary = self.buys = ""
        self.problem = self.note = ""
        if card is None:
            return
        if not card.ok:
            if card.refusal.code == "no_account" and not self.app.kiosk_config.staff_mode:
                # Limitation: lift and square kiosks are not sent cards and accounts (the
                # sync state keeps them to supermarket devices), so they show no balance.
                self.note = tr(
                    "Your card is valid. Your balance is shown at the points supermarket kiosk."
                )
            else:
                self.problem = self.app.refusal_sentence(card)
            return
        self.name_masked = card.name_masked
        self.balance = str(card.balance)
        lines = [tr("This month: {n} points").format(n=card.month_earned)]
        rank = services.star_rank(card.account)
        if rank:
            lines.append(tr("Rank this month: {n}").format(n=rank))
        for entry in services.recent_entries(card.account):
            sign = "+" if entry["points"] > 0 else ""
            lines.append(f"{entry['when']}  {pick(entry, 'name', lang)}  {sign}{entry['points']}")
        self.summary = "\n".join(lines)
        items = [pick(row, "name", lang) for row in services.affordable(card.balance)[:6]]
        self.buys = (
            (tr("Your points can buy:") + " " + ", ".join(items))
            if items
            else tr("Keep collecting points to buy goods at the points supermarket.")
        )
