"""The home screen: large tiles for everything a resident can do at this kiosk."""

from __future__ import annotations

from kivy.properties import ListProperty

from kiosk.i18n import N_
from kiosk.ui import theme
from kiosk.ui.widgets import KioskScreen, Tile

ICONS = "assets/icons/home"

TILES = [
    ("report", N_("Report a problem"), "report"),
    ("track", N_("Track my report"), "track"),
    ("points", N_("My points"), "points"),
    ("stars", N_("Points stars"), "stars"),
    ("notices", N_("Notices"), "notices"),
    ("service", N_("Home visit"), "service"),
    ("help", N_("Emergency help"), "help"),
]


class HomeScreen(KioskScreen):
    tiles = ListProperty()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = N_("What would you like to do?")
        self.prompt = N_("Tap a big button. Red is for emergency help.")
        self._build_tiles()

    def _build_tiles(self) -> None:
        from kiosk.ui.icons import icon_path

        grid = self.ids.grid
        entries = list(TILES)
        if self.app.kiosk_config.staff_mode:
            entries.insert(6, ("staff", N_("Staff"), "staff"))
        for action, text, icon in entries:
            tile = Tile(icon=icon_path("home", icon))
            tile.msgid = text
            tile.action = action
            if action == "help":
                tile.bg_color = theme.DANGER
            tile.bind(on_press=lambda t: self.open(t.action))
            grid.add_widget(tile)
        grid.cols = 4
        self.refresh()

    def refresh(self) -> None:
        for tile in self.ids.grid.children:
            tile.text = self.tr(tile.msgid)

    def open(self, action: str) -> None:
        app = self.app
        if action == "report":
            app.draft.__init__()
            app.go("category")
        elif action == "track":
            app.go("scan", purpose="track")
        elif action == "points":
            app.go("scan", purpose="points")
        elif action == "stars":
            app.go("stars", attract=False)
        elif action == "staff":
            app.go("keypad", purpose="staff_pin")
        else:
            app.go(action)
