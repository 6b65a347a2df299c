"""A plain result page: what happened, in a sentence, and a way on."""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.i18n import N_
from kiosk.ui.widgets import KioskScreen


class MessageScreen(KioskScreen):
    text = StringProperty("")
    big = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._next = None

    def setup(self, text="", title=N_("Done"), big="", next=None, **options):
        self.title = title
        self.text = text
        self.prompt = text
        self.big = big
        self._next = next

    def finish(self):
        if self._next:
            self._next()
        else:
            self.app.go_home()
