"""Points stars: the month's ten, and the latest notices; also the lift's idle screen."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.i18n import N_, pick
from kiosk.ui.widgets import KioskScreen, KLabel


class StarsScreen(KioskScreen):
    attract = BooleanProperty(False)
    month = StringProperty("")
    notice = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = N_("This month's points stars")
        self.prompt = N_("These are this month's ten points stars. Well done!")

    def setup(self, attract=False, **options):
        self.attract = attract
        self.refresh()

    def refresh(self):
        services, tr = self.app.services, self.tr
        grid = self.ids.grid
        grid.clear_widgets()
        stars = services.stars()
        self.month = str(stars[0].get("month", "")) if stars else ""
        if not stars:
            grid.add_widget(KLabel(text=tr("The stars of this month are not known yet.")))
        for row in stars[:10]:
            building = (
                tr("Building {b}").format(b=row.get("building")) if row.get("building") else ""
            )
            grid.add_widget(
                KLabel(
                    text=f"{row['key']}. {row.get('name_masked', '')}  {building}  "
                    f"{row.get('points', 0)} {tr('points')}",
                    font_size=self.ids.grid.row_font,
                )
            )
        notices = services.notices()[:2]
        self.notice = "\n".join(pick(n, "title", self.app.lang) for n in notices)

    def on_touch_down(self, touch):
        if self.attract and self.collide_point(*touch.pos):
            self.app.go_home()
            return True
        return super().on_touch_down(touch)
