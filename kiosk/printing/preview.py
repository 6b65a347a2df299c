"""preview://DIR: a printer that draws what a thermal printer would print, as a PNG.

The picture is made from the very bytes a real printer would get, read the way a printer
reads them: text on the 12x24 dot grid of font A (Chinese characters 24x24), bold, double
size, alignment, QR codes, barcodes, raster images and the cut. It covers the commands this
package sends; anything else is an error, so the preview never hides a bad byte.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import qrcode
from escpos.escpos import Escpos
from PIL import Image, ImageDraw, ImageOps

from .raster import COLUMN_DOTS, LINE_DOTS, barcode_image, font

log = logging.getLogger(__name__)


class PreviewPrinter(Escpos):
    """Collects a job's bytes; on close, writes DIR/<job>.png and DIR/<job>.escpos."""

    def __init__(self, folder: Path, config, **kwargs):
        super().__init__(**kwargs)
        self.folder = Path(folder)
        self.config = config
        self.job_name = "slip"
        self._buffer = bytearray()

    def open(self, job_name: str = "slip", raise_not_found: bool = True) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.job_name = "".join(c if c.isalnum() or c in "-_." else "_" for c in job_name)
        self._buffer = bytearray()
        self._device = True

    def _raw(self, msg: bytes) -> None:
        self._buffer += msg

    def close(self) -> None:
        if not self._device:
            return
        self._device = False
        data = bytes(self._buffer)
        (self.folder / f"{self.job_name}.escpos").write_bytes(data)
        picture = draw_escpos(data, self.config.dots, self.config.encoding)
        picture.save(self.folder / f"{self.job_name}.png", optimize=True)
        log.info("preview written to %s", self.folder / f"{self.job_name}.png")

    @property
    def path(self) -> Path:
        return self.folder / f"{self.job_name}.png"


