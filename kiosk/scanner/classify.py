"""Classify and check every scanned text before anything acts on it.

A points card is checked with the card module's own signature and revocation
check (``server_sync.protocol.cards.check_card``); a report ticket with
``parse_ticket``, also when it arrives as a link to our phone tracking page
``/t/{ticket}``. Everything else gets a reason: a payment code, a web address,
a product barcode, a 1-D barcode where a QR code was expected, or unknown.
Classification never raises, whatever the text holds.

A signed card is accepted whichever symbology carried it, since the signature,
not the symbology, is the check; a 1-D barcode that is neither a card nor a
ticket is named as such.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Collection, Iterable
from urllib.parse import urlsplit

from kiosk.scanner.scan import Scan, ScanKind, ScanReason
from server_sync.protocol.cards import CardReason, check_card, looks_like_card
from server_sync.protocol.tickets import parse_ticket

log = logging.getLogger(__name__)

MAX_TEXT = 2048

_CARD_REASONS = {
    CardReason.MALFORMED: ScanReason.CARD_MALFORMED,
    CardReason.BAD_SIGNATURE: ScanReason.CARD_FORGED,
    CardReason.REVOKED: ScanReason.CARD_REVOKED,
    CardReason.NO_KEY: ScanReason.CARD_NO_KEY,
    CardReason.NOT_A_CARD: ScanReason.UNKNOWN_CODE,
}

# 1-D symbologies under the names both decoders report (normalised, see ``symbology_name``).
LINEAR_SYMBOLOGIES = frozenset(
    "codabar code39 code39std code39ext code32 pzn code93 code128 itf itf14 i25 databar "
    "databaromni databarstk databarstkomni databarltd databarexp databarexpstk databar_exp "
    "eanupc ean13 ean8 ean5 ean2 isbn isbn10 isbn13 upca upce telepen telepenalpha "
    "telepennumeric dxfilmedge".split()
)

# Payment codes a resident or a shop may hold up by mistake.
_PAYMENT_SCHEMES = frozenset({"wxp", "weixin", "alipays", "alipay", "upwallet"})
_PAYMENT_HOSTS = ("alipay.com", "tenpay.com", "95516.com", "unionpay.com", "payapp.weixin.qq.com")
# The dynamic barcodes of phone wallets: WeChat Pay 18 digits from 10-15, Alipay 16-24
# digits from 25-30, UnionPay 19 digits from 62.
_PAYMENT_DIGITS = (
    re.compile(r"^1[0-5]\d{16}$"),
    re.compile(r"^(2[5-9]|30)\d{14,22}$"),
    re.compile(r"^62\d{17}$"),
)
_TRACKING_PATH = re.compile(r"^/t/(?P<ticket>[^/]+)/?$")
_TICKET_SHAPE = re.compile(r"^[A-Z0-9]{2,8}-\d{6}-\d{1,8}$", re.IGNORECASE)


def symbology_name(raw: object) -> str | None:
    """``BarcodeFormat.QRCode``, ``"QR Code"``, ``"QRCODE"`` -> ``"qr"``; ``"Code 128"`` ->
    ``"code128"``."""
    if raw is None:
        return None
    text = getattr(raw, "name", None) or str(raw)
    name = re.sub(r"[^a-z0-9_]", "", text.lower().rsplit(".", 1)[-1])
    return "qr" if name in ("qrcode", "qrcodemodel2", "qr") else name or None


def is_linear(symbology: str | None) -> bool:
    return symbology in LINEAR_SYMBOLOGIES


def _ean_check_ok(digits: str) -> bool:
    if len(digits) not in (8, 12, 13, 14) or not digits.isdigit():
        return False
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def _is_payment_url(scheme: str, host: str) -> bool:
    return scheme in _PAYMENT_SCHEMES or any(
        host == h or host.endswith("." + h) for h in _PAYMENT_HOSTS
    )


class Classifier:
    """Turns a scanned text into a :class:`Scan`, checking cards and tickets.

    ``public_key`` and ``revoked`` are the card key and the revoked card numbers the
    device last pulled (the store's ``keys`` row ``card`` and ``revoked_cards`` rows);
    ``server_urls`` are the addresses of our server, whose ``/t/{ticket}`` links are
    report tickets. With no server given, a ``/t/{ticket}`` link on any host is taken as
    a ticket: only the ticket number is used, so a look-alike host gains nothing.
    """

    def __init__(
        self,
        public_key: str | None,
        revoked: Collection[str] = (),
        server_urls: Iterable[str] = (),
    ) -> None:
        self.public_key = public_key
        self.revoked = frozenset(revoked)
        self.server_hosts = frozenset(
            urlsplit(u if "://" in u else f"//{u}").hostname or "" for u in server_urls if u
        ) - {""}

    @classmethod
    def from_store(cls, store) -> Classifier:
        """From the device store's reference data: card key, revoked cards, server."""
        key_row = store.reference_row("keys", "card") or {}
        revoked = {row["key"] for row in store.reference("revoked_cards") if "key" in row}
        identity = store.identity() or {}
        servers = [identity["server"]] if identity.get("server") else []
        return cls(key_row.get("public_key"), revoked, servers)

    def classify(
        self,
        text: object,
        *,
        source: str,
        symbology: object = None,
        at: float | None = None,
        detail: dict | None = None,
    ) -> Scan:
        """The :class:`Scan` for ``text``; never raises."""
        symbology = symbology_name(symbology)
        base = {
            "source": source,
            "symbology": symbology,
            "at": time.time() if at is None else at,
            "detail": dict(detail or {}),
        }
        try:
            scan = self._classify(text, base)
        except Exception:  # a defect here must not stop the till; log it and say unknown
            log.exception("classifying a scan failed")
            scan = Scan(
                _safe_text(text),
                kind=ScanKind.UNKNOWN,
                ok=False,
                reason=ScanReason.UNKNOWN_CODE,
                **base,
            )
        if not scan.ok:
            log.info("scan from %s not accepted: %s", source, scan.reason)
        return scan

    def _classify(self, raw: object, base: dict) -> Scan:
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8", errors="replace")
        if not isinstance(raw, str):
            return Scan("", kind=ScanKind.UNKNOWN, ok=False, reason=ScanReason.UNREADABLE, **base)
        text = raw.strip().lstrip("\ufeff")

        def reject(kind: str, reason: str, **extra) -> Scan:
            return Scan(text, kind=kind, ok=False, reason=reason, **extra, **base)

        if not text:
            return reject(ScanKind.UNKNOWN, ScanReason.EMPTY)
        if len(text) > MAX_TEXT:
            return Scan(
                text[:80], kind=ScanKind.UNKNOWN, ok=False, reason=ScanReason.TOO_LONG, **base
            )
        if "\ufffd" in text or any(unicodedata.category(c) == "Cc" for c in text):
            return reject(ScanKind.UNKNOWN, ScanReason.UNREADABLE)

        if looks_like_card(text):
            check = check_card(text, self.public_key, self.revoked)
            if check.ok:
                return Scan(text, kind=ScanKind.CARD, ok=True, card_no=check.card_no, **base)
            return reject(ScanKind.CARD, _CARD_REASONS[check.reason], card_no=check.card_no)

        if _TICKET_SHAPE.match(text):
            return self._ticket_scan(text, base)

        if "://" in text or text.lower().startswith(("wxp:", "weixin:", "alipays:")):
            return self._url(text, base)

        if text.isascii() and text.isdigit():
            if any(p.match(text) for p in _PAYMENT_DIGITS):
                return reject(ScanKind.UNKNOWN, ScanReason.PAYMENT_CODE)
            if len(text) == 10:
                return reject(ScanKind.UNKNOWN, ScanReason.CARD_NUMBER_ONLY)
            if _ean_check_ok(text):
                return reject(ScanKind.UNKNOWN, ScanReason.PRODUCT_BARCODE)
        if is_linear(base["symbology"]):
            return reject(ScanKind.UNKNOWN, ScanReason.BARCODE_NOT_QR)
        return reject(ScanKind.UNKNOWN, ScanReason.UNKNOWN_CODE)

    def _url(self, text: str, base: dict) -> Scan:
        try:
            parts = urlsplit(text)
            scheme = parts.scheme.lower()
            host = (parts.hostname or "").lower()
        except ValueError:
            return Scan(text, kind=ScanKind.URL, ok=False, reason=ScanReason.UNREADABLE, **base)
        if _is_payment_url(scheme, host):
            return Scan(
                text, kind=ScanKind.URL, ok=False, url=text, reason=ScanReason.PAYMENT_CODE, **base
            )
        match = _TRACKING_PATH.match(parts.path or "")
        ours = not self.server_hosts or host in self.server_hosts
        if scheme in ("http", "https") and match and ours:
            return self._ticket_scan(match["ticket"], base, url=text)
        return Scan(
            text, kind=ScanKind.URL, ok=False, url=text, reason=ScanReason.WEB_ADDRESS, **base
        )

    def _ticket_scan(self, number: str, base: dict, url: str | None = None) -> Scan:
        text = url or number
        ticket = parse_ticket(number)
        if ticket is None:
            return Scan(
                text,
                kind=ScanKind.TICKET,
                ok=False,
                url=url,
                reason=ScanReason.TICKET_MALFORMED,
                **base,
            )
        return Scan(text, kind=ScanKind.TICKET, ok=True, ticket=str(ticket), url=url, **base)


def _safe_text(raw: object) -> str:
    return raw[:80] if isinstance(raw, str) else ""


__all__ = ["Classifier", "LINEAR_SYMBOLOGIES", "is_linear", "symbology_name"]
