"""Text helpers for slips: column widths, what a printer's encoding can carry, masking.

A thermal printer in Chinese mode prints every double-byte character in its 24x24 Chinese
font, so anything that is not ASCII takes two columns on paper, even characters that
Unicode calls "ambiguous" (×, ·, “”). The raster renderer uses the same grid, so one layout
serves both modes.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# One masking rule for slips, kiosk screens and the server's points stars; re-exported.
from server_sync.protocol.points import mask_name  # noqa: F401

ENCODINGS = ("gb18030", "gbk")

# Characters that slips or data commonly carry but that GBK lacks, with a stand-in that
# prints in the printer's Chinese font and means the same to a reader.
_STAND_INS = {
    "\u00a5": "\uffe5",  # ¥ yen/yuan sign -> fullwidth ￥ (GBK A3A4)
    "\u2022": "\u00b7",  # • bullet -> middle dot
    "\u20ac": "EUR",
    "\u2122": "TM",
    "\u00a9": "(C)",
    "\u00ae": "(R)",
    "\u2713": "\u221a",  # ✓ -> √
    "\u2714": "\u221a",
    "\u2717": "\u00d7",  # ✗ -> ×
    "\u00b2": "2",
    "\u00b3": "3",
    "\u00bd": "1/2",
    "\u00a0": " ",  # no-break space
    "\u3000": "  ",  # ideographic space: two ASCII spaces keep the width
    "\u2009": " ",
    "\t": " ",
}

# What a reader sees where a character cannot be printed at all.
MISSING = "\u25a1"  # □, in GBK as A1F5


def char_width(char: str) -> int:
    """Columns one character takes on paper (0, 1 or 2)."""
    code = ord(char)
    if code < 0x20 or code == 0x7F:
        return 0
    if code < 0x80:
        return 1
    if unicodedata.combining(char):
        return 0
    if unicodedata.east_asian_width(char) in ("H", "Na"):
        return 1
    # W, F and A are wide in a Chinese printer font; so is N outside ASCII, because the
    # printer prints every double-byte GBK character in its Chinese font.
    return 2


def display_width(text: str) -> int:
    """Columns a string takes on paper."""
    if text.isascii():
        return sum(1 for c in text if " " <= c <= "~")
    return sum(char_width(c) for c in text)


def clip(text: str, columns: int) -> str:
    """The longest start of text that fits in columns."""
    used = 0
    for index, char in enumerate(text):
        used += char_width(char)
        if used > columns:
            return text[:index]
    return text


def wrap(text: str, columns: int) -> list[str]:
    """Split text into lines of at most columns, breaking at spaces where ASCII words allow."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        rest = paragraph
        while display_width(rest) > columns:
            head = clip(rest, columns)
            if not head:
                head = rest[0]
            cut = len(head)
            if cut < len(rest) and rest[cut] != " " and head[-1].isascii():
                # Do not split an ASCII word when an earlier space allows a break; a word
                # without one (a URL) breaks after / ? & or , rather than anywhere.
                space = head.rfind(" ")
                joint = max(head.rfind(c) for c in "/?&,")
                if space > 0:
                    cut = space
                elif joint > 0 and head[joint + 1 :].isascii():
                    cut = joint + 1
            lines.append(rest[:cut].rstrip())
            rest = rest[cut:].lstrip(" ")
        lines.append(rest)
    return lines


@lru_cache(maxsize=4096)
def _printable(char: str, encoding: str) -> bool:
    if char.isascii():
        return " " <= char <= "~"
    try:
        encoded = char.encode(encoding)
    except UnicodeEncodeError:
        return False
    if len(encoded) == 2:
        return True
    # Four-byte GB18030 sequences: printers certified for GB18030 carry the Han
    # ideographs (rare characters in names), but few carry the symbols there (¥ ² ©).
    return encoding == "gb18030" and unicodedata.name(char, "").startswith("CJK UNIFIED")


def printable_text(text: str, encoding: str = "gbk") -> str:
    """Text with every character the printer's encoding lacks replaced by a safe stand-in."""
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {', '.join(ENCODINGS)}, not {encoding!r}")
    if text.isascii() and text.isprintable():
        return text
    out = []
    for char in text:
        if _printable(char, encoding):
            out.append(char)
        elif char in _STAND_INS:
            out.append(_STAND_INS[char])
        elif unicodedata.combining(char) or unicodedata.category(char) == "Cf":
            continue
        else:
            folded = unicodedata.normalize("NFKC", char)
            if folded != char and all(_printable(c, encoding) for c in folded):
                out.append(folded)
            else:
                out.append(MISSING)
    return "".join(out)


def card_tail(card_no: str) -> str:
    """A card number as a slip shows it: only the last four digits."""
    digits = "".join(c for c in card_no if c.isdigit())
    return "****" + digits[-4:] if digits else ""
