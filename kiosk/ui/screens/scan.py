"""Scan a points card or a ticket slip at the camera (or a handheld scanner)."""

from __future__ import annotations

import logging

from kivy.clock import Clock
from kivy.properties import ListProperty, StringProperty

from kiosk.i18n import N_
from kiosk.ui.screens.photo import frame_texture
from kiosk.ui.widgets import KioskScreen

log = logging.getLogger(__name__)

# purpose -> (title, prompt, what it accepts)
PURPOSES = {
    "track": (
        N_("Track my report"),
        N_("Hold your ticket slip in front of the camera."),
        "ticket",
    ),
    "points": (N_("My points"), N_("Hold your points card in front of the camera."), "card"),
    "contact": (
        N_("Scan my points card"),
        N_("Hold your points card in front of the camera."),
        "card",
    ),
    "redeem": (N_("Redeem points"), N_("Scan the resident's points card."), "card"),
    "award": (N_("Scan the cards"), N_("Scan each resident's card, then tap Done."), "card"),
    "reverse": (N_("Reverse a redemption"), N_("Scan the resident's points card."), "card"),
}

WRONG_KIND = {
    "ticket": N_("That is not a ticket slip. Please hold up the slip with your ticket number."),
    "card": N_("That is not a points card. Please hold up your points card."),
}


class ScanScreen(KioskScreen):
    purpose = StringProperty("points")
    status = StringProperty("")
    status_text = StringProperty("")
    cards = ListProperty()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.has_draft = True
        self._done = None
        self._back = "home"
        self._preview = None
        self._frame_seq = 0

    def setup(self, purpose="points", done=None, back="home", **options):
        self.purpose = purpose
        self.title, self.prompt, _accepts = PURPOSES[purpose]
        self.status = ""
        self.status_text = ""
        self.cards = []
        self._done = done
        self._back = back
        self.app.services.scans.listen(self.on_scan)
        Clock.schedule_once(self._check_camera, 2.0)
        self._frame_seq = 0
        self.ids.live.texture = None
        if self._preview is None:
            self._preview = Clock.schedule_interval(self._show_preview, 0.2)

    def _show_preview(self, _dt):
        """What the camera sees, so a resident can hold the card where it can be read."""
        frame = self.app.services.scans.newest_frame(self._frame_seq)
        if frame is not None:
            self._frame_seq = frame.seq
            self.ids.live.texture = frame_texture(frame.image, self.ids.live.texture)
            self.ids.live.canvas.ask_update()  # same texture, new pixels: redraw

    def _check_camera(self, _dt):
        problem = self.app.services.scans.camera_problem
        if self.manager and self.manager.current == self.name and problem and not self.status:
            self.say(N_("The camera is not working just now. Please ask the staff for help."))

    def on_leave(self, *args):
        if self._preview is not None:
            self._preview.cancel()
            self._preview = None
        self.app.services.scans.listen(None)

    def say(self, sentence: str, text: str = "") -> None:
        self.status = sentence
        self.status_text = text or self.tr(sentence)
        self.app.speaker.say(self.status_text, self.app.lang)

    def on_scan(self, scan) -> None:
        """One verified scan from the camera or a handheld scanner."""
        accepts = PURPOSES[self.purpose][2]
        if not scan.ok:
            lang = "zh" if self.app.lang == "zh_CN" else "en"
            self.say("", scan.message(lang))
            return
        if scan.kind != accepts:
            self.say(WRONG_KIND[accepts])
            return
        app = self.app
        if self.purpose == "track":
            app.go("track", ticket=scan.ticket)
        elif self.purpose == "points":
            app.go("points", card=scan.text)
        elif self.purpose == "contact":
            draft = app.draft
            draft.contact_kind, draft.card, draft.phone = "card", scan.text, None
            app.go("review")
        elif self.purpose == "redeem":
            app.go("redeem", card=scan.text)
        elif self.purpose == "reverse":
            self._done(scan.text)
        elif self.purpose == "award":
            if scan.text in self.cards:
                self.say(N_("This card is already in the list."))
                return
            self.cards.append(scan.text)
            self.say(N_("Card added. Scan the next card or tap Done."))

    def type_ticket(self):
        self.app.go(
            "keypad",
            purpose="ticket",
            done=lambda t: self.app.go("track", ticket=t),
            back=lambda: self.app.go("scan", purpose="track"),
        )

    def finish(self):
        if self._done and self.cards:
            self._done(list(self.cards))

    def back(self):
        if callable(self._back):
            self._back()
        else:
            self.app.go(self._back)
