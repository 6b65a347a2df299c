"""Report a problem, step 3: where. This kiosk's place by default, or building and unit."""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.i18n import N_
from kiosk.ui.widgets import KioskScreen


class LocationScreen(KioskScreen):
    here = StringProperty("")
    chosen = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = N_("Where is the problem?")
        self.prompt = N_("Is the problem here, or at your home? Tap one.")
        self.has_draft = True

    def setup(self, **options):
        self.refresh()

    def refresh(self):
        draft = self.app.draft
        self.here = self.app.services.location_name(self.app.lang)
        if draft.building:
            self.chosen = self.tr("Building {b}, unit {u}").format(
                b=draft.building, u=draft.unit or "-"
            )
        else:
            self.chosen = ""

    def use_here(self):
        self.app.draft.building = None
        self.app.draft.unit = None
        self.app.go("voice")

    def use_home(self):
        def got_building(value: str):
            self.app.draft.building = int(value)
            self.app.go("keypad", purpose="unit", done=got_unit, back="location")

        def got_unit(value: str):
            self.app.draft.unit = int(value)
            self.app.go("voice")

        self.app.go("keypad", purpose="building", done=got_building, back="location")
