"""Codes out of a camera frame: a cheap pass first, harder passes only when it finds nothing.

Each pass is one decoder (zxing-cpp or ZBar through pyzbar) on one view of the
frame (reduced greyscale, full resolution, the region where the last code was,
contrast-equalised, another binariser). :class:`Decoder` runs its passes in
order and stops at the first that reads something, so a frame with a clear
code costs one cheap pass and a frame without a code costs the whole chain;
the chain is kept short enough that it still fits in a camera frame interval.

The default chain was chosen by ``bench/scan.py --passes`` (figures and the
reasoning in ``kiosk/scanner/DECODING.md``): every candidate pass is timed and
scored alone on the same frames, every chain of up to four passes is simulated
from those results, and the chain that decodes the most frames at the lowest
cost on frames without a code wins.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np
import zxingcpp
from pyzbar import pyzbar

from kiosk.scanner.classify import symbology_name

log = logging.getLogger(__name__)

FAST_WIDTH = 640  # the reduced frame the first pass reads
ROI_SECONDS = 1.0  # how long the last code's region is worth a look
_QR = zxingcpp.BarcodeFormat.QRCode
_QR_AND_LINEAR = zxingcpp.BarcodeFormats(
    [zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.AllLinear]
)
_ZBAR_QR = [pyzbar.ZBarSymbol.QRCODE]
_ZBAR_ALL = [
    pyzbar.ZBarSymbol.QRCODE,
    pyzbar.ZBarSymbol.CODE128,
    pyzbar.ZBarSymbol.EAN13,
    pyzbar.ZBarSymbol.EAN8,
    pyzbar.ZBarSymbol.UPCA,
    pyzbar.ZBarSymbol.CODE39,
    pyzbar.ZBarSymbol.I25,
]


@dataclass(frozen=True)
class Decoded:
    """One code found in a frame; ``polygon`` is in the full frame's pixels."""

    text: str
    symbology: str | None
    polygon: tuple[tuple[int, int], ...]
    engine: str
    pass_name: str

    @property
    def box(self) -> tuple[int, int, int, int]:
        xs = [p[0] for p in self.polygon] or [0]
        ys = [p[1] for p in self.polygon] or [0]
        return min(xs), min(ys), max(xs), max(ys)


class View:
    """One frame and the derived images the passes share, each made at most once."""

    def __init__(self, frame: np.ndarray, roi: tuple[int, int, int, int] | None = None):
        self.frame = frame
        self.roi = roi
        # Boxes where zxing-cpp found a symbol it could not read; ZBar gets a second look.
        self.suspects: list[tuple[int, int, int, int]] = []
        self._cache: dict[str, tuple[np.ndarray, float, tuple[int, int]]] = {}

    def get(self, name: str) -> tuple[np.ndarray, float, tuple[int, int]]:
        """(image, scale from image to frame pixels, offset in frame pixels)."""
        if name not in self._cache:
            self._cache[name] = _MAKERS[name](self)
        return self._cache[name]


def _grey(view: View):
    frame = view.frame
    if frame.ndim == 3 and frame.shape[2] == 4:
        frame = cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    elif frame.ndim == 3:
        frame = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    return np.ascontiguousarray(frame), 1.0, (0, 0)


def _small(view: View):
    grey, _, _ = view.get("grey")
    width = grey.shape[1]
    if width <= FAST_WIDTH:
        return grey, 1.0, (0, 0)
    scale = width / FAST_WIDTH
    size = (FAST_WIDTH, round(grey.shape[0] / scale))
    return cv2.resize(grey, size, interpolation=cv2.INTER_AREA), scale, (0, 0)


def _equalised(view: View):
    small, scale, offset = view.get("small")
    clahe = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8))
    return clahe.apply(small), scale, offset


def _sharpened(view: View):
    grey, scale, offset = view.get("grey")
    blurred = cv2.GaussianBlur(grey, (0, 0), 2.0)
    return cv2.addWeighted(grey, 2.0, blurred, -1.0, 0), scale, offset


