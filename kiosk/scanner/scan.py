"""The one result every scan ends in, whichever way the code was read.

A camera frame, a handheld scanner typing like a keyboard and a scanner on a
serial port all produce a :class:`Scan`: the text read, where it came from,
what kind of code it is, whether the kiosk may act on it, and if not, a reason
code with a sentence in Chinese and in English that says what to do next.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

from kiosk.scanner.messages import message


class ScanSource:
    CAMERA = "camera"
    WEDGE = "wedge"  # a handheld scanner that types like a keyboard
    SERIAL = "serial"


class ScanKind:
    CARD = "card"
    TICKET = "ticket"
    URL = "url"
    UNKNOWN = "unknown"


class ScanReason:
    """Stable reason codes, for logs, the store and the message catalogue."""

    CARD_MALFORMED = "card_malformed"  # damaged or cut short
    CARD_FORGED = "card_forged"  # signature does not match the community's key
    CARD_REVOKED = "card_revoked"
    CARD_NO_KEY = "card_no_key"
    CARD_NUMBER_ONLY = "card_number_only"  # ten digits without a signature
    TICKET_MALFORMED = "ticket_malformed"
    PAYMENT_CODE = "payment_code"  # a shop's or a phone's payment code
    WEB_ADDRESS = "web_address"  # a URL that is not our tracking page
    PRODUCT_BARCODE = "product_barcode"  # EAN/UPC on goods
    BARCODE_NOT_QR = "barcode_not_qr"  # some other 1-D barcode
    EMPTY = "empty"
    TOO_LONG = "too_long"
    UNREADABLE = "unreadable"  # control characters or binary data
    UNKNOWN_CODE = "unknown_code"


@dataclass(frozen=True)
class Scan:
    """One code read once; ``ok`` says whether the kiosk may act on it."""

    text: str
    source: str
    kind: str
    ok: bool
    reason: str | None = None
    symbology: str | None = None  # "qr", "code128", "ean13"...; None when a scanner typed it
    card_no: str | None = None
    ticket: str | None = None
    url: str | None = None
    at: float = field(default_factory=time.time)
    detail: dict = field(default_factory=dict, compare=False)

    @property
    def message_key(self) -> str:
        if self.ok:
            return f"ok_{self.kind}"
        return self.reason or ScanReason.UNKNOWN_CODE

    def message(self, lang: str = "zh") -> str:
        """A sentence for the person at the kiosk, in ``lang`` ("zh" or "en")."""
        return message(self.message_key, lang)

    @property
    def message_zh(self) -> str:
        return self.message("zh")

    @property
    def message_en(self) -> str:
        return self.message("en")

    def to_dict(self) -> dict:
        """Plain JSON-ready form for the store's health detail or a log line."""
        data = asdict(self)
        data["message_zh"] = self.message_zh
        data["message_en"] = self.message_en
        return data
