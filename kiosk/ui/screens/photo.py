"""Report a problem, step 5 (optional): a photo from the kiosk camera after a countdown."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import NumericProperty, StringProperty

from kiosk.i18n import N_
from kiosk.photo import take_photo
from kiosk.ui.widgets import KioskScreen


class PhotoScreen(KioskScreen):
    state = StringProperty("idle")  # idle | counting | taking | taken
    status = StringProperty("")
    countdown = NumericProperty(0)
    image = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = N_("Show us with a photo")
        self.prompt = N_(
            "You can add a photo. Hold the problem up to the camera. This is optional."
        )
        self.has_draft = True
        self._event = None
        self._count = 0

    def setup(self, **options):
        photo = self.app.draft.photo
        self.state = "taken" if photo else "idle"
        self.image = str(photo) if photo else ""
        self.status = N_("Your photo is kept.") if photo else ""

    def reset(self):
        if self._event:
            self._event.cancel()
        self.state, self.image, self.status = "idle", "", ""

    def take(self):
        if self.state in ("counting", "taking"):
            return
        self.app.draft.photo = None
        self.image = ""
        self.countdown = self.app.kiosk_config.photo_countdown_seconds
        self.state = "counting"
        self.status = N_("Hold still...")
        self._event = Clock.schedule_interval(self._tick, 1)
        if self.countdown <= 0:
            self._tick(0)

    def _tick(self, _dt):
        if self.countdown > 1:
            self.countdown -= 1
            return
        self._event.cancel()
        self.countdown = 0
        self.state = "taking"
        self._count += 1
        out = self.app.work_dir / f"photo-{self._count}.jpg"
        take_photo(self.app.kiosk_config.camera_source, out, self._taken, self.app.deliver)

    def _taken(self, path, problem):
        if self.state != "taking":
            return
        if path is None:
            self.state = "idle"
            self.status = problem
        else:
            self.app.draft.photo = path
            self.image = str(path)
            self.ids.preview.reload()
            self.state = "taken"
            self.status = N_("Your photo is kept.")
        self.app.speaker.say(self.tr(self.status), self.app.lang)
