"""Kivy settings that must be in place before the window exists.

Kivy reads its configuration when ``kivy.core.window`` is first imported, so
``prepare`` runs before any screen module is imported. It also registers the
bundled CJK font under Kivy's default font name, so every label, including
ones from Kivy's own widgets, draws Chinese instead of boxes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent / "assets"
FONT_REGULAR = ASSETS / "fonts" / "NotoSansSC-Regular.otf"
FONT_BOLD = ASSETS / "fonts" / "NotoSansSC-Bold.otf"

_prepared = False


def prepare(*, fullscreen: bool, size: tuple[int, int] = (1280, 800), home: str | None = None):
    """Set Kivy's environment and configuration for a kiosk or a development window."""
    global _prepared
    if _prepared:
        return
    if "kivy.core.window" in sys.modules:
        raise RuntimeError("kiosk.boot.prepare must run before kivy.core.window is imported")
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    # Sizes are given in dp; a fixed density keeps 1 dp = 1 px on the kiosk's
    # panel unless the technician sets KIVY_METRICS_DENSITY for a denser one.
    os.environ.setdefault("KIVY_METRICS_DENSITY", "1")
    if home:
        os.environ.setdefault("KIVY_HOME", home)
    # SDL keeps the screen saver off while the window is open; say so explicitly.
    os.environ.setdefault("SDL_VIDEO_ALLOW_SCREENSAVER", "0")

    from kivy.config import Config

    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "log_level", "warning")
    # Touch screens report touches; the mouse provider must not draw the red
    # multitouch emulation dots on a right click.
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("graphics", "resizable", "1" if not fullscreen else "0")
    if fullscreen:
        Config.set("graphics", "fullscreen", "auto")
        Config.set("graphics", "show_cursor", "0")
        Config.set("graphics", "borderless", "1")
    else:
        Config.set("graphics", "fullscreen", "0")
        Config.set("graphics", "show_cursor", "1")
        Config.set("graphics", "width", str(size[0]))
        Config.set("graphics", "height", str(size[1]))

    from kivy.core.text import DEFAULT_FONT, LabelBase

    LabelBase.register(
        DEFAULT_FONT,
        fn_regular=str(FONT_REGULAR),
        fn_bold=str(FONT_BOLD),
        fn_italic=str(FONT_REGULAR),
        fn_bolditalic=str(FONT_BOLD),
    )
    _prepared = True
