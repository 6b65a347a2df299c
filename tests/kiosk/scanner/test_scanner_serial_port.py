"""A scanner on a serial port, through a pseudo-terminal pair standing in for the cable."""

from __future__ import annotations

import os
import threading

import pytest

from kiosk.scanner.scan import ScanSource
from kiosk.scanner.serial_port import SerialScanner


@pytest.fixture
def pty_pair():
    controller, device = os.openpty()
    yield controller, os.ttyname(device)
    os.close(controller)
    os.close(device)


def test_lines_from_the_serial_port_become_scans(pty_pair, classifier, make_card):
    controller, path = pty_pair
    scans, arrived = [], threading.Event()

    def collect(scan):
        scans.append(scan)
        if len(scans) == 3:
            arrived.set()

    healthy = threading.Event()
    scanner = SerialScanner(
        path, classifier, collect, on_health=lambda h: h.ok and healthy.set()
    ).start()
    try:
        assert healthy.wait(10)
        card = make_card("0000000321")
        os.write(controller, card[:50].encode())  # a line may arrive in pieces
        os.write(controller, (card[50:] + "\r\n").encode())
        os.write(controller, b"\r\nL07-261203-0012\rhttps://qr.alipay.com/bax0\n")
        assert arrived.wait(10)
    finally:
        scanner.stop()
    assert [(s.source, s.kind, s.ok) for s in scans] == [
        (ScanSource.SERIAL, "card", True),
        (ScanSource.SERIAL, "ticket", True),
        (ScanSource.SERIAL, "url", False),
    ]
    assert scans[2].reason == "payment_code"
    assert scanner.health.component == "scanner"


def test_missing_serial_port_is_a_health_status_and_retried(tmp_path, classifier):
    statuses = []
    retried = threading.Event()

    def record(health):
        statuses.append(health)
        if len(statuses) >= 2:
            retried.set()

    scanner = SerialScanner(
        str(tmp_path / "ttyUSB9"),
        classifier,
        lambda s: None,
        on_health=record,
        backoff=(0.01, 0.02),
    ).start()
    try:
        assert retried.wait(10)
    finally:
        scanner.stop()
    assert scanner.health.ok is False
    assert scanner.health.reason == "scanner_port_failed"
    assert "扫码枪" in scanner.health.message_zh
    assert scanner.failures >= 2


def test_serial_scanner_unplugged_while_reading_is_reported(classifier):
    controller, device = os.openpty()
    path = os.ttyname(device)
    healthy, failed = threading.Event(), threading.Event()

    def record(health):
        if health.ok:
            healthy.set()
        elif health.ok is False:
            failed.set()

    scanner = SerialScanner(
        path, classifier, lambda s: None, on_health=record, backoff=(0.05, 0.05)
    ).start()
    try:
        assert healthy.wait(10)
        os.close(controller)  # the cable is pulled: reads on the port now fail
        os.close(device)
        assert failed.wait(10)
    finally:
        scanner.stop()
    assert scanner.health.reason == "scanner_port_failed"
