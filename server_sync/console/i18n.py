"""The console's translation catalogue: Chinese first, English beside it.

Every piece of text a person reads on the console, the phone page and the
posters comes from `messages.toml`, where each key holds `[zh, en]`.
"""

from __future__ import annotations

import logging
import tomllib
from functools import cache
from pathlib import Path

logger = logging.getLogger(__name__)

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
CATALOGUE_PATH = Path(__file__).with_name("messages.toml")


@cache
def catalogue() -> dict[str, tuple[str, str]]:
    """Flattened catalogue: "section.key" -> (zh, en)."""
    with CATALOGUE_PATH.open("rb") as fh:
        raw = tomllib.load(fh)
    flat: dict[str, tuple[str, str]] = {}

    def walk(prefix: str, node: dict) -> None:
        for key, value in node.items():
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict):
                walk(name, value)
            elif isinstance(value, list) and len(value) == 2:
                flat[name] = (str(value[0]), str(value[1]))
            else:
                raise ValueError(f"catalogue entry {name} must be [zh, en]")

    walk("", raw)
    return flat


def normalise(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text for `key` in `lang`, with `{name}` fields filled from `values`."""
    entry = catalogue().get(key)
    if entry is None:
        logger.warning("missing catalogue entry %s", key)
        return key
    text = entry[LANGUAGES.index(normalise(lang))]
    return text.format(**values) if values else text


def pick(row: object, field: str, lang: str) -> str:
    """A row's `field_zh` or `field_en` (falling back to Chinese), for reference data."""
    suffix = "en" if normalise(lang) == "en" else "zh"
    value = getattr(row, f"{field}_{suffix}", None)
    if value is None and isinstance(row, dict):
        value = row.get(f"{field}_{suffix}")
    if not value:
        value = getattr(row, f"{field}_zh", None) or (
            row.get(f"{field}_zh") if isinstance(row, dict) else None
        )
    return value or ""
