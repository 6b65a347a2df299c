"""Print a test page or an example slip from the command line, for a technician at a kiosk.

.venv/bin/python -m kiosk.printing --url tcp://192.168.1.50:9100 test
.venv/bin/python -m kiosk.printing --url "usb://0416:5011?width=80" redemption ticket
.venv/bin/python -m kiosk.printing --url preview://var/print-preview all
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import replace
from datetime import datetime

from . import samples
from .config import DEFAULT_URL, PrinterConfig, PrinterConfigError
from .jobs import PrintQueue
from .slips import day_close, points_slip, printer_test_page, redemption_receipt, ticket_slip

SLIPS = {
    "redemption": lambda: redemption_receipt(samples.redemption(10)),
    "award": lambda: points_slip(samples.award()),
    "deduction": lambda: points_slip(samples.deduction()),
    "ticket": lambda: ticket_slip(samples.ticket()),
    "day-close": lambda: day_close(samples.close()),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.printing", description=__doc__)
    parser.add_argument("--url", default=DEFAULT_URL, help="printer URL (default: %(default)s)")
    parser.add_argument("--device", default="DEMO", help="device short code for the test page")
    parser.add_argument("--jobs", default="var/print-jobs", help="folder of kept jobs")
    parser.add_argument("slips", nargs="*", help=f"test (default), all, {', '.join(SLIPS)}")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    try:
        config = PrinterConfig.parse(args.url)
    except PrinterConfigError as error:
        print(error, file=sys.stderr)
        return 2
    unknown = set(args.slips) - {"test", "all", *SLIPS}
    if unknown:
        print(
            f"No such slip: {', '.join(sorted(unknown))}. Choose from test, all, "
            f"{', '.join(SLIPS)}.",
            file=sys.stderr,
        )
        return 2
    names = [*SLIPS, "test"] if "all" in args.slips else (args.slips or ["test"])
    queue = PrintQueue(config, args.jobs)
    failed = 0
    try:
        for name in names:
            if name == "test":
                page = samples.printer_check(
                    config.url, config.mode, config.encoding, config.width
                )
                now = datetime.now()
                document = printer_test_page(replace(page, device=args.device, printed_at=now))
            else:
                document = SLIPS[name]()
            outcome = queue.submit(document).wait(120)
            if outcome.ok:
                print(f"{name}: sent {outcome.bytes_sent} bytes (job {outcome.job_id})")
                if outcome.warning_en:
                    print(f"  {outcome.warning_zh} {outcome.warning_en}")
            else:
                failed += 1
                print(f"{name}: {outcome.message_zh}\n  {outcome.message_en}", file=sys.stderr)
    finally:
        queue.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
