"""The printer URL from the device configuration, and what it selects.

    usb://0416:5011            serial:///dev/ttyUSB0?baudrate=9600
    tcp://192.168.1.50:9100    file:///dev/usb/lp0
    cups://QUEUE               preview://var/print-preview   (the demo default)

Options go in the query or come from separate configuration keys (the query wins):
mode=native|raster, encoding=gb18030|gbk, width=58|80, timeout=SECONDS (connect and
send), status=on|off (ask the printer for paper and cover before printing), qr=native|image,
cut=full|part|none. A bad URL raises PrinterConfigError with a sentence saying what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from .document import PAPER
from .text import ENCODINGS

SCHEMES = ("usb", "serial", "tcp", "file", "cups", "preview")
DEFAULT_URL = "preview://var/print-preview"
_EXAMPLES = (
    "usb://0416:5011, serial:///dev/ttyUSB0?baudrate=9600, tcp://192.168.1.50:9100, "
    "file:///dev/usb/lp0, cups://QUEUE or preview://DIR"
)
_OPTIONS = {
    "mode": ("native", "raster"),
    "encoding": ENCODINGS,
    "width": ("58", "80"),
    "status": ("on", "off"),
    "qr": ("native", "image"),
    "cut": ("full", "part", "none"),
}
_NUMERIC = ("timeout", "baudrate", "port_timeout", "in_ep", "out_ep")


class PrinterConfigError(ValueError):
    """A printer URL or option that cannot work, with a sentence saying what to fix."""


@dataclass(frozen=True)
class PrinterConfig:
    url: str
    scheme: str
    target: str  # host, device path, queue name or preview folder
    port: int | None = None
    vendor_id: int | None = None
    product_id: int | None = None
    mode: str = "native"
    encoding: str = "gb18030"
    width: int = 58
    timeout: float = 5.0
    status: bool = True
    qr: str = "native"
    cut: str = "full"
    extra: dict = field(default_factory=dict)  # baudrate, in_ep, out_ep

    @property
    def dots(self) -> int:
        return PAPER[self.width][0]

    @property
    def columns(self) -> int:
        return PAPER[self.width][1]

    @property
    def reads_status(self) -> bool:
        """Whether the transport can carry the printer's answer to a status request."""
        # Limitation: file:// (python-escpos opens the device write-only) and cups:// (the
        # queue, not the printer, answers) print without asking for paper and cover first.
        return self.status and self.scheme in ("usb", "serial", "tcp")

    @classmethod
    def parse(cls, url: str | None, **settings) -> PrinterConfig:
        """Read a printer URL; settings (mode=, encoding=, width=...) fill what it leaves out."""
        url = (url or DEFAULT_URL).strip()
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in SCHEMES:
            raise PrinterConfigError(
                f"The printer URL {url!r} does not start with a known kind of printer. "
                f"Write it like one of these: {_EXAMPLES}."
            )

        options = {k: str(v) for k, v in settings.items() if v is not None and v != ""}
        try:
            query = dict(parse_qsl(parts.query, keep_blank_values=True, strict_parsing=False))
        except ValueError:
            query = {}
        options.update(query)
        for key in options:
            if key not in _OPTIONS and key not in _NUMERIC:
                known = ", ".join([*_OPTIONS, *_NUMERIC])
                raise PrinterConfigError(
                    f"The printer option {key!r} in {url!r} is not one this kiosk knows. "
                    f"Use only: {known}."
                )
        for key, allowed in _OPTIONS.items():
            if key in options and options[key].lower() not in allowed:
                raise PrinterConfigError(
                    f"The printer option {key}={options[key]!r} is not valid. "
                    f"Set {key} to one of: {', '.join(allowed)}."
                )
        numbers = {}
        for key in _NUMERIC:
            if key in options:
                try:
                    text = options[key]
                    numbers[key] = float(text) if key == "timeout" else int(text, 0)
                except ValueError:
                    raise PrinterConfigError(
                        f"The printer option {key}={options[key]!r} must be a number."
                    ) from None
                if numbers[key] <= 0:
                    raise PrinterConfigError(f"The printer option {key} must be above zero.")

        fields = dict(
            url=url,
            scheme=scheme,
            mode=options.get("mode", "native").lower(),
            encoding=options.get("encoding", "gb18030").lower(),
            width=int(options.get("width", "58")),
            timeout=numbers.pop("timeout", 5.0),
            status=options.get("status", "on").lower() == "on",
            qr=options.get("qr", "native").lower(),
            cut=options.get("cut", "full").lower(),
            extra=numbers,
        )
        fields.update(_target(scheme, parts, url))
        return cls(**fields)


def _target(scheme: str, parts, url: str) -> dict:
    if scheme == "tcp":
        try:
            host, port = parts.hostname, parts.port or 9100
        except ValueError:
            raise PrinterConfigError(
                f"The port in {url!r} is not a number. Write it like tcp://192.168.1.50:9100."
            ) from None
        if not host:
            raise PrinterConfigError(
                f"The printer URL {url!r} has no address. Write it like tcp://192.168.1.50:9100."
            )
        return {"target": host, "port": port}
    if scheme == "usb":
        ids = parts.netloc or parts.path.strip("/")
        try:
            vendor, product = (int(part, 16) for part in ids.split(":"))
        except ValueError:
            raise PrinterConfigError(
                f"The printer URL {url!r} needs the printer's USB vendor and product id in "
                "hexadecimal, like usb://0416:5011 (lsusb shows them)."
            ) from None
        return {"target": ids, "vendor_id": vendor, "product_id": product}
    if scheme in ("serial", "file"):
        path = parts.path
        if parts.netloc or not path.startswith("/"):
            raise PrinterConfigError(
                f"The printer URL {url!r} needs an absolute device path after three slashes, "
                f"like {scheme}:///dev/{'ttyUSB0' if scheme == 'serial' else 'usb/lp0'}."
            )
        return {"target": path}
    if scheme == "cups":
        queue = parts.netloc or parts.path.strip("/")
        if not queue:
            raise PrinterConfigError(
                f"The printer URL {url!r} needs the CUPS queue name, like cups://receipt "
                "(lpstat -p lists them)."
            )
        return {"target": queue}
    # preview://DIR: a folder, relative (preview://var/out) or absolute (preview:///tmp/out).
    folder = (parts.netloc + parts.path) if parts.netloc else parts.path
    if not folder:
        raise PrinterConfigError(
            f"The printer URL {url!r} needs a folder for the pictures, like "
            "preview://var/print-preview."
        )
    return {"target": folder}
