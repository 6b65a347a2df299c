"""The other transports: a device file, a serial line (a real pty), USB (faked at pyusb's
device object, the lowest boundary, since no USB printer is attached here) and CUPS."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import usb.core
import usb.util
from printing_escpos_reader import read_paper
from printing_fake_printers import STATUS, PtyPrinter

from kiosk.printing import samples, ticket_slip
from kiosk.printing.config import PrinterConfig
from kiosk.printing.jobs import render
from kiosk.printing.transport import PrintProblem, deliver


def test_file_printer_gets_exactly_the_rendered_bytes(make_queue, tmp_path):
    device = tmp_path / "lp0"
    device.touch()
    queue = make_queue(f"file://{device}")
    document = ticket_slip(samples.ticket())

    outcome = queue.submit(document).wait(30)
    assert outcome.ok
    assert device.read_bytes() == render(document, queue.config)
    assert "L07-261203-0012" in read_paper(device.read_bytes()).large_lines


def test_missing_device_file_says_check_the_cable(make_queue, tmp_path):
    queue = make_queue(f"file://{tmp_path}/no-such-dir/lp0")
    outcome = queue.submit(ticket_slip(samples.ticket())).wait(30)
    assert outcome.problem == "unreachable"
    assert "USB" in outcome.message_zh


@pytest.fixture
def pty_printer():
    printer = PtyPrinter()
    yield printer
    printer.close()


def test_serial_printer_prints_after_answering_status(pty_printer):
    config = PrinterConfig.parse(f"serial://{pty_printer.device}?baudrate=9600&timeout=1")
    document = ticket_slip(samples.ticket())

    assert deliver(render(document, config), config) is None
    paper = read_paper(bytes(pty_printer.received))
    assert paper.status_requests == 3  # printer state and paper before, printer state after
    assert "L07-261203-0012" in paper.large_lines and paper.cut_at_end


def test_serial_printer_out_of_paper_prints_nothing(pty_printer):
    pty_printer.behaviour = "paper_out"
    config = PrinterConfig.parse(f"serial://{pty_printer.device}?timeout=1")

    with pytest.raises(PrintProblem) as problem:
        deliver(render(ticket_slip(samples.ticket()), config), config)
    assert problem.value.kind == "paper_out"
    assert read_paper(bytes(pty_printer.received)).lines == []


def test_serial_printer_without_a_read_wire_can_skip_status(pty_printer):
    pty_printer.behaviour = "silent"
    asking = PrinterConfig.parse(f"serial://{pty_printer.device}?timeout=0.5")
    with pytest.raises(PrintProblem) as problem:
        deliver(b"\x1b@", asking)
    assert problem.value.kind == "no_answer"

    trusting = PrinterConfig.parse(f"serial://{pty_printer.device}?timeout=0.5&status=off")
    assert deliver(render(ticket_slip(samples.ticket()), trusting), trusting) is None


class FakeUsbDevice:
    """Stands in for pyusb's usb.core.Device: what python-escpos's Usb transport calls."""

    class backend:  # noqa: N801 - mirrors the attribute pyusb devices carry
        pass

    def __init__(
        self, answers: dict[int, int] | None, out_ep: int = 0x01, in_ep: int | None = 0x82
    ):
        self.answers = answers
        self.out_ep, self.in_ep = out_ep, in_ep
        self.written = bytearray()
        self._pending: list[int] = []

    def get_active_configuration(self):
        endpoints = [SimpleNamespace(bEndpointAddress=self.out_ep, bmAttributes=0x02)]
        if self.in_ep is not None:
            endpoints.append(SimpleNamespace(bEndpointAddress=self.in_ep, bmAttributes=0x02))
        return [endpoints]  # one interface

    def is_kernel_driver_active(self, interface):
        return False

    def set_configuration(self):
        pass

    def reset(self):
        pass

    def write(self, endpoint, data, timeout=None):
        if endpoint != self.out_ep:
            raise usb.core.USBError("Pipe error", 32, 32)
        self.written += bytes(data)
        if bytes(data[:2]) == b"\x10\x04" and self.answers is not None:
            self._pending.append(self.answers[data[2]])
        return len(data)

    def read(self, endpoint, size, timeout=None):
        if endpoint != self.in_ep:
            raise usb.core.USBError("Pipe error", 32, 32)
        if not self._pending:
            raise usb.core.USBTimeoutError("Operation timed out", 110, 110)
        return bytearray([self._pending.pop(0)])


@pytest.fixture
def usb_bus(monkeypatch):
    attached: dict[tuple[int, int], FakeUsbDevice] = {}

    def find(idVendor=None, idProduct=None, **_):  # noqa: N803 - pyusb's keyword names
        return attached.get((idVendor, idProduct))

    monkeypatch.setattr(usb.core, "find", find)
    monkeypatch.setattr(usb.util, "dispose_resources", lambda device: None)
    return attached


def test_usb_printer_prints_after_answering_status(usb_bus):
    usb_bus[(0x0416, 0x5011)] = device = FakeUsbDevice(STATUS["normal"])
    config = PrinterConfig.parse("usb://0416:5011?width=80")

    assert deliver(render(ticket_slip(samples.ticket()), config), config) is None
    paper = read_paper(bytes(device.written))
    assert "L07-261203-0012" in paper.large_lines and paper.cut_at_end


def test_usb_endpoints_come_from_the_printer_descriptor(usb_bus):
    usb_bus[(0x0416, 0x5011)] = device = FakeUsbDevice(STATUS["paper_out"], 0x03, 0x81)
    config = PrinterConfig.parse("usb://0416:5011")
    data = render(ticket_slip(samples.ticket()), config)

    with pytest.raises(PrintProblem) as problem:
        deliver(data, config)
    assert problem.value.kind == "paper_out"  # asked and answered on OUT 0x03 / IN 0x81

    device.answers = STATUS["normal"]
    assert deliver(data, config) is None
    assert "L07-261203-0012" in read_paper(bytes(device.written)).large_lines


def test_usb_printer_without_an_in_endpoint_prints_without_status(usb_bus):
    usb_bus[(0x0416, 0x5011)] = device = FakeUsbDevice(None, 0x02, None)
    config = PrinterConfig.parse("usb://0416:5011")

    assert deliver(render(ticket_slip(samples.ticket()), config), config) is None
    paper = read_paper(bytes(device.written))
    assert paper.status_requests == 0 and paper.cut_at_end


def test_usb_printer_with_cover_open_or_silent_or_unplugged(usb_bus):
    config = PrinterConfig.parse("usb://0416:5011")
    data = render(ticket_slip(samples.ticket()), config)

    usb_bus[(0x0416, 0x5011)] = FakeUsbDevice(STATUS["cover_open"])
    with pytest.raises(PrintProblem) as problem:
        deliver(data, config)
    assert problem.value.message_zh.startswith("打印机盖没有关好")

    usb_bus[(0x0416, 0x5011)] = FakeUsbDevice(None)
    with pytest.raises(PrintProblem) as problem:
        deliver(data, config)
    assert problem.value.kind == "no_answer"

    usb_bus.clear()
    with pytest.raises(PrintProblem) as problem:
        deliver(data, config)
    assert problem.value.kind == "unreachable"


def test_cups_without_pycups_or_lp_asks_for_a_technician(monkeypatch, tmp_path):
    pytest.importorskip("escpos.printer.cups")
    from escpos.printer import CupsPrinter

    if CupsPrinter.is_usable():
        pytest.skip("pycups is installed here")
    monkeypatch.setenv("PATH", str(tmp_path))
    config = PrinterConfig.parse("cups://receipt")
    with pytest.raises(PrintProblem) as problem:
        deliver(b"\x1b@", config)
    assert problem.value.kind == "not_installed"
    assert problem.value.message_zh == "这台设备缺少打印机驱动组件，请联系技术人员。"
    assert "pycups or the CUPS lp command" in problem.value.message_en


@pytest.mark.timeout(60)
def test_serial_printer_that_stops_taking_bytes_does_not_hang_the_queue():
    printer = PtyPrinter(behaviour="stalled")  # holds the line: reads nothing at all
    try:
        config = PrinterConfig.parse(
            f"serial://{printer.device}?baudrate=115200&timeout=0.5&status=off"
        )
        with pytest.raises(PrintProblem) as problem:
            deliver(b"\x1b@" + b"A" * 1_000_000, config)
        assert problem.value.kind == "interrupted"
    finally:
        printer.close()
