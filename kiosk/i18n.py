"""The kiosk's translation catalogue (gettext), Chinese by default.

UI strings are written in English in the code and the .kv files, wrapped in
``tr("...")``; ``kiosk/locale/<lang>/LC_MESSAGES/kiosk.mo`` holds each
language's text. Reference data (categories, notices, goods) carries its own
``*_zh`` / ``*_en`` fields and is chosen with :func:`pick`.
"""

from __future__ import annotations

import ast
import gettext
import logging
import re
from pathlib import Path

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "kiosk"
LANGUAGES = ("zh_CN", "en")


def N_(text: str) -> str:
    """Mark a UI string for the catalogue where it is defined; translated where shown."""
    return text


class Catalogue:
    """Both languages loaded once; switching language is a dictionary swap."""

    def __init__(self, language: str = "zh_CN"):
        self._translations = {
            lang: gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=False)
            for lang in LANGUAGES
        }
        self.language = language

    @property
    def language(self) -> str:
        return self._language

    @language.setter
    def language(self, value: str) -> None:
        if value not in self._translations:
            raise ValueError(f"unknown language {value!r}")
        self._language = value

    def tr(self, text: str) -> str:
        return self._translations[self._language].gettext(text)

    def has(self, language: str, text: str) -> bool:
        """Whether `language`'s catalogue holds a translation of `text`."""
        catalog = getattr(self._translations[language], "_catalog", {})
        return bool(catalog.get(text))


def pick(row: dict | None, field: str, language: str) -> str:
    """A reference row's text in `language` (``name_zh`` / ``name_en``), else the other."""
    if not row:
        return ""
    first, second = ("zh", "en") if language == "zh_CN" else ("en", "zh")
    return str(row.get(f"{field}_{first}") or row.get(f"{field}_{second}") or "")


_CALL = re.compile(
    r"""\b(?:tr|N_)\(\s*((?:(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')\s*)+)[,)]"""
)


def ui_strings(root: Path | None = None) -> dict[str, list[str]]:
    """Every UI string written as ``tr("...")`` or ``N_("...")``, with the files using it.

    The scanner and printing packages carry their own zh/en sentences and are left out.
    """
    root = root or Path(__file__).resolve().parent
    found: dict[str, list[str]] = {}
    for path in sorted([*root.rglob("*.py"), *root.rglob("*.kv")]):
        if "scanner" in path.parts or "printing" in path.parts or path.name == "i18n.py":
            continue
        for match in _CALL.finditer(path.read_text(encoding="utf-8")):
            text = ast.literal_eval("(" + match.group(1) + ")")
            found.setdefault(text, []).append(str(path.relative_to(root.parent)))
    return found
