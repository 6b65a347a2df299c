"""Printer URLs from the device configuration, and the sentences a bad one gets."""

from __future__ import annotations

import pytest

from kiosk.printing import DEFAULT_URL, PrinterConfig, PrinterConfigError, PrintQueue


def test_each_kind_of_printer_url_is_understood():
    usb = PrinterConfig.parse("usb://0416:5011?width=80&mode=raster")
    assert (usb.scheme, usb.vendor_id, usb.product_id) == ("usb", 0x0416, 0x5011)
    assert (usb.width, usb.dots, usb.columns, usb.mode) == (80, 576, 48, "raster")

    serial = PrinterConfig.parse("serial:///dev/ttyUSB0?baudrate=19200")
    assert (serial.target, serial.extra["baudrate"]) == ("/dev/ttyUSB0", 19200)

    tcp = PrinterConfig.parse("tcp://192.168.1.50?timeout=2.5&encoding=gbk")
    assert (tcp.target, tcp.port, tcp.timeout, tcp.encoding) == ("192.168.1.50", 9100, 2.5, "gbk")
    assert tcp.reads_status

    assert PrinterConfig.parse("file:///dev/usb/lp0").target == "/dev/usb/lp0"
    assert not PrinterConfig.parse("file:///dev/usb/lp0").reads_status
    assert PrinterConfig.parse("cups://receipt").target == "receipt"
    assert PrinterConfig.parse("preview://var/out").target == "var/out"
    assert PrinterConfig.parse("preview:///tmp/out").target == "/tmp/out"
    assert not PrinterConfig.parse("tcp://10.0.0.9:9100?status=off").reads_status


def test_defaults_are_the_demo_preview_native_gb18030_58mm():
    config = PrinterConfig.parse(None)
    assert config.url == DEFAULT_URL
    assert (config.scheme, config.mode, config.encoding, config.width) == (
        "preview",
        "native",
        "gb18030",
        58,
    )


def test_separate_settings_fill_in_and_the_url_query_wins():
    config = PrinterConfig.parse("tcp://10.0.0.9:9100?width=80", mode="raster", width=58)
    assert (config.mode, config.width) == ("raster", 80)


def test_queue_reads_the_device_configuration(tmp_path):
    settings = {"printer_url": "tcp://10.0.0.9:9100", "printer_width": "80"}
    queue = PrintQueue.from_settings(settings.get, tmp_path)
    try:
        assert (queue.config.target, queue.config.width, queue.config.mode) == (
            "10.0.0.9",
            80,
            "native",
        )
    finally:
        queue.close()


@pytest.mark.parametrize(
    "url,fix",
    [
        ("http://printer", "Write it like one of these"),
        ("tcp://:9100", "has no address"),
        ("tcp://host:port", "is not a number"),
        ("usb://printer", "vendor and product id in hexadecimal"),
        ("serial://dev/ttyUSB0", "absolute device path after three slashes"),
        ("cups://", "needs the CUPS queue name"),
        ("tcp://10.0.0.9?mode=colour", "Set mode to one of: native, raster"),
        ("tcp://10.0.0.9?width=76", "Set width to one of: 58, 80"),
        ("tcp://10.0.0.9?encoding=big5", "Set encoding to one of: gb18030, gbk"),
        ("tcp://10.0.0.9?timeout=soon", "must be a number"),
        ("tcp://10.0.0.9?timeout=0", "must be above zero"),
        ("tcp://10.0.0.9?colour=red", "Use only:"),
    ],
)
def test_a_bad_url_says_what_to_fix(url, fix):
    with pytest.raises(PrinterConfigError) as error:
        PrinterConfig.parse(url)
    assert fix in str(error.value)
    assert str(error.value).endswith(".")