def _crop(grey: np.ndarray, box, grow: float = 0.5):
    x0, y0, x1, y1 = box
    pad_x, pad_y = int((x1 - x0) * grow) + 16, int((y1 - y0) * grow) + 16
    height, width = grey.shape[:2]
    x0, y0 = max(0, x0 - pad_x), max(0, y0 - pad_y)
    x1, y1 = min(width, x1 + pad_x), min(height, y1 + pad_y)
    return grey[y0:y1, x0:x1], 1.0, (x0, y0)


def _small_sharpened(view: View):
    small, scale, offset = view.get("small")
    blurred = cv2.GaussianBlur(small, (0, 0), 2.0)
    return cv2.addWeighted(small, 2.0, blurred, -1.0, 0), scale, offset


def _region(view: View):
    grey, _, _ = view.get("grey")
    if view.roi is None:
        return grey[:0, :0], 1.0, (0, 0)
    return _crop(grey, view.roi)


_MAKERS: dict[str, Callable] = {
    "grey": _grey,
    "small": _small,
    "equalised": _equalised,
    "sharpened": _sharpened,
    "small_sharpened": _small_sharpened,
    "region": _region,
}


def _zxing(image_name: str, formats, **options) -> Callable[[View], list[tuple]]:
    def run(view: View) -> list[tuple]:
        image, scale, offset = view.get(image_name)
        if image.size == 0:
            return []
        found = []
        codes = zxingcpp.read_barcodes(image, formats=formats, return_errors=True, **options)
        for code in codes:
            pos = code.position
            corners = (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left)
            polygon = tuple(
                (round(p.x * scale + offset[0]), round(p.y * scale + offset[1])) for p in corners
            )
            if code.valid:
                found.append((code.text, symbology_name(code.format), polygon, "zxing"))
            else:
                view.suspects.append(_box(polygon))
        return found

    return run


def _zbar(image_name: str, symbols) -> Callable[[View], list[tuple]]:
    def run(view: View) -> list[tuple]:
        image, scale, offset = view.get(image_name)
        if image.size == 0:
            return []
        found = []
        for code in pyzbar.decode(image, symbols=symbols):
            text = code.data.decode("utf-8", errors="replace")
            polygon = tuple(
                (round(p.x * scale + offset[0]), round(p.y * scale + offset[1]))
                for p in code.polygon
            )
            found.append((text, symbology_name(code.type), polygon, "zbar"))
        return found

    return run


def _zbar_suspects(view: View) -> list[tuple]:
    """ZBar at full resolution where zxing-cpp saw a symbol but could not read it."""
    grey, _, _ = view.get("grey")
    found = []
    looked: list[tuple[int, int, int, int]] = []
    for box in view.suspects:
        centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        if any(b[0] <= centre[0] <= b[2] and b[1] <= centre[1] <= b[3] for b in looked):
            continue  # the same symbol, seen again by a later pass
        if len(looked) == 2:
            break
        looked.append(box)
        image, _, offset = _crop(grey, box, grow=0.15)
        if image.size == 0:
            continue
        for code in pyzbar.decode(image, symbols=_ZBAR_ALL):
            text = code.data.decode("utf-8", errors="replace")
            polygon = tuple((p.x + offset[0], p.y + offset[1]) for p in code.polygon)
            found.append((text, symbology_name(code.type), polygon, "zbar"))
    return found


_FAST = {"try_rotate": False, "try_downscale": False, "try_invert": False}

