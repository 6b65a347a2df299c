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

    def setup(self, **options):
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
        self.prompt = self.status
        self.app.speak_prompt()
