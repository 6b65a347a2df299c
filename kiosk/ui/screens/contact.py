"""Report a problem, step 6 (optional): how the centre can reach you, or stay anonymous."""

from __future__ import annotations

from kiosk.i18n import N_
from kiosk.ui.widgets import KioskScreen


class ContactScreen(KioskScreen):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = N_("Can we call you back?")
        self.prompt = N_("Scan your points card, type your phone number, or stay anonymous.")
        self.has_draft = True

    def by_card(self):
        self.app.go("scan", purpose="contact")

    def by_phone(self):
        def got_phone(value: str):
            draft = self.app.draft
            draft.contact_kind, draft.phone, draft.card = "phone", value, None
            self.app.go("review")

        self.app.go("keypad", purpose="phone", done=got_phone, back="contact")

    def anonymous(self):
        draft = self.app.draft
        draft.contact_kind, draft.phone, draft.card = "anonymous", None, None
        self.app.go("review")
