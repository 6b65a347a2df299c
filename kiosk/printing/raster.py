"""Raster mode: lay the slip out with the bundled CJK font and send it as a bit image.

For printers without a Chinese font. The text sits on the same column grid as native mode
(12 dots a column, a Chinese character two columns), so a slip reads the same either way.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import barcode
import qrcode
from PIL import Image, ImageDraw, ImageFont

from . import escpos_bytes as cmd
from .document import QR, Barcode, Document, Feed, RuleLine, TextLine, layout
from .native import qr_module

FONT_DIR = Path(__file__).resolve().parents[2] / "assets" / "fonts"
COLUMN_DOTS = 12
LINE_DOTS = 30  # per scale step, like a printer's default 1/6 inch line
FONT_SIZE = 22  # Latin digits stay within a 12-dot column at this size
BAND_ROWS = 256  # rows per GS v 0 command; small input buffers cope with this


@lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "NotoSansSC-Bold.otf" if bold else "NotoSansSC-Regular.otf"
    return ImageFont.truetype(str(FONT_DIR / name), size)


def render_image(document: Document, config) -> Image.Image:
    """The slip as a 1-bit picture as wide as the paper's printable dots (1 = printed)."""
    dots = config.dots
    lines = layout(document, config.columns, "gbk")  # the bundled font covers GBK
    pieces: list[tuple[str, object, int]] = []
    height = 0
    for line in lines:
        if isinstance(line, TextLine):
            pieces.append(("text", line, height))
            height += LINE_DOTS * line.scale
        elif isinstance(line, RuleLine):
            pieces.append(("rule", line, height))
            height += LINE_DOTS // 2
        elif isinstance(line, QR):
            image = qr_image(line.payload, config)
            pieces.append(("image", image, height + 8))
            height += image.height + 16
        elif isinstance(line, Barcode):
            image = barcode_image(line.data, dots)
            pieces.append(("image", image, height + 8))
            height += image.height + 16
        elif isinstance(line, Feed):
            height += LINE_DOTS * line.lines

    canvas = Image.new("L", (dots, max(height, 1)), 0)
    draw = ImageDraw.Draw(canvas)
    for kind, item, top in pieces:
        if kind == "text":
            _draw_text(draw, item, top, dots)
        elif kind == "rule":
            middle = top + LINE_DOTS // 4
            thickness = 3 if item.heavy else 1
            draw.rectangle((0, middle, dots - 1, middle + thickness - 1), fill=255)
        else:
            canvas.paste(item, ((dots - item.width) // 2, top))
    return canvas.point(lambda v: 255 if v >= 100 else 0).convert("1", dither=Image.NONE)


def _draw_text(draw: ImageDraw.ImageDraw, line: TextLine, top: int, dots: int) -> None:
    scale = line.scale
    column = COLUMN_DOTS * scale
    baseline = top + int(LINE_DOTS * scale * 0.78)
    for cell in line.cells:
        size = FONT_SIZE * scale
        face = font(size, line.bold)
        room = dots if line.center else cell.width * column
        while face.getlength(cell.text) > room and size > 10:
            size -= 2
            face = font(size, line.bold)
        if line.center:
            draw.text((dots // 2, baseline), cell.text, fill=255, font=face, anchor="ms")
        elif cell.align == "right":
            right = (cell.start + cell.width) * column
            draw.text((right, baseline), cell.text, fill=255, font=face, anchor="rs")
        elif cell.align == "center":
            middle = (cell.start * 2 + cell.width) * column // 2
            draw.text((middle, baseline), cell.text, fill=255, font=face, anchor="ms")
        else:
            draw.text((cell.start * column, baseline), cell.text, fill=255, font=face, anchor="ls")


def qr_image(payload: str, config) -> Image.Image:
    """A QR code drawn at the dot size native mode asks the printer for (255 = printed)."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=qr_module(config.width),
        border=0,
    )
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    small = Image.frombytes(
        "L", (size, size), bytes(255 if dark else 0 for row in matrix for dark in row)
    )
    scale = qr_module(config.width)
    return small.resize((size * scale, size * scale), Image.NEAREST)


def barcode_image(data: str, dots: int, height: int = 64, module: int = 2) -> Image.Image:
    """A CODE128 barcode with its text below, as the printer's own GS k would print it."""
    modules = barcode.get_barcode_class("code128")(data).build()[0]
    while len(modules) * module > dots and module > 1:
        module -= 1
    width = len(modules) * module
    image = Image.new("L", (width, height + 28), 0)
    draw = ImageDraw.Draw(image)
    for index, bit in enumerate(modules):
        if bit == "1":
            draw.rectangle((index * module, 0, index * module + module - 1, height - 1), fill=255)
    draw.text((width // 2, height + 24), data, fill=255, font=font(FONT_SIZE), anchor="ms")
    return image


def to_raster_bytes(image: Image.Image) -> bytes:
    """GS v 0 bands for a picture where 255 (or 1) means a printed dot."""
    if image.mode != "1":
        image = image.point(lambda v: 255 if v >= 100 else 0).convert("1", dither=Image.NONE)
    width_bytes = (image.width + 7) // 8
    out = bytearray()
    for top in range(0, image.height, BAND_ROWS):
        band = image.crop((0, top, image.width, min(top + BAND_ROWS, image.height)))
        out += cmd.raster(width_bytes, band.height, band.tobytes())
    return bytes(out)


# Limitation: a raster receipt is 48-76 KB (bench/printing.py), about a minute on a 9,600-baud
# serial line; serial printers without a Chinese font need a faster baud rate to be practical.
def encode_raster(document: Document, config) -> bytes:
    """The ESC/POS bytes that print a document as a picture."""
    image = render_image(document, config)
    return cmd.INIT + to_raster_bytes(image) + cmd.cut(config.cut)
