"""Report a problem, step 1: the twelve categories as icon tiles."""

from __future__ import annotations

from kiosk.i18n import N_, pick
from kiosk.ui.icons import icon_path
from kiosk.ui.widgets import KioskScreen, Tile

# The community's twelve categories in the order residents know them; others follow.
ORDER = [
    "housing_repair",
    "utilities",
    "lift_fault",
    "noise",
    "environment",
    "safety_hazard",
    "policy_question",
    "dispute_mediation",
    "job_referral",
    "school_places",
    "training",
    "supervision_complaint",
]


def _place(row: dict) -> tuple[int, str]:
    key = row["key"]
    return (ORDER.index(key) if key in ORDER else len(ORDER), key)


class CategoryScreen(KioskScreen):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = N_("Report a problem")
        self.prompt = N_("What is the problem about? Tap a picture.")
        self.has_draft = True
        self._keys: list[str] = []

    def setup(self, **options):
        rows = sorted(self.app.services.categories(), key=_place)
        keys = [row["key"] for row in rows]
        if keys != self._keys:
            grid = self.ids.grid
            grid.clear_widgets()
            for row in rows:
                tile = Tile(icon=icon_path("categories", row.get("icon") or row["key"]))
                tile.category = row
                tile.font_size = tile.font_size  # kept at the tile size
                tile.bind(on_press=lambda t: self.choose(t.category["key"]))
                grid.add_widget(tile)
            self._keys = keys
        self.refresh()

    def refresh(self):
        for tile in self.ids.grid.children:
            tile.text = pick(tile.category, "name", self.app.lang)

    def choose(self, key: str):
        self.app.draft.category = key
        self.app.draft.phrases = []
        self.app.go("phrases")
