"""Emergency help: asks once, then records `help.requested` and shows the numbers to call."""

from __future__ import annotations

import logging

from kivy.properties import BooleanProperty, StringProperty

from kiosk.i18n import N_
from kiosk.ui.widgets import KioskScreen

log = logging.getLogger(__name__)


class HelpScreen(KioskScreen):
    confirmed = BooleanProperty(False)
    status = StringProperty("")
    property_phone = StringProperty("")
    emergency_phone = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = N_("Emergency help")
        self.prompt = N_("Do you need help now? Tap the red button to call for help.")
        self._ask = self.ids.ask.__self__  # strong references: one of them is always detached
        self._numbers = self.ids.numbers.__self__
        self.ids.body.remove_widget(self._numbers)

    def _show(self, part) -> None:
        """One of the two parts under the heading: the question, or the numbers to call."""
        body = self.ids.body
        for child in (self._ask, self._numbers):
            if child.parent is not None and child is not part:
                body.remove_widget(child)
        if part.parent is None:
            body.add_widget(part)

    def setup(self, **options):
        self._show(self._ask)
        self.confirmed = False
        self.status = ""
        self.prompt = N_("Do you need help now? Tap the red button to call for help.")
        services = self.app.services
        self.property_phone = services.phone("property_office")
        self.emergency_phone = services.phone("emergency")

    def confirm(self):
        try:
            self.app.services.request_help()
            self.status = N_("The property office has been told. Help is on the way.")
        except Exception:
            log.exception("help.requested could not be recorded")
            self.status = N_("The alarm could not be sent. Please call the numbers below.")
        self.confirmed = True
        self._show(self._numbers)
        self.prompt = self.status
        self.app.speak_prompt()
