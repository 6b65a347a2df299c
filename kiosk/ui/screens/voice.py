"""Report a problem, step 4 (optional): a voice note of up to a minute."""

from __future__ import annotations

import time

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.i18n import N_
from kiosk.ui.widgets import KioskScreen
from kiosk.voice import VoiceRecorder


class VoiceScreen(KioskScreen):
    state = StringProperty("idle")  # idle | recording | recorded
    status = StringProperty("")
    seconds = NumericProperty(0)
    can_record = BooleanProperty(False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = N_("Say it in your own words")
        self.prompt = N_("You can leave a voice note. Tap Record and speak. This is optional.")
        self.has_draft = True
        cfg = self.app.kiosk_config
        self.recorder = VoiceRecorder(
            self.app.work_dir,
            cfg.max_voice_seconds,
            cfg.record_command,
            cfg.play_command,
            self.app.deliver,
        )
        self.can_record = self.recorder.available
        self._started = 0.0
        self._tick = None

    def setup(self, **options):
        if self.app.draft.voice:
            self.state = "recorded"
            self.status = N_("Your voice note is kept. Tap Play to hear it.")
        else:
            self.state = "idle"
            self.status = (
                ""
                if self.recorder.available
                else N_("This kiosk has no microphone. You can go on without a voice note.")
            )

    def reset(self):
        self.recorder.stop()
        self.state = "idle"
        self.status = ""

    def record(self):
        if self.state == "recording":
            self.stop()
            return
        self.app.draft.voice = None
        self.state = "recording"
        self.status = N_("Recording... speak now, then tap Stop.")
        self._started = time.monotonic()
        self.seconds = 0
        self._tick = Clock.schedule_interval(self._count, 0.5)
        self.recorder.record(self._recorded)

    def _count(self, _dt):
        self.seconds = int(time.monotonic() - self._started)
        if self.seconds >= self.app.kiosk_config.max_voice_seconds:
            self.stop()

    def stop(self):
        self.recorder.stop()

    def _recorded(self, path, problem):
        if self._tick:
            self._tick.cancel()
            self._tick = None
        if self.manager is None or self.state != "recording":
            return
        if path is None:
            self.state = "idle"
            self.status = problem
        else:
            self.app.draft.voice = path
            self.state = "recorded"
            self.status = N_("Your voice note is kept. Tap Play to hear it.")
        self.app.speaker.say(self.tr(self.status), self.app.lang)

    def play(self):
        if self.app.draft.voice:
            self.status = N_("Playing your voice note...")
            self.recorder.play(self.app.draft.voice, self._played)

    def _played(self, problem):
        self.status = problem or N_("Your voice note is kept. Tap Play to hear it.")

    def next(self):
        self.recorder.stop()
        self.app.go("photo")
