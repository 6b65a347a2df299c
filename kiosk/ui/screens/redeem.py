"""Staff: redeem points for goods. Card scanned first; goods grid with stock; quantities."""

from __future__ import annotations

import logging

from kivy.core.window import Window
from kivy.metrics import dp
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import N_, pick
from kiosk.ui import theme
from kiosk.ui.widgets import KButton, KioskScreen, KLabel, Tile

log = logging.getLogger(__name__)


def page_size() -> int:
    """Two columns of goods; three rows where the panel is tall enough, else two."""
    return 2 * (3 if Window.height >= dp(700) else 2)


class RedeemScreen(KioskScreen):
    customer = StringProperty("")
    total = NumericProperty(0)
    balance = NumericProperty(0)
    problem = StringProperty("")
    page = NumericProperty(0)
    pages = NumericProperty(1)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = N_("Redeem points")
        self.prompt = N_("Tap the goods the resident takes, then tap Confirm.")
        self.has_draft = True
        self.card = ""
        self.basket: dict[str, int] = {}
        self._items: dict = {}
        self._stock: dict = {}

    def setup(self, card="", **options):
        self.card = card
        self.basket = {}
        self.problem = ""
        self.page = 0
        lookup = self.app.services.points.lookup(card)
        self._lookup = lookup
        if not lookup.ok:
            self.problem = self.app.refusal_sentence(lookup)
        self.balance = lookup.balance if lookup.ok else 0
        self.refresh()

    def reset(self):
        self.card, self.basket, self.problem = "", {}, ""

    def refresh(self):
        desk, lang, tr = self.app.services.points, self.app.lang, self.tr
        self._items = desk.catalogue()
        self._stock = desk.stock()
        lookup = getattr(self, "_lookup", None)
        self.customer = (
            f"{lookup.name_masked}  {tr('Balance')}: {lookup.balance}"
            if lookup is not None and lookup.ok
            else ""
        )
        keys = list(self._items)
        size = page_size()
        self.pages = max(1, (len(keys) + size - 1) // size)
        self.page = min(self.page, self.pages - 1)
        grid = self.ids.goods
        grid.clear_widgets()
        for key in keys[self.page * size : (self.page + 1) * size]:
            item = self._items[key]
            stock = self._stock.get(key)
            left = "" if stock is None else f" · {tr('left')} {stock}"
            tile = Tile(
                text=f"{pick(item.model_dump(), 'name', lang)}\n{item.points}{tr('pt')}{left}",
                font_size=self.ids.goods.tile_font,
            )
            tile.item = key
            tile.disabled = stock is not None and stock <= self.basket.get(key, 0)
            tile.bind(on_press=lambda t: self.change(t.item, 1))
            grid.add_widget(tile)
        self._show_basket()

    def _show_basket(self):
        box, lang, tr = self.ids.basket, self.app.lang, self.tr
        box.clear_widgets()
        total = 0
        for key, quantity in self.basket.items():
            item = self._items[key]
            total += item.points * quantity
            row = BoxLayout(size_hint_y=None, height=dp(theme.BUTTON_HEIGHT), spacing=dp(12))
            row.add_widget(
                KLabel(
                    text=f"{pick(item.model_dump(), 'name', lang)} x{quantity}",
                    size_hint_y=1,
                    shorten=True,
                )
            )
            minus = KButton(
                text="-", size_hint_x=None, width=72, bg_color=theme.TILE_SOFT, color=theme.INK
            )
            minus.bind(on_press=lambda _b, k=key: self.change(k, -1))
            plus = KButton(text="+", size_hint_x=None, width=dp(72))
            plus.bind(on_press=lambda _b, k=key: self.change(k, 1))
            row.add_widget(minus)
            row.add_widget(plus)
            box.add_widget(row)
        self.total = total
        if not self.basket:
            box.add_widget(KLabel(text=tr("Nothing chosen yet.")))

    def change(self, key: str, step: int):
        quantity = self.basket.get(key, 0) + step
        stock = self._stock.get(key)
        if stock is not None and quantity > stock:
            self.problem = self.tr("Not enough left on the shelf.")
            return
        if quantity <= 0:
            self.basket.pop(key, None)
        else:
            self.basket[key] = quantity
        self.problem = ""
        self.refresh()

    def turn(self, step: int):
        self.page = (self.page + step) % self.pages
        self.refresh()

    def confirm(self):
        app = self.app
        if not self.basket:
            self.problem = self.tr("Nothing chosen yet.")
            return
        outcome = app.services.points.redeem(self.card, list(self.basket.items()))
        if not outcome.ok:
            self.problem = app.refusal_sentence(outcome)
            return
        self.basket = {}

        done = app.tr("Redeemed {total} points. Balance now {after}.").format(
            total=outcome.total, after=outcome.balance_after
        )

        def printed(problem):
            screen = app.manager.get_screen("message")
            if app.manager.current == "message" and screen.big == outcome.receipt:
                status = app.printer_sentence(problem) if problem else app.tr("Receipt printed.")
                screen.text = f"{done}\n{status}"

        app.go(
            "message",
            title=N_("Redeem points"),
            text=done,
            big=outcome.receipt,
            next=lambda: app.go("staff"),
        )
        app.services.printer.print_receipt(outcome, app.services.points.staff, printed)
