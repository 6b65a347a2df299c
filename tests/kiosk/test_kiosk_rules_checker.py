"""The elderly-use checker itself: each rule it measures can fail on a widget that breaks it."""

from __future__ import annotations


def test_the_checker_reports_every_broken_rule(kivy_window):
    from kiosk_rules import check_window, contrast
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.label import Label
    from kivy.uix.textinput import TextInput

    from kiosk.ui import theme
    from kiosk.ui.kioskapp import HERE, load_kv
    from kiosk.ui.widgets import KButton, Panel, Tile

    load_kv(HERE / "widgets.kv")
    assert round(contrast((1, 1, 1), (0, 0, 0)), 1) == 21.0
    kivy_window.size = (1280, 800)
    root = Panel(bg_color=theme.PAGE, spacing=2)
    small = KButton(text="x", size_hint=(None, None), size=(40, 40))
    tile = Tile(text="小字", size_hint=(None, None), size=(200, 200), font_size=20)
    grey = Label(text="灰色的字", color=(0.6, 0.6, 0.6, 1), font_size=24, line_height=1.0)
    tight = Label(text="行距太小", color=theme.INK, font_size=24, line_height=0.8)
    column = BoxLayout(orientation="vertical")
    for widget in (grey, tight, TextInput()):
        column.add_widget(widget)
    for widget in (small, tile, column):
        root.add_widget(widget)
    kivy_window.add_widget(root)
    try:
        from kivy.base import EventLoop

        for _ in range(3):
            EventLoop.idle()
        problems = "\n".join(check_window("test"))
    finally:
        kivy_window.remove_widget(root)
    assert "KButton('x') is 40x72 dp, below 48 dp" in problems
    assert "Label('小字') text is 20 sp, below 30 sp" in problems
    assert "Label('灰色的字') contrast" in problems
    assert "Label('行距太小') line spacing 1.17, below 1.3" in problems
    assert "TextInput" in problems and "asks for typing" in problems
    assert "are 2 dp apart, below 8 dp" in problems