# Every candidate pass, by name. The bench scores each one alone.
PASSES: dict[str, Callable[[View], list[tuple]]] = {
    "zx_small_qr": _zxing("small", _QR, **_FAST),
    "zx_small": _zxing("small", _QR_AND_LINEAR, **_FAST),
    "zx_small_rotate": _zxing(
        "small", _QR_AND_LINEAR, try_rotate=True, try_downscale=False, try_invert=False
    ),
    "zx_small_global": _zxing("small", _QR, binarizer=zxingcpp.Binarizer.GlobalHistogram, **_FAST),
    "zx_small_invert": _zxing(
        "small", _QR, try_rotate=False, try_downscale=False, try_invert=True
    ),
    "zx_equalised": _zxing("equalised", _QR, **_FAST),
    "zx_region": _zxing(
        "region", _QR_AND_LINEAR, try_rotate=False, try_downscale=True, try_invert=False
    ),
    "zx_full": _zxing(
        "grey", _QR_AND_LINEAR, try_rotate=False, try_downscale=True, try_invert=False
    ),
    "zx_full_qr": _zxing("grey", _QR, **_FAST),
    "zx_sharpened": _zxing("sharpened", _QR, **_FAST),
    "zx_small_sharpened": _zxing("small_sharpened", _QR, **_FAST),
    "zx_small_sharpened_all": _zxing("small_sharpened", _QR_AND_LINEAR, **_FAST),
    "zx_sharpened_all": _zxing("sharpened", _QR_AND_LINEAR, **_FAST),
    "zx_full_all": _zxing(
        "grey", _QR_AND_LINEAR, try_rotate=True, try_downscale=True, try_invert=True
    ),
    "zbar_small": _zbar("small", _ZBAR_QR),
    "zbar_small_all": _zbar("small", _ZBAR_ALL),
    "zbar_full": _zbar("grey", _ZBAR_QR),
    "zbar_equalised": _zbar("equalised", _ZBAR_QR),
    "zbar_suspects": _zbar_suspects,
}

# Chosen by bench/scan.py; see DECODING.md for the figures behind the order.
# Limitation: chosen on synthetic frames on a shared x86 machine, not on real captures or the
# target board; no pass in it tries light-on-dark codes, and motion blur is read in fewer
# than half of the blurred frames by this chain and by every single decoder.
DEFAULT_CHAIN: tuple[str, ...] = (
    "zx_small_sharpened",
    "zx_region",
    "zx_full",
    "zbar_suspects",
)


@dataclass
class Decoder:
    """Runs ``chain`` on a frame until a pass reads something.

    Not thread-safe: one decoder per camera thread. It remembers where the last
    code was, so the next frames can look there at full resolution.
    """

    chain: Sequence[str] = DEFAULT_CHAIN
    clock: Callable[[], float] = time.monotonic
    _last_box: tuple[int, int, int, int] | None = field(default=None, init=False)
    _last_seen: float = field(default=-1e9, init=False)

    def __post_init__(self) -> None:
        unknown = [name for name in self.chain if name not in PASSES]
        if unknown:
            raise ValueError(f"unknown decoding pass(es): {', '.join(unknown)}")

    def remember(self, box: tuple[int, int, int, int] | None) -> None:
        """Where a code was last seen (frame pixels); the region pass looks there next."""
        self._last_box = box
        self._last_seen = self.clock() if box else -1e9

    def decode(self, frame: np.ndarray) -> list[Decoded]:
        """The codes in ``frame`` (BGR, BGRA or greyscale); empty when none could be read."""
        if not _usable(frame):
            log.debug("skipping a frame that is not an 8-bit image")
            return []
        now = self.clock()
        recent = now - self._last_seen <= ROI_SECONDS
        view = View(frame, self._last_box if recent else None)
        for name in self.chain:
            if name == "zx_region" and view.roi is None:
                continue
            try:
                found = PASSES[name](view)
            except Exception:  # a decoder failing on one frame must not stop the camera
                log.exception("decoding pass %s failed", name)
                continue
            if found:
                codes = _unique(found, name)
                self._last_box = _union(code.box for code in codes)
                self._last_seen = now
                return codes
        return []


def _usable(frame) -> bool:
    return (
        isinstance(frame, np.ndarray)
        and frame.dtype == np.uint8
        and (frame.ndim == 2 or (frame.ndim == 3 and frame.shape[2] in (1, 3, 4)))
        and min(frame.shape[:2]) >= 8
    )


def _unique(found: list[tuple], pass_name: str) -> list[Decoded]:
    seen: dict[str, Decoded] = {}
    for text, symbology, polygon, engine in found:
        seen.setdefault(text, Decoded(text, symbology, polygon, engine, pass_name))
    return list(seen.values())


def _box(polygon) -> tuple[int, int, int, int]:
    xs = [p[0] for p in polygon] or [0]
    ys = [p[1] for p in polygon] or [0]
    return min(xs), min(ys), max(xs), max(ys)


def _union(boxes) -> tuple[int, int, int, int]:
    boxes = list(boxes)
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
