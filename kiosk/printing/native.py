"""Native mode: the printer's own Chinese font, text sent as GB18030 or GBK bytes."""

from __future__ import annotations

from . import escpos_bytes as cmd
from .document import QR, Barcode, Document, Feed, RuleLine, TextLine, layout, place
from .text import display_width


def qr_module(width_mm: int) -> int:
    """QR dot size: about a fifth of the paper wide for a URL-sized payload."""
    return 6 if width_mm == 58 else 8


# Limitation: FS & selects the double-byte mode of a printer sold with a Simplified Chinese
# font; a Japanese or Korean model reads the same bytes as its own encoding, and a printer
# without a font prints nonsense. Such printers need mode=raster, set per printer URL.
# Limitation: QR codes go as GS ( k, which some cheap printers lack (they print nothing where
# the code should be); qr=image sends the code as a picture instead.
def encode_native(document: Document, config) -> bytes:
    """The ESC/POS bytes that print a document in the printer's Chinese mode."""
    columns, encoding = config.columns, config.encoding
    out = bytearray(cmd.INIT + cmd.CHINESE_ON)
    bold, scale = False, 1

    for line in layout(document, columns, encoding):
        want_bold, want_scale = (line.bold, line.scale) if isinstance(line, TextLine) else (0, 1)
        if want_bold != bold:
            out += cmd.BOLD[want_bold]
            bold = want_bold
        if want_scale != scale:
            out += cmd.size(want_scale)
            scale = want_scale
        if isinstance(line, TextLine):
            if line.center:
                out += cmd.ALIGN["center"]
                out += line.cells[0].text.encode(encoding) + cmd.LF
                out += cmd.ALIGN["left"]
            else:
                out += _grid_text(line).encode(encoding) + cmd.LF
        elif isinstance(line, RuleLine):
            out += (("=" if line.heavy else "-") * columns).encode("ascii") + cmd.LF
        elif isinstance(line, QR):
            out += _centered(config, line)
        elif isinstance(line, Barcode):
            out += cmd.ALIGN["center"] + cmd.barcode128(line.data) + cmd.feed_dots(12)
            out += cmd.ALIGN["left"]
        elif isinstance(line, Feed):
            out += cmd.feed(line.lines)

    if bold:
        out += cmd.BOLD[False]
    if scale != 1:
        out += cmd.size(1)
    out += cmd.CHINESE_OFF + cmd.cut(config.cut)
    return bytes(out)


def _grid_text(line: TextLine) -> str:
    """One line of cells padded with spaces to their columns."""
    text, used = [], 0
    for cell in line.cells:
        start = place(cell)
        if start > used:
            text.append(" " * (start - used))
            used = start
        text.append(cell.text)
        used += display_width(cell.text)
    return "".join(text)


def _centered(config, line: QR) -> bytes:
    if config.qr == "image":
        from .raster import qr_image, to_raster_bytes

        code = to_raster_bytes(qr_image(line.payload, config))
    else:
        code = cmd.qr(line.payload, qr_module(config.width))
    return cmd.ALIGN["center"] + code + cmd.feed_dots(12) + cmd.ALIGN["left"]
