"""Building blocks every screen uses: labels, tiles, buttons, a number keypad.

Each widget that paints a background keeps its colour in ``bg_color``; labels
keep theirs in ``color``. The elderly-use tests read both to compute contrast.
"""

from __future__ import annotations

from kivy.metrics import dp
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen

from kiosk.ui import theme


class Surface:
    """A mixin for widgets that paint their own background colour."""


class Panel(Surface, BoxLayout):
    bg_color = ColorProperty(theme.PAGE)


class KLabel(Label):
    """Body text: 24 sp, line spacing 1.3, wraps inside its width."""


class Tile(Surface, ButtonBehavior, BoxLayout):
    """A main tile: at least 60 dp square, 30 sp or more, optional icon above the text."""

    text = StringProperty("")
    icon = StringProperty("")
    bg_color = ColorProperty(theme.TILE)
    fg_color = ColorProperty(theme.WHITE)
    picked = BooleanProperty(False)
    font_size = NumericProperty(dp(theme.TILE_FONT))
    is_tile = True


class KButton(Surface, ButtonBehavior, Label):
    """Any other touch target: at least 48 dp, 24 sp bold."""

    bg_color = ColorProperty(theme.TILE)


class HomeButton(KButton):
    """Back to the home screen, discarding any draft."""


class Keypad(GridLayout):
    """A big 0-9 keypad; no screen needs the on-screen keyboard."""

    value = StringProperty("")
    max_length = NumericProperty(11)

    def press(self, key: str) -> None:
        if key == "back":
            self.value = self.value[:-1]
        elif key == "clear":
            self.value = ""
        elif len(self.value) < self.max_length:
            self.value += key


class KioskScreen(Surface, Screen):
    """A screen with a prompt that can be read aloud and a title for the header."""

    bg_color = ColorProperty(theme.PAGE)
    title = StringProperty("")
    prompt = StringProperty("")
    has_draft = BooleanProperty(False)
    app = ObjectProperty(None, allownone=True)

    def tr(self, text: str) -> str:
        return self.app.tr(text) if self.app else text

    def setup(self, **options) -> None:
        """Prepare the screen before it is shown; ``options`` come from ``app.go``."""
        self.refresh()

    def refresh(self) -> None:
        """Rebuild text that comes from data (reference rows) in the current language."""

    def shutdown(self) -> None:
        """Release devices (a camera) before the app exits."""

    def reset(self) -> None:
        """Forget what the last person entered; called when the kiosk goes home."""