class _Paper:
    def __init__(self, dots: int, encoding: str):
        self.dots, self.encoding = dots, encoding
        self.strips: list[Image.Image] = []  # printed rows, top to bottom, 255 = dot
        self.line: list[tuple[str, bool, int]] = []  # pending characters: text, bold, scale
        self.bold, self.scale, self.align, self.chinese = False, 1, 0, False
        self.qr_module, self.qr_data = 3, b""
        self.bar_height, self.bar_module = 162, 3

    def flush_line(self, force: bool) -> None:
        if not self.line and not force:
            return
        height = max([LINE_DOTS * s for _, _, s in self.line] or [LINE_DOTS * self.scale])
        strip = Image.new("L", (self.dots, height), 0)
        width = sum(_cell(c) * COLUMN_DOTS * s for c, _, s in self.line)
        room = max(0, self.dots - width)
        x = [0, room // 2, room][self.align]
        for char, bold, scale in self.line:
            step = _cell(char) * COLUMN_DOTS * scale
            if x + step > self.dots:  # the printer wraps a full line
                self.strips.append(strip)
                strip, x = Image.new("L", (self.dots, height), 0), 0
            if char != " ":
                glyph = _glyph(char, bold, scale)
                strip.paste(255, (x, height - glyph.height), mask=glyph)
            x += step
        self.strips.append(strip)
        self.line = []

    def image(self, picture: Image.Image) -> None:
        self.flush_line(False)
        strip = Image.new("L", (self.dots, picture.height), 0)
        left = [0, (self.dots - picture.width) // 2, self.dots - picture.width][self.align]
        strip.paste(picture, (max(0, left), 0))
        self.strips.append(strip)

    def feed(self, rows: int) -> None:
        self.flush_line(False)
        self.strips.append(Image.new("L", (self.dots, rows), 0))


@lru_cache(maxsize=2048)
def _glyph(char: str, bold: bool, scale: int) -> Image.Image:
    """One character in its printer cell; wide Latin letters are squeezed, as in a mono font."""
    step, height = _cell(char) * COLUMN_DOTS * scale, LINE_DOTS * scale
    face = font(22 * scale, bold)
    wide = max(step, int(face.getlength(char)) + 1)
    canvas = Image.new("L", (wide, height), 0)
    ImageDraw.Draw(canvas).text(
        (wide // 2, int(height * 0.78)), char, fill=255, font=face, anchor="ms"
    )
    return canvas if wide == step else canvas.resize((step, height), Image.BILINEAR)


def _cell(char: str) -> int:
    return 1 if ord(char) < 0x80 else 2


def draw_escpos(data: bytes, dots: int, encoding: str = "gb18030") -> Image.Image:
    """The paper a thermal printer would produce from these bytes (black on white)."""
    paper = _Paper(dots, encoding)
    i, text = 0, bytearray()

    def flush_text():
        if text:
            decoded = bytes(text).decode(encoding if paper.chinese else "latin-1", "replace")
            paper.line.extend((c, paper.bold, paper.scale) for c in decoded)
            text.clear()

    while i < len(data):
        byte = data[i]
        if byte == 0x0A:
            flush_text()
            paper.flush_line(True)
            i += 1
        elif byte in (0x1B, 0x1C, 0x1D, 0x10):
            flush_text()
            i = _command(paper, data, i)
        elif byte < 0x20:
            i += 1
        else:
            text.append(byte)
            i += 1
    flush_text()
    paper.flush_line(False)
    picture = Image.new("L", (dots, sum(s.height for s in paper.strips) or 1), 0)
    top = 0
    for strip in paper.strips:
        picture.paste(strip, (0, top))
        top += strip.height
    return ImageOps.invert(picture.point(lambda v: 255 if v >= 100 else 0)).convert("1")


def _command(paper: _Paper, data: bytes, i: int) -> int:
    head = data[i : i + 2]
    if head == b"\x1b@":
        paper.bold, paper.scale, paper.align, paper.chinese = False, 1, 0, False
        return i + 2
    if head == b"\x1c&":
        paper.chinese = True
        return i + 2
    if head == b"\x1c.":
        paper.chinese = False
        return i + 2
    if head == b"\x1b2":
        return i + 2
    if head == b"\x1ba":
        paper.align = data[i + 2] % 48
        return i + 3
    if head == b"\x1bE":
        paper.bold = bool(data[i + 2] & 1)
        return i + 3
    if head == b"\x1bJ":
        paper.feed(data[i + 2])
        return i + 3
    if head == b"\x1bd":
        paper.flush_line(False)
        paper.feed(LINE_DOTS * data[i + 2])
        return i + 3
    if head == b"\x1d!":
        paper.scale = (data[i + 2] & 0x07) + 1
        return i + 3
    if head in (b"\x1dH", b"\x1dh", b"\x1dw"):
        if head == b"\x1dh":
            paper.bar_height = data[i + 2]
        elif head == b"\x1dw":
            paper.bar_module = data[i + 2]
        return i + 3
    if head == b"\x1dk" and data[i + 2] == 73:
        length = data[i + 3]
        body = data[i + 4 : i + 4 + length].decode("ascii")
        paper.image(barcode_image(body[2:], paper.dots, paper.bar_height, paper.bar_module))
        return i + 4 + length
    if head == b"\x1d(" and data[i + 2 : i + 3] == b"k":
        length = data[i + 3] | data[i + 4] << 8
        body = data[i + 5 : i + 5 + length]
        if body[1] == 67:
            paper.qr_module = body[2]
        elif body[1] == 80:
            paper.qr_data = body[3:]
        elif body[1] == 81:
            paper.image(_qr(paper.qr_data.decode("utf-8"), paper.qr_module))
        return i + 5 + length
    if head == b"\x1dv" and data[i + 2] == 0x30:
        width_bytes = data[i + 4] | data[i + 5] << 8
        height = data[i + 6] | data[i + 7] << 8
        size = width_bytes * height
        bits = data[i + 8 : i + 8 + size]
        band = Image.frombytes("1", (width_bytes * 8, height), bits).convert("L")
        paper.image(band)
        return i + 8 + size
    if head == b"\x1dV":
        paper.flush_line(False)
        extra = data[i + 3] if data[i + 2] in (65, 66) else 0
        paper.feed(extra + 40)
        cut = Image.new("L", (paper.dots, 3), 0)
        ImageDraw.Draw(cut).line([(0, 1), (paper.dots, 1)], fill=255, width=1)
        for x in range(0, paper.dots, 16):
            ImageDraw.Draw(cut).line([(x + 8, 1), (x + 15, 1)], fill=0, width=3)
        paper.strips.append(cut)
        return i + (4 if data[i + 2] in (65, 66) else 3)
    if head == b"\x10\x04":
        return i + 3
    raise ValueError(f"the preview does not know the command {data[i : i + 4].hex(' ')}")


def _qr(payload: str, module: int) -> Image.Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    small = Image.frombytes("L", (size, size), bytes(255 * d for row in matrix for d in row))
    return small.resize((size * module, size * module), Image.NEAREST)
