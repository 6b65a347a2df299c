"""Report a problem, the end: the ticket number large, a QR code to follow it, a slip."""

from __future__ import annotations

import io

import qrcode
from kivy.core.image import Image as CoreImage
from kivy.properties import ObjectProperty, StringProperty

from kiosk.i18n import N_
from kiosk.ui.widgets import KioskScreen


def qr_texture(text: str):
    image = qrcode.make(text, box_size=8, border=2)
    data = io.BytesIO()
    image.save(data, format="PNG")
    data.seek(0)
    return CoreImage(data, ext="png").texture


class TicketScreen(KioskScreen):
    ticket = StringProperty("")
    print_status = StringProperty("")
    qr = ObjectProperty(None, allownone=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = N_("Your report is sent")
        self.prompt = N_("Thank you. Keep your ticket slip. Your ticket number is on the screen.")

    def setup(self, ticket="", **options):
        self.ticket = ticket
        self.qr = qr_texture(self.app.services.track_link(ticket)) if ticket else None
        self.print_status = self.tr("Printing your ticket slip...")
        self.app.services.printer.print_ticket(ticket, self.app.draft, self._printed)

    def _printed(self, problem):
        if problem is None:
            self.print_status = self.tr("Your ticket slip is printed. Please take it.")
        else:
            self.print_status = self.app.printer_sentence(problem)
        self.app.speaker.say(self.print_status, self.app.lang)

    def reprint(self):
        self.print_status = self.tr("Printing your ticket slip...")
        self.app.services.printer.reprint(self._printed)
