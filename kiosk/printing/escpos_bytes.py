"""The ESC/POS commands the encoders send, named, and the status requests."""

from __future__ import annotations

ESC, GS, FS, DLE, EOT, LF = b"\x1b", b"\x1d", b"\x1c", b"\x10", b"\x04", b"\n"

INIT = ESC + b"@"
CHINESE_ON = FS + b"&"  # FS &: select the printer's Chinese (double-byte) character mode
CHINESE_OFF = FS + b"."
ALIGN = {"left": ESC + b"a\x00", "center": ESC + b"a\x01", "right": ESC + b"a\x02"}
BOLD = {False: ESC + b"E\x00", True: ESC + b"E\x01"}
NORMAL_LINE_SPACING = ESC + b"2"

# DLE EOT n, answered at once by the printer with one status byte.
STATUS_PRINTER = DLE + EOT + b"\x01"
STATUS_OFFLINE_CAUSE = DLE + EOT + b"\x02"
STATUS_ERROR_CAUSE = DLE + EOT + b"\x03"
STATUS_PAPER = DLE + EOT + b"\x04"


def size(scale: int) -> bytes:
    """GS ! n: character width and height multiplier (1 to 8)."""
    return GS + b"!" + bytes([((scale - 1) << 4) | (scale - 1)])


def feed_dots(dots: int) -> bytes:
    """ESC J n: print and feed n dots, a small gap under a code."""
    return ESC + b"J" + bytes([max(0, min(dots, 255))])


def feed(lines: int) -> bytes:
    return ESC + b"d" + bytes([max(0, min(lines, 255))])


def cut(mode: str, feed_lines: int = 4) -> bytes:
    """GS V 65/66 n: feed to the cutter (plus n) and cut fully or partially."""
    if mode == "none":
        return feed(feed_lines)
    return GS + b"V" + (b"A" if mode == "full" else b"B") + bytes([feed_lines])


def qr(payload: str, module: int, ec: str = "M") -> bytes:
    """GS ( k: store a model 2 QR code and print it, rendered by the printer."""
    data = payload.encode("utf-8")
    level = {"L": 48, "M": 49, "Q": 50, "H": 51}[ec]

    def command(fn: int, body: bytes) -> bytes:
        length = len(body) + 2
        return GS + b"(k" + bytes([length & 0xFF, length >> 8, 49, fn]) + body

    return (
        command(65, b"\x32\x00")
        + command(67, bytes([module]))
        + command(69, bytes([level]))
        + command(80, b"0" + data)
        + command(81, b"0")
    )


def barcode128(data: str, height: int = 64, module: int = 2) -> bytes:
    """GS k 73: a CODE128 barcode in code set B with its text printed below."""
    if not data.isascii() or not data.isprintable() or len(data) > 250:
        raise ValueError("a CODE128 barcode takes up to 250 printable ASCII characters")
    body = b"{B" + data.encode("ascii")
    return (
        GS + b"H\x02" + GS + b"h" + bytes([height]) + GS + b"w" + bytes([module])
        + GS + b"k\x49" + bytes([len(body)]) + body
    )  # fmt: skip


def raster(width_bytes: int, height: int, bits: bytes) -> bytes:
    """GS v 0: one band of a raster bit image, 1 bits printed."""
    return (
        GS
        + b"v0\x00"
        + bytes([width_bytes & 0xFF, width_bytes >> 8, height & 0xFF, height >> 8])
        + bits
    )
