"""A4 posters for the lifts and stairwells: a QR code to the phone report page.

reportlab cannot embed the bundled font (its outlines are PostScript/CFF, which
reportlab's TrueType loader refuses), so each page is drawn with Pillow, which
reads the font through FreeType, and placed on the PDF page as one image.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from server_sync.console.i18n import translate

logger = logging.getLogger(__name__)

FONT_DIR = Path(__file__).resolve().parents[2] / "assets" / "fonts"
DPI = 200
PAGE_PX = (round(210 / 25.4 * DPI), round(297 / 25.4 * DPI))


@dataclass(frozen=True)
class PosterLocation:
    key: str
    name_zh: str
    name_en: str


def report_url(base_url: str, location_key: str) -> str:
    return f"{base_url.rstrip('/')}/r/{location_key}"


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "NotoSansSC-Bold.otf" if bold else "NotoSansSC-Regular.otf"
    return ImageFont.truetype(str(FONT_DIR / name), size)


def _centred(draw: ImageDraw.ImageDraw, y: int, text: str, font, fill=0) -> int:
    """Draw `text` centred at height `y`, shrinking nothing; returns the next free y."""
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((PAGE_PX[0] - (right - left)) / 2 - left, y - top), text, font=font, fill=fill)
    return y + (bottom - top)


def _fit(draw: ImageDraw.ImageDraw, text: str, size: int, bold: bool, max_w: int):
    """The largest font up to `size` at which `text` fits in `max_w` pixels."""
    while size > 24:
        font = _font(size, bold)
        if draw.textlength(text, font=font) <= max_w:
            return font
        size -= 4
    return _font(size, bold)


def render_poster(location: PosterLocation, base_url: str) -> Image.Image:
    """One poster as a greyscale image of an A4 page at 200 dpi."""
    page = Image.new("L", PAGE_PX, 255)
    draw = ImageDraw.Draw(page)
    width, margin = PAGE_PX[0], 110
    url = report_url(base_url, location.key)

    draw.rectangle((0, 0, width, 250), fill=0)
    _centred(draw, 60, translate("poster.heading", "zh"), _font(120, True), fill=255)

    y = _centred(
        draw, 320, location.name_zh, _fit(draw, location.name_zh, 110, True, width - 2 * margin)
    )
    if location.name_en and location.name_en != location.name_zh:
        y = _centred(
            draw,
            y + 30,
            location.name_en,
            _fit(draw, location.name_en, 56, False, width - 2 * margin),
        )

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    qr.add_data(url)
    qr.make(fit=True)
    code = qr.make_image(fill_color="black", back_color="white").get_image().convert("L")
    side = 820
    code = code.resize((side, side), Image.Resampling.NEAREST)
    qr_top = y + 60
    page.paste(code, ((width - side) // 2, qr_top))
    y = _centred(draw, qr_top + side + 20, url, _fit(draw, url, 40, False, width - 2 * margin))

    y += 60
    for number, key in enumerate(("poster.step1", "poster.step2", "poster.step3"), start=1):
        line = f"{number}. {translate(key, 'zh')}"
        font = _fit(draw, line, 84, True, width - 2 * margin)
        draw.text((margin, y), line, font=font, fill=0)
        y += font.size + 40
    small = _font(36)
    for key in ("poster.step1", "poster.step2", "poster.step3"):
        draw.text((margin, y), translate(key, "en"), font=small, fill=60)
        y += 50
    _centred(draw, PAGE_PX[1] - 120, translate("poster.footer", "zh"), _font(44))
    return page


def write_posters(locations: Iterable[PosterLocation], base_url: str, out: Path) -> int:
    """Write one A4 page per location to `out`; returns the number of pages."""
    pdf = canvas.Canvas(str(out), pagesize=A4)
    pdf.setTitle(translate("poster.heading", "en"))
    count = 0
    for location in locations:
        image = render_poster(location, base_url)
        pdf.drawImage(ImageReader(image), 0, 0, width=A4[0], height=A4[1])
        pdf.showPage()
        count += 1
    pdf.save()
    logger.info("wrote %d posters to %s", count, out)
    return count
