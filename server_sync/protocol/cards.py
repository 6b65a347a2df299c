"""Points cards: the signed QR payload and its check.

A card's QR code reads ``YMT1:<card number>:<signature>``. The signature is
Ed25519 over ``YMT1:<card number>`` by the server's private key, in unpadded
base64url. Devices hold only the public key, so a stolen kiosk cannot mint
cards and a typed-in number is not a card. The same check runs on the device
(offline) and on the server.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Container
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

PREFIX = "YMT1:"
CARD_NO_RE = re.compile(r"^\d{10}$")
_SIGNATURE_CHARS = 86  # 64 bytes in unpadded base64url
_PAYLOAD_RE = re.compile(r"^YMT1:(?P<card>\d{10}):(?P<sig>[A-Za-z0-9_-]{86})$")


class CardReason:
    """Why a scanned code is not a usable card; stable codes for logs and catalogues."""

    NOT_A_CARD = "not_a_card"
    MALFORMED = "malformed"
    BAD_SIGNATURE = "bad_signature"
    REVOKED = "revoked"
    NO_KEY = "no_key"


REASON_TEXT = {
    CardReason.NOT_A_CARD: "this code is not a points card",
    CardReason.MALFORMED: "the card code is damaged or cut short; "
    "scan it again or reissue the card",
    CardReason.BAD_SIGNATURE: "the card's signature does not match this community's key; "
    "it may be forged, keep the card and call the office",
    CardReason.REVOKED: "this card was reported lost and revoked; issue the resident a new card",
    CardReason.NO_KEY: "this device has not received the card key yet; let it sync and retry",
}


@dataclass(frozen=True)
class CardCheck:
    ok: bool
    card_no: str | None = None
    reason: str | None = None

    @property
    def message(self) -> str:
        return "" if self.ok else REASON_TEXT[self.reason or CardReason.MALFORMED]


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_key_to_text(key: Ed25519PrivateKey) -> str:
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return _b64e(raw)


def private_key_from_text(text: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_b64d(text.strip()))


def public_key_text(key: Ed25519PrivateKey) -> str:
    """The public half as unpadded base64url, as devices receive it in the sync state."""
    return _b64e(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def sign_card(key: Ed25519PrivateKey, card_no: str) -> str:
    """The QR payload for a card number."""
    if not CARD_NO_RE.match(card_no):
        raise ValueError("a card number is ten digits")
    message = f"{PREFIX}{card_no}".encode("ascii")
    return f"{PREFIX}{card_no}:{_b64e(key.sign(message))}"


def looks_like_card(text: str) -> bool:
    return text.strip().upper().startswith(PREFIX)


def check_card(
    payload: str,
    public_key: str | None,
    revoked: Container[str] = (),
) -> CardCheck:
    """Check a scanned payload; never raises, whatever the payload holds."""
    if not isinstance(payload, str) or not looks_like_card(payload):
        return CardCheck(False, reason=CardReason.NOT_A_CARD)
    text = payload.strip()
    match = _PAYLOAD_RE.match(text)
    if not match:
        return CardCheck(False, reason=CardReason.MALFORMED)
    card_no = match["card"]
    if not public_key:
        return CardCheck(False, card_no, CardReason.NO_KEY)
    try:
        key = Ed25519PublicKey.from_public_bytes(_b64d(public_key))
        key.verify(_b64d(match["sig"]), f"{PREFIX}{card_no}".encode("ascii"))
    except (InvalidSignature, ValueError, binascii.Error):
        return CardCheck(False, card_no, CardReason.BAD_SIGNATURE)
    if card_no in revoked:
        return CardCheck(False, card_no, CardReason.REVOKED)
    return CardCheck(True, card_no)
