"""Points cards on the server: issue, revoke (lost), reissue, and the printable fronts.

A card number is ten random digits; the QR payload is signed with the server's
card key (`keys.ensure_card_key`). A revoked card stays in the table so an
event made with it before the revocation is still accepted.

Card fronts are drawn with Pillow, which reads the bundled CFF-outline font
through FreeType (reportlab's TrueType loader refuses it), and placed on A4
PDF pages as images, ten cards a page at their true size of 85.6 x 54 mm.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from sqlalchemy import select
from sqlalchemy.orm import Session

from server_sync.models.changes import record_change
from server_sync.models.points import PointsAccount, PointsCard, utcnow
from server_sync.protocol import cards as card_format

from .keys import card_private_key

log = logging.getLogger(__name__)

FONT_DIR = Path(__file__).resolve().parents[2] / "assets" / "fonts"
CARD_MM = (85.6, 54.0)
DPI = 300
CARD_PX = (round(CARD_MM[0] / 25.4 * DPI), round(CARD_MM[1] / 25.4 * DPI))


class CardError(ValueError):
    """A card operation that cannot be done; the message says what to do instead."""


# ---------------------------------------------------------------- issue, revoke, reissue


def _new_card_no(session: Session) -> str:
    while True:
        number = f"{secrets.randbelow(9 * 10**9) + 10**9}"
        if session.get(PointsCard, number) is None:
            return number


def issue_card(session: Session, account: PointsAccount, card_no: str | None = None) -> PointsCard:
    """A new active card for `account` (a given number, or ten random digits)."""
    if card_no is None:
        card_no = _new_card_no(session)
    elif not card_format.CARD_NO_RE.match(card_no):
        raise CardError(f"card number {card_no!r} is not ten digits")
    elif session.get(PointsCard, card_no) is not None:
        raise CardError(f"card {card_no} already exists; choose another number")
    card = PointsCard(card_no=card_no, account=account, status="active", issued_at=utcnow())
    session.add(card)
    session.flush()
    log.info("issued card %s to account %d", card_no, account.id)
    return card


def revoke_card(session: Session, card_no: str, reason: str = "lost") -> PointsCard:
    card = session.get(PointsCard, card_no)
    if card is None:
        raise CardError(f"there is no card {card_no}; check the number printed on the card")
    if card.status == "revoked":
        raise CardError(f"card {card_no} was already revoked on {card.revoked_at:%Y-%m-%d}")
    card.status = "revoked"
    card.revoked_at = utcnow()
    card.revoke_reason = reason[:200]
    record_change(session, "revoked_cards", card_no)
    session.flush()
    log.info("revoked card %s (%s)", card_no, reason)
    return card


def reissue_card(session: Session, card_no: str, reason: str = "lost") -> PointsCard:
    """Revoke a card (if it is not already) and issue a new one to the same account."""
    old = session.get(PointsCard, card_no)
    if old is None:
        raise CardError(f"there is no card {card_no}; check the number printed on the card")
    if old.status != "revoked":
        revoke_card(session, card_no, reason)
    new = issue_card(session, old.account)
    old.replaced_by = new.card_no
    return new


def card_payload(session: Session, card_no: str) -> str:
    return card_format.sign_card(card_private_key(session), card_no)


@dataclass(frozen=True)
class CardFront:
    """What is printed on a card: the resident's name, where they live, the QR code."""

    card_no: str
    name: str
    building: int
    unit: int
    payload: str


def card_fronts(
    session: Session,
    card_nos: Iterable[str] | None = None,
    *,
    issued_since: datetime | None = None,
) -> list[CardFront]:
    """Fronts of the given cards, or of every active card (issued since a time)."""
    query = select(PointsCard).where(PointsCard.status == "active")
    if card_nos is not None:
        query = query.where(PointsCard.card_no.in_(list(card_nos)))
    if issued_since is not None:
        query = query.where(PointsCard.issued_at >= issued_since)
    key = card_private_key(session)
    fronts = []
    for card in session.scalars(query.order_by(PointsCard.account_id, PointsCard.card_no)):
        household = card.account.household
        fronts.append(
            CardFront(
                card.card_no,
                card.account.name,
                household.building,
                household.unit,
                card_format.sign_card(key, card.card_no),
            )
        )
    return fronts


# ---------------------------------------------------------------- drawing


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "NotoSansSC-Bold.otf" if bold else "NotoSansSC-Regular.otf"
    return ImageFont.truetype(str(FONT_DIR / name), size)


def qr_image(payload: str, side: int) -> Image.Image:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    qr.add_data(payload)
    qr.make(fit=True)
    code = qr.make_image(fill_color="black", back_color="white").get_image().convert("L")
    return code.resize((side, side), Image.Resampling.NEAREST)


def render_card_front(front: CardFront) -> Image.Image:
    """One card front, greyscale, at 300 dpi."""
    width, height = CARD_PX
    card = Image.new("L", CARD_PX, 255)
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 0, width, 120), fill=0)
    draw.text((40, 22), "易码通 积分卡", font=_font(64, True), fill=255)
    draw.text((width - 330, 42), "POINTS CARD", font=_font(40, True), fill=255)

    side = height - 160
    card.paste(qr_image(front.payload, side), (width - side - 30, 140))
    text_width = width - side - 90
    size = 96
    while size > 40 and draw.textlength(front.name, font=_font(size, True)) > text_width:
        size -= 6
    draw.text((40, 170), front.name, font=_font(size, True), fill=0)
    draw.text((40, 320), f"{front.building} 栋 {front.unit} 室", font=_font(56), fill=0)
    draw.text((40, 400), f"Bldg {front.building}, Unit {front.unit}", font=_font(36), fill=60)
    number = " ".join((front.card_no[:4], front.card_no[4:7], front.card_no[7:]))
    draw.text((40, height - 90), f"No. {number}", font=_font(40), fill=0)
    draw.rectangle((0, 0, width - 1, height - 1), outline=160, width=3)
    return card


def write_card_sheet(fronts: Iterable[CardFront], out: Path) -> int:
    """A4 pages of card fronts, two across and five down, at true size; returns the count."""
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf = canvas.Canvas(str(out), pagesize=A4)
    pdf.setTitle("Points cards")
    card_w, card_h = CARD_MM[0] * mm, CARD_MM[1] * mm
    gap = 4 * mm
    left = (A4[0] - 2 * card_w - gap) / 2
    top = A4[1] - (A4[1] - 5 * card_h - 4 * gap) / 2
    count = 0
    for count, front in enumerate(fronts, start=1):
        slot = (count - 1) % 10
        if slot == 0 and count > 1:
            pdf.showPage()
        column, row = slot % 2, slot // 2
        x = left + column * (card_w + gap)
        y = top - (row + 1) * card_h - row * gap
        pdf.drawImage(ImageReader(render_card_front(front)), x, y, width=card_w, height=card_h)
    if count:
        pdf.showPage()
    pdf.save()
    log.info("wrote %d card fronts to %s", count, out)
    return count


def write_card_images(fronts: Iterable[CardFront], folder: Path) -> list[Path]:
    """Each card front as a PNG named by card number (for the demo camera folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for front in fronts:
        path = folder / f"card-{front.card_no}.png"
        render_card_front(front).save(path)
        paths.append(path)
    return paths
