"""Report a problem, step 2: quick phrases for the chosen category, tapped, never typed."""

from __future__ import annotations

from kiosk.i18n import N_
from kiosk.ui.widgets import KioskScreen, Tile


class PhrasesScreen(KioskScreen):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = N_("What is wrong?")
        self.prompt = N_("Tap the sentences that fit. You can tap more than one.")
        self.has_draft = True

    def setup(self, **options):
        draft = self.app.draft
        row = self.app.services.category(draft.category) or {}
        phrases = row.get("phrases_zh") if self.app.lang == "zh_CN" else row.get("phrases_en")
        phrases = phrases or row.get("phrases_zh") or row.get("phrases_en") or []
        grid = self.ids.grid
        grid.clear_widgets()
        for phrase in phrases[:8]:
            tile = Tile(text=phrase, font_size=self.ids.grid.tile_font)
            tile.phrase = phrase
            tile.picked = phrase in draft.phrases
            tile.bind(on_press=self.toggle)
            grid.add_widget(tile)

    def refresh(self):
        if self.app.draft.category:
            self.setup()

    def toggle(self, tile):
        tile.picked = not tile.picked
        chosen = self.app.draft.phrases
        if tile.picked and tile.phrase not in chosen:
            chosen.append(tile.phrase)
        elif not tile.picked and tile.phrase in chosen:
            chosen.remove(tile.phrase)
