"""The kiosk's rules for elderly eyes and fingers (STYLE.md), measured on live widgets.

``check_window`` walks what is on the window now (header, banner, the current
screen, an open prompt) and returns one sentence per broken rule, naming the
widget and its text so a failure says what to fix.
"""

from __future__ import annotations

from kivy.core.window import Window
from kivy.metrics import dp, sp
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label
from kivy.uix.textinput import TextInput

MIN_TILE_DP = 60
MIN_TARGET_DP = 48
MIN_GAP_DP = 8
MIN_BODY_SP = 22
MIN_TILE_SP = 30
MIN_LINE_HEIGHT = 1.3
MIN_CONTRAST = 7.0


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4


def luminance(rgb) -> float:
    r, g, b = (_linear(float(c)) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def blend(front, back):
    alpha = float(front[3]) if len(front) > 3 else 1.0
    return [
        alpha * float(f) + (1 - alpha) * float(b) for f, b in zip(front[:3], back[:3], strict=True)
    ]


def contrast(fore, back) -> float:
    lighter, darker = sorted((luminance(fore), luminance(back)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def background_of(widget):
    """The colour painted behind ``widget``: its own or the nearest ancestor's ``bg_color``."""
    node = widget
    while node is not None and node is not Window:
        color = getattr(node, "bg_color", None)
        if color is not None and (node is not widget or isinstance(node, ButtonBehavior)):
            return list(color)
        node = node.parent
    return list(Window.clearcolor)


def shown(widget) -> bool:
    """On screen: no ancestor fully transparent, and some area inside the window."""
    node = widget
    while node is not None and node is not Window:
        if node.opacity <= 0.01:
            return False
        node = node.parent
    if widget.width < 1 or widget.height < 1:
        return False
    x, y = widget.to_window(widget.x, widget.y)
    return (
        x < Window.width and y < Window.height and x + widget.width > 0 and y + widget.height > 0
    )


def window_rect(widget):
    x, y = widget.to_window(widget.x, widget.y)
    return x, y, x + widget.width, y + widget.height


def _name(widget) -> str:
    text = str(getattr(widget, "text", "") or "").replace("\n", " ")[:30]
    return f"{type(widget).__name__}({text!r})"


def widgets_on_window():
    """What a finger can reach: an open prompt covers everything under it."""
    from kivy.uix.modalview import ModalView

    modals = [child for child in Window.children if isinstance(child, ModalView)]
    for child in modals[:1] or Window.children:
        yield from child.walk(restrict=True)


def check_window(screen_name: str) -> list[str]:
    problems = []
    targets = []
    for widget in widgets_on_window():
        if isinstance(widget, TextInput):
            problems.append(f"{screen_name}: {_name(widget)} asks for typing")
        if not shown(widget):
            continue
        if isinstance(widget, ButtonBehavior) and not widget.disabled:
            targets.append(widget)
            least = MIN_TILE_DP if getattr(widget, "is_tile", False) else MIN_TARGET_DP
            if widget.width < dp(least) - 0.5 or widget.height < dp(least) - 0.5:
                problems.append(
                    f"{screen_name}: {_name(widget)} is {widget.width:.0f}x{widget.height:.0f}"
                    f" dp, below {least} dp"
                )
        if isinstance(widget, Label) and str(widget.text).strip():
            problems += _check_text(screen_name, widget)
    for i, first in enumerate(targets):
        a = window_rect(first)
        for second in targets[i + 1 :]:
            if _contains(first, second) or _contains(second, first):
                continue
            b = window_rect(second)
            gap = max(b[0] - a[2], a[0] - b[2], b[1] - a[3], a[1] - b[3])
            if gap < dp(MIN_GAP_DP) - 0.5:
                problems.append(
                    f"{screen_name}: {_name(first)} and {_name(second)} are {gap:.0f} dp apart,"
                    f" below {MIN_GAP_DP} dp"
                )
    return problems


_PITCH: dict = {}


def line_pitch(label) -> float:
    """Distance from one line of text to the next: the font's own line height (ascent plus
    descent, measured with Kivy's text provider) times the label's ``line_height``."""
    from kivy.core.text import Label as CoreLabel

    key = (label.font_name, round(label.font_size, 2), label.bold)
    if key not in _PITCH:
        core = CoreLabel(font_name=label.font_name, font_size=label.font_size, bold=label.bold)
        _PITCH[key] = core.get_extents("汉字Ag")[1]
    return _PITCH[key] * label.line_height


def _contains(outer, inner) -> bool:
    node = inner.parent
    while node is not None and node is not Window:
        if node is outer:
            return True
        node = node.parent
    return False


def _in_tile(label) -> bool:
    node = label
    while node is not None and node is not Window:
        if getattr(node, "is_tile", False):
            return True
        node = node.parent
    return False


def _check_text(screen_name: str, label) -> list[str]:
    problems = []
    least = MIN_TILE_SP if _in_tile(label) else MIN_BODY_SP
    if label.font_size < sp(least) - 0.01:
        problems.append(
            f"{screen_name}: {_name(label)} text is {label.font_size:.0f} sp, below {least} sp"
        )
    spacing = line_pitch(label) / label.font_size
    if spacing < MIN_LINE_HEIGHT - 0.005:
        problems.append(f"{screen_name}: {_name(label)} line spacing {spacing:.2f}, below 1.3")
    back = background_of(label)
    ratio = contrast(blend(label.color, back), back)
    if ratio < MIN_CONTRAST:
        problems.append(f"{screen_name}: {_name(label)} contrast {ratio:.1f}:1, below 7:1")
    # Text must fit: inside its own box when it is a button, else inside the window.
    label.texture_update()
    tw, th = label.texture_size
    box = label if isinstance(label, ButtonBehavior) else None
    node = label.parent
    while box is None and node is not None and node is not Window:
        if isinstance(node, ButtonBehavior):
            box = node
        node = node.parent
    if box is not None:
        if tw > box.width + 1 or th > box.height + 1:
            problems.append(
                f"{screen_name}: {_name(label)} text {tw}x{th} does not fit its button"
                f" {box.width:.0f}x{box.height:.0f}"
            )
    else:
        x0, y0, x1, y1 = window_rect(label)
        top = y0 + (label.height + th) / 2 if label.valign == "middle" else y1
        bottom = top - th
        if bottom < -1 or top > Window.height + 1 or x0 < -1 or x0 + tw > Window.width + 1:
            problems.append(f"{screen_name}: {_name(label)} text runs off the screen")
    return problems
