"""Receipts and slips on ESC/POS thermal printers, in the printer's Chinese mode or as raster.

    from kiosk.printing import PrintQueue, PrinterConfig, redemption_receipt
    queue = PrintQueue(PrinterConfig.parse("tcp://192.168.1.50:9100?width=80"), "var/print-jobs")
    job = queue.submit(redemption_receipt(receipt))
    job.on_done(lambda outcome: ...)   # outcome.ok, or outcome.message_zh for staff

The package only prints: it never writes to the store.
"""

import logging

from . import samples
from .config import DEFAULT_URL, PrinterConfig, PrinterConfigError
from .document import Document
from .jobs import JobRecord, PrintJob, PrintOutcome, PrintQueue, render
from .slips import (
    DayClose,
    GoodsOut,
    PointsSlip,
    PrinterTestPage,
    RedemptionItem,
    RedemptionReceipt,
    StaffTotals,
    TicketSlip,
    day_close,
    points_slip,
    printer_test_page,
    redemption_receipt,
    ticket_slip,
)
from .text import card_tail, mask_name

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "DEFAULT_URL",
    "DayClose",
    "Document",
    "GoodsOut",
    "JobRecord",
    "PointsSlip",
    "PrintJob",
    "PrintOutcome",
    "PrintQueue",
    "PrinterConfig",
    "PrinterConfigError",
    "RedemptionItem",
    "RedemptionReceipt",
    "StaffTotals",
    "PrinterTestPage",
    "TicketSlip",
    "card_tail",
    "day_close",
    "mask_name",
    "points_slip",
    "redemption_receipt",
    "render",
    "samples",
    "printer_test_page",
    "ticket_slip",
]
