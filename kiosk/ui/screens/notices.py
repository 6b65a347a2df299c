"""Notices: policy and community news, a list of titles and one opened at a time."""

from __future__ import annotations

from kivy.metrics import dp
from kivy.properties import NumericProperty, StringProperty

from kiosk.i18n import N_, pick
from kiosk.ui import theme
from kiosk.ui.widgets import KButton, KioskScreen

PAGE_SIZE = 3


class NoticesScreen(KioskScreen):
    heading = StringProperty("")
    body = StringProperty("")
    page = NumericProperty(0)
    pages = NumericProperty(1)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = N_("Notices")
        self.prompt = N_("Tap a notice to read it.")
        self._open = None

    def setup(self, **options):
        self._open = None
        self.page = 0
        self.refresh()

    def refresh(self):
        lang = self.app.lang
        notices = self.app.services.notices()
        self.pages = max(1, (len(notices) + PAGE_SIZE - 1) // PAGE_SIZE)
        box = self.ids.titles
        box.clear_widgets()
        for notice in notices[self.page * PAGE_SIZE : (self.page + 1) * PAGE_SIZE]:
            button = KButton(text=pick(notice, "title", lang))
            button.bind(texture_size=self._fit)
            button.notice = notice
            button.bind(on_press=lambda b: self.open(b.notice))
            box.add_widget(button)
        if self._open is None and notices:
            self._open = notices[0]
        self.heading = pick(self._open, "title", lang)
        self.body = pick(self._open, "body", lang) or self.tr("There are no notices just now.")

    @staticmethod
    def _fit(button, texture_size):
        """A long title wraps onto a second line; the button grows with it."""
        button.height = max(dp(theme.BUTTON_HEIGHT), texture_size[1] + dp(16))

    def open(self, notice):
        self._open = notice
        self.refresh()
        self.app.speaker.say(self.heading + "\n" + self.body, self.app.lang)

    def turn(self, step: int):
        self.page = (self.page + step) % self.pages
        self._open = None
        self.refresh()
