"""Paths of the bundled icons (white pictograms on transparent PNG)."""

from __future__ import annotations

from kiosk.boot import ASSETS

ICON_DIR = ASSETS / "icons"


def icon_path(group: str, name: str | None) -> str:
    """The icon's file, the group's ``general`` icon, or "" when neither exists."""
    for candidate in (name, "general"):
        if candidate:
            path = ICON_DIR / group / f"{candidate}.png"
            if path.is_file():
                return str(path)
    return ""
