"""Staff: award or deduct points. Pick the rule, then scan one card or several in a row."""

from __future__ import annotations

import logging

from kivy.core.window import Window
from kivy.metrics import dp
from kivy.properties import NumericProperty, StringProperty

from kiosk.i18n import N_, pick
from kiosk.ui import theme
from kiosk.ui.widgets import KioskScreen, Tile

log = logging.getLogger(__name__)


def page_size() -> int:
    """One rule per row, as many rows as the panel holds (at least three)."""
    return max(3, int((Window.height - dp(330)) / dp(92)))


class RulesScreen(KioskScreen):
    direction = StringProperty("award")
    page = NumericProperty(0)
    pages = NumericProperty(1)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.prompt = N_("Choose the rule, then scan the cards.")

    def setup(self, direction="award", **options):
        self.direction = direction
        self.title = N_("Award points") if direction == "award" else N_("Deduct points")
        self.page = 0
        self.refresh()

    def refresh(self):
        rules = [
            rule
            for rule in self.app.services.points.rules().values()
            if (rule.points > 0) == (self.direction == "award")
        ]
        size = page_size()
        self.pages = max(1, (len(rules) + size - 1) // size)
        self.page = min(self.page, self.pages - 1)
        grid = self.ids.grid
        grid.clear_widgets()
        for rule in rules[self.page * size : (self.page + 1) * size]:
            sign = "+" if rule.points > 0 else ""
            tile = Tile(
                text=f"{pick(rule.model_dump(), 'name', self.app.lang)}   {sign}{rule.points}",
                font_size=grid.tile_font,
            )
            if rule.points < 0:
                tile.bg_color = theme.TILE_PICKED
            tile.rule = rule.key
            tile.bind(on_press=lambda t: self.choose(t.rule))
            grid.add_widget(tile)

    def turn(self, step: int):
        self.page = (self.page + step) % self.pages
        self.refresh()

    def choose(self, rule: str):
        app = self.app

        def scanned(cards: list[str]):
            batch = app.services.points.apply_rule(rule, cards)
            if not batch.ok:
                app.go(
                    "message",
                    title=self.title,
                    text=app.refusal_sentence(batch),
                    next=lambda: app.go("staff"),
                )
                return
            lines = [
                app.tr("Recorded for {n} of {m} cards.").format(
                    n=batch.recorded, m=len(batch.entries)
                )
            ]
            for entry in batch.entries:
                if not entry.ok:
                    name = entry.card.name_masked if entry.card else ""
                    lines.append(f"{name} {app.refusal_sentence(entry)}".strip())
            app.go(
                "message", title=self.title, text="\n".join(lines), next=lambda: app.go("staff")
            )

        app.go(
            "scan",
            purpose="award",
            done=scanned,
            back=lambda: app.go("rules", direction=self.direction),
        )
