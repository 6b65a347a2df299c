"""Track my report: the ticket's status in plain words."""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.i18n import N_, pick
from kiosk.services import STATUS_WORDS
from kiosk.ui.widgets import KioskScreen


class TrackScreen(KioskScreen):
    ticket = StringProperty("")
    status_words = StringProperty("")
    detail = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = N_("Track my report")
        self.prompt = N_("This is what is happening with your report.")
        self._row = None

    def setup(self, ticket="", **options):
        self.ticket = ticket
        self._row = self.app.services.ticket_status(ticket) if ticket else None
        self.refresh()

    def refresh(self):
        row = self._row
        if row is None:
            self.status_words = self.tr(
                "We cannot find this ticket yet. If you reported it today, "
                "please check again tomorrow."
            )
            self.detail = ""
            return
        status = str(row.get("status") or "submitted")
        self.status_words = self.tr(STATUS_WORDS.get(status, STATUS_WORDS["submitted"]))
        category = pick(self.app.services.category(row.get("category")), "name", self.app.lang)
        updated = str(row.get("updated_at") or "")[:16].replace("T", " ")
        self.detail = "\n".join(
            filter(
                None,
                [
                    f"{self.tr('Problem')}: {category}" if category else "",
                    f"{self.tr('Last change')}: {updated}" if updated else "",
                ],
            )
        )
