"""How long a ten-item redemption receipt takes to build, and how many bytes it sends.

    .venv/bin/python bench/printing.py [--runs N]

For native and raster mode at 58 and 80 mm, beside a baseline measured in the same run:
python-escpos's own text path (textln through its code-page guessing, native QR) and its own
image path (image() of the same picture). Goals: native under 5 ms and 2 KB, raster under
150 ms. A 9,600-baud serial printer takes about a second per kilobyte; the last column says
how long the bytes take on such a line.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from escpos.printer import Dummy  # noqa: E402

from kiosk.printing import PrinterConfig, redemption_receipt, render, samples  # noqa: E402
from kiosk.printing.document import TextLine, layout  # noqa: E402
from kiosk.printing.native import _grid_text  # noqa: E402
from kiosk.printing.raster import render_image  # noqa: E402


def timed(build, runs: int) -> tuple[float, bytes]:
    build()  # warm caches (fonts, codecs) once, as a running kiosk has them
    times, data = [], b""
    for _ in range(runs):
        start = time.perf_counter()
        data = build()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, data


def baseline_text(receipt, config) -> bytes:
    """python-escpos's naive path: the same lines through textln, its native QR, its cut."""
    printer = Dummy()
    document = redemption_receipt(receipt)
    for line in layout(document, config.columns, config.encoding):
        if isinstance(line, TextLine):
            printer.set(bold=line.bold, double_width=line.scale > 1, double_height=line.scale > 1)
            printer.textln(_grid_text(line))
    printer.qr(receipt.record_url, size=6, native=True)
    printer.cut()
    return printer.output


def baseline_image(receipt, config) -> bytes:
    """python-escpos's image path: the same picture through image() (GS v 0)."""
    printer = Dummy()
    picture = render_image(redemption_receipt(receipt), config).convert("L")
    with contextlib.redirect_stdout(io.StringIO()):  # it prints a notice about the profile
        printer.image(picture.point(lambda v: 255 - v))  # it expects black ink on white
    printer.cut()
    return printer.output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    receipt = samples.redemption(10)

    rows = []
    for width in (58, 80):
        config = PrinterConfig.parse(f"preview:///tmp?width={width}")
        raster = PrinterConfig.parse(f"preview:///tmp?width={width}&mode=raster")
        rows.append(
            (
                f"native {width} mm",
                *timed(lambda c=config: render(redemption_receipt(receipt), c), args.runs * 4),
            )
        )
        rows.append(
            (
                f"  baseline textln {width} mm",
                *timed(lambda c=config: baseline_text(receipt, c), args.runs * 4),
            )
        )
        rows.append(
            (
                f"raster {width} mm",
                *timed(lambda c=raster: render(redemption_receipt(receipt), c), args.runs),
            )
        )
        rows.append(
            (
                f"  baseline image() {width} mm",
                *timed(lambda c=raster: baseline_image(receipt, c), args.runs),
            )
        )

    runs = f"native x{args.runs * 4}, raster x{args.runs}"
    print(f"ten-item redemption receipt, median build time ({runs})")
    print(f"{'path':32} {'build ms':>9} {'bytes':>8} {'9600 baud s':>12}")
    for name, ms, data in rows:
        print(f"{name:32} {ms:9.2f} {len(data):8d} {len(data) / 960:12.1f}")
    chinese_mode = [b"\x1c&" in data for _, _, data in rows[:2]]
    print(
        f"sends FS & (the printer's Chinese mode): native {chinese_mode[0]}, "
        f"baseline textln {chinese_mode[1]}"
    )


if __name__ == "__main__":
    main()
