"""Fixtures for the printing tests: a network printer on 127.0.0.1 that speaks ESC/POS."""

from __future__ import annotations

import pytest
from printing_fake_printers import FakeNetworkPrinter

from kiosk.printing import PrinterConfig, PrintQueue


@pytest.fixture
def network_printer():
    printer = FakeNetworkPrinter()
    yield printer
    printer.close()


@pytest.fixture
def make_queue(tmp_path):
    """Build PrintQueues on a printer URL; all are closed at the end of the test."""
    queues = []

    def make(url: str, history: str = "jobs", **settings) -> PrintQueue:
        queue = PrintQueue(PrinterConfig.parse(url, **settings), tmp_path / history)
        queues.append(queue)
        return queue

    yield make
    for queue in queues:
        queue.close()
