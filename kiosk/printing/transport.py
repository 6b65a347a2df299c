"""Getting bytes to the printer over python-escpos's transports, asking it for its status first.

`deliver` opens the printer the URL names, asks for its status where the transport carries an
answer (DLE EOT over USB, serial and TCP), sends the job, asks again to confirm the printer
is still there, and closes. Every failure becomes a PrintProblem with a sentence staff can act
on; nothing here knows about points or reports.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError

from . import escpos_bytes as cmd
from .config import PrinterConfig
from .labels import PROBLEM

log = logging.getLogger(__name__)

CHUNK = 4096


class PrintProblem(Exception):
    """Why a slip did not print, as a Chinese and an English sentence."""

    def __init__(self, kind: str, detail: str = ""):
        self.kind = kind
        zh, en = PROBLEM[kind]
        self.message_zh = zh
        self.message_en = en.format(detail=detail or kind)
        super().__init__(self.message_en)


class _NoAnswer(Exception):
    pass


class _ConnectionLost(Exception):
    pass


def open_printer(config: PrinterConfig, job_name: str = "slip") -> Escpos:
    """An opened python-escpos printer for the URL, or PrintProblem."""
    try:
        printer = _make(config)
        if config.scheme in ("cups", "preview"):
            printer.open(job_name=job_name)
        else:
            printer.open()
    except PrintProblem:
        raise
    except RuntimeError as exc:  # python-escpos: a transport's library is not installed
        log.error("printer %s cannot open: %s", config.scheme, exc)
        raise PrintProblem("not_installed", _missing_library(config.scheme)) from exc
    except (DeviceNotFoundError, OSError) as exc:
        log.warning("printer %s unreachable: %s", config.url, exc)
        raise PrintProblem("unreachable") from exc
    except Exception as exc:  # pyusb's NoBackendError, a serial port's ValueError, ...
        log.warning("printer %s cannot open: %r", config.url, exc)
        raise PrintProblem("unreachable") from exc
    return printer


def _missing_library(scheme: str) -> str:
    return {"usb": "pyusb", "serial": "pyserial", "cups": "pycups"}.get(scheme, scheme)


def _make(config: PrinterConfig) -> Escpos:
    from escpos import printer as transports

    if config.scheme == "tcp":
        return transports.Network(config.target, config.port, timeout=config.timeout)
    if config.scheme == "usb":
        return transports.Usb(
            config.vendor_id,
            config.product_id,
            timeout=int(config.timeout * 1000),
            in_ep=config.extra.get("in_ep", 0x82),
            out_ep=config.extra.get("out_ep", 0x01),
        )
    if config.scheme == "serial":
        return transports.Serial(
            config.target, baudrate=config.extra.get("baudrate", 9600), timeout=config.timeout
        )
    if config.scheme == "file":
        return transports.File(config.target)
    if config.scheme == "cups":
        if transports.CupsPrinter.is_usable():
            return transports.CupsPrinter(config.target)
        if shutil.which("lp") is None or shutil.which("lpstat") is None:
            raise PrintProblem("not_installed", "pycups or the CUPS lp command")
        # Without pycups, the lp command queues the raw bytes just the same.
        return transports.LP(config.target)
    from .preview import PreviewPrinter

    return PreviewPrinter(Path(config.target), config)


def _use_usb_endpoints(printer: Escpos, config: PrinterConfig) -> bool:
    """Take the bulk endpoints the printer's descriptor declares, unless the URL names them.

    python-escpos assumes OUT 0x01 and IN 0x82; many printers differ, and many have no IN
    endpoint at all, so they cannot answer a status request. Returns whether one can be asked.
    """
    out_ep, in_ep = None, None
    try:
        for interface in printer.device.get_active_configuration():
            bulk = [e.bEndpointAddress for e in interface if e.bmAttributes & 0x03 == 0x02]
            out_ep = next((a for a in bulk if not a & 0x80), None)
            in_ep = next((a for a in bulk if a & 0x80), None)
            if out_ep is not None:
                break
    except Exception as exc:  # a descriptor that cannot be read: keep python-escpos's guess
        log.debug("USB printer %s descriptor not read: %r", config.url, exc)
        return True
    if out_ep is None:
        return True
    if "out_ep" not in config.extra:
        printer.out_ep = out_ep
    if "in_ep" not in config.extra:
        if in_ep is None:
            log.info("USB printer %s has no IN endpoint; printing without status", config.url)
            return False
        printer.in_ep = in_ep
    return True


def status_timeout(config: PrinterConfig) -> float:
    return min(2.0, config.timeout)


def _ask(printer: Escpos, config: PrinterConfig, request: bytes) -> int:
    """Send one DLE EOT request and return the status byte."""
    if config.scheme == "tcp":
        sock = printer.device
        sock.setblocking(False)
        try:
            while sock.recv(64):  # drop anything stale (automatic status, earlier answers)
                pass
            raise _ConnectionLost()
        except BlockingIOError:
            pass
        except OSError as exc:
            raise _ConnectionLost() from exc
        finally:
            sock.settimeout(status_timeout(config))
        try:
            sock.sendall(request)
            answer = sock.recv(16)
        except TimeoutError:
            raise _NoAnswer() from None
        except OSError as exc:
            raise _ConnectionLost() from exc
        finally:
            sock.settimeout(config.timeout)
        if not answer:
            raise _ConnectionLost()
    else:
        try:
            printer._raw(request)
            if config.scheme == "serial":
                # python-escpos reads 16 bytes, waiting out the timeout for a 1-byte answer.
                answer = printer.device.read(1)
            else:
                answer = bytes(printer._read())
        except Exception as exc:  # pyusb's USBTimeoutError, pyserial's SerialException, ...
            if "timeout" in type(exc).__name__.lower():
                raise _NoAnswer() from None
            raise _ConnectionLost() from exc
        if not answer:
            raise _NoAnswer()
    value = answer[-1]
    if value & 0x93 != 0x12:
        log.debug("status byte %#04x does not look like a DLE EOT answer", value)
    return value


def check_ready(printer: Escpos, config: PrinterConfig) -> str | None:
    """Raise PrintProblem when the printer cannot print now; return a warning kind or None."""
    try:
        state = _ask(printer, config, cmd.STATUS_PRINTER)
        if state & 0x08:  # offline: find out why
            cause = _ask(printer, config, cmd.STATUS_OFFLINE_CAUSE)
            if cause & 0x04:
                raise PrintProblem("cover_open")
            paper = _ask(printer, config, cmd.STATUS_PAPER)
            if cause & 0x20 or paper & 0x60 == 0x60:
                raise PrintProblem("paper_out")
            if cause & 0x40:
                error = _ask(printer, config, cmd.STATUS_ERROR_CAUSE)
                if error & 0x08:
                    raise PrintProblem("cutter_error")
            raise PrintProblem("offline")
        paper = _ask(printer, config, cmd.STATUS_PAPER)
    except _NoAnswer:
        log.warning("printer %s does not answer a status request", config.url)
        raise PrintProblem("no_answer") from None
    except _ConnectionLost:
        log.warning("printer %s closed the connection on a status request", config.url)
        raise PrintProblem("unreachable") from None
    if paper & 0x60 == 0x60:
        raise PrintProblem("paper_out")
    if paper & 0x0C == 0x0C:
        return "paper_low"
    return None


def deliver(data: bytes, config: PrinterConfig, job_name: str = "slip") -> str | None:
    """Send one job's bytes; return a warning kind (paper low) or None; raise PrintProblem."""
    printer = open_printer(config, job_name)
    if config.scheme == "serial":
        # A serial printer holding flow control would otherwise block the queue for good:
        # allow each chunk the time it takes on the line (10 bits a byte), plus the timeout.
        baudrate = config.extra.get("baudrate", 9600)
        printer.device.write_timeout = config.timeout + CHUNK * 10 / baudrate
    try:
        reads = config.reads_status
        if config.scheme == "usb":
            reads = reads and _use_usb_endpoints(printer, config)
        warning = check_ready(printer, config) if reads else None
        try:
            for start in range(0, len(data), CHUNK):
                printer._raw(data[start : start + CHUNK])
        except OSError as exc:
            log.warning("printer %s connection lost while printing: %s", config.url, exc)
            raise PrintProblem("interrupted") from exc
        if reads:
            _confirm(printer, config)
        if config.scheme == "file":
            printer.flush()
        return warning
    finally:
        try:
            printer.close()
        except Exception as exc:  # a job that printed must not fail because close did
            if config.scheme in ("cups", "preview"):
                raise PrintProblem("failed", str(exc)) from exc
            log.debug("closing printer %s: %s", config.url, exc)


def _confirm(printer: Escpos, config: PrinterConfig) -> None:
    """Ask once more after sending: an answer means the printer took every byte."""
    try:
        state = _ask(printer, config, cmd.STATUS_PRINTER)
    except _ConnectionLost:
        log.warning("printer %s dropped the connection during a job", config.url)
        raise PrintProblem("interrupted") from None
    except _NoAnswer:
        # The bytes are with the printer; a busy printer may answer late. Not an error.
        log.info("printer %s did not confirm the job", config.url)
        return
    if state & 0x08:
        try:
            paper = _ask(printer, config, cmd.STATUS_PAPER)
        except (_NoAnswer, _ConnectionLost):
            paper = 0
        raise PrintProblem("paper_out" if paper & 0x60 == 0x60 else "offline")
