"""Report a problem, step 7: everything at a glance, then send."""

from __future__ import annotations

import logging

from kivy.properties import StringProperty

from kiosk.i18n import N_, pick
from kiosk.ui.widgets import KioskScreen

log = logging.getLogger(__name__)


class ReviewScreen(KioskScreen):
    summary = StringProperty("")
    error = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = N_("Please check your report")
        self.prompt = N_("Is this right? Tap Send to send your report.")
        self.has_draft = True

    def setup(self, **options):
        self.error = ""
        self.refresh()

    def refresh(self):
        app, draft, tr = self.app, self.app.draft, self.tr
        category = pick(app.services.category(draft.category), "name", app.lang)
        if draft.building:
            where = tr("Building {b}, unit {u}").format(b=draft.building, u=draft.unit or "-")
        else:
            where = app.services.location_name(app.lang)
        contact = {
            "card": tr("By points card"),
            "phone": tr("By phone, ending {last4}").format(last4=(draft.phone or "")[-4:]),
            "anonymous": tr("Anonymous"),
        }[draft.contact_kind]
        lines = [
            f"{tr('Problem')}: {category}",
            f"{tr('What')}: {'; '.join(draft.phrases) if draft.phrases else '-'}",
            f"{tr('Where')}: {where}",
            f"{tr('Voice note')}: {tr('Yes') if draft.voice else tr('No')}",
            f"{tr('Photo')}: {tr('Yes') if draft.photo else tr('No')}",
            f"{tr('Contact')}: {contact}",
        ]
        self.summary = "\n".join(lines)

    def send(self):
        try:
            ticket = self.app.services.submit_report(self.app.draft)
        except Exception:
            log.exception("report could not be recorded")
            self.error = N_("Your report could not be saved. Please tap Send again.")
            return
        self.app.go("ticket", ticket=ticket)
