"""The kiosk's device configuration, read from a TOML file.

A technician edits this file by hand, so every mistake is reported as one
sentence that names the line to fix (or the section to add it to) and what
would be right there. Start-up stops on the first mistake.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROLES = ("lift", "square", "supermarket")
LANGUAGES = ("zh_CN", "en")
PRINTER_SCHEMES = ("usb", "serial", "tcp", "file", "cups", "preview")
LOCATION_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
PHONE_RE = re.compile(r"^[0-9+\-]{3,20}$")
PIN_RE = re.compile(r"^[0-9]{4,8}$")


class ConfigError(Exception):
    """A configuration mistake, worded for the technician who has to fix it."""


@dataclass(frozen=True)
class KioskConfig:
    path: Path
    role: str
    location: str
    store: Path
    language: str = "zh_CN"
    fullscreen: bool = True
    staff_pin: str = ""
    staff_name: str = ""
    printer_url: str = "preview://var/slips"
    printer_width_mm: int = 80
    printer_mode: str = "raster"
    camera_source: str = ""
    record_command: str = ""
    play_command: str = ""
    max_voice_seconds: int = 60
    photo_countdown_seconds: int = 3
    idle_seconds: float = 60.0
    countdown_seconds: float = 20.0
    result_seconds: float = 30.0
    property_phone: str = ""
    emergency_phone: str = "120"
    hotline: str = ""
    track_url: str = ""
    read_aloud: bool = True
    voice: str = "cmn"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def staff_mode(self) -> bool:
        return self.role == "supermarket"


def _line_of(text: str, section: str, key: str) -> int | None:
    """The 1-based line where `key` is set inside `[section]`, if it is there."""
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.match(r"^\[([^\]]+)\]", stripped)
        if header:
            current = header.group(1).strip()
            continue
        if current == section and re.match(rf"^{re.escape(key)}\s*=", stripped):
            return number
    return None


class _Reader:
    def __init__(self, path: Path, text: str, data: dict[str, Any]):
        self.path = path
        self.text = text
        self.data = data

    def where(self, section: str, key: str) -> str:
        line = _line_of(self.text, section, key)
        if line is None:
            return f"{self.path}: add a line `{key} = ...` under [{section}]"
        return f"{self.path}, line {line} ({section}.{key})"

    def get(self, section: str, key: str, kind: type, default: Any = None, *, required=False):
        table = self.data.get(section, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{self.path}: [{section}] must be a table of settings.")
        if key not in table:
            if required:
                raise ConfigError(f"{self.where(section, key)}: this setting is required.")
            return default
        value = table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if kind is int and isinstance(value, bool):
            value = None
        if not isinstance(value, kind):
            wanted = {
                str: "text in quotes",
                int: "a whole number",
                float: "a number",
                bool: "true or false",
            }[kind]
            raise ConfigError(f"{self.where(section, key)}: must be {wanted}, not {value!r}.")
        return value

    def fail(self, section: str, key: str, sentence: str):
        raise ConfigError(f"{self.where(section, key)}: {sentence}")


def load_config(path: str | Path) -> KioskConfig:
    """Read and check the kiosk configuration; raises ConfigError with a sentence."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"The configuration file {path} does not exist; "
            "copy one from assets/config/ and edit it."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"The configuration file {path} cannot be read ({exc}).") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}; fix that line.") from None
    r = _Reader(path, text, data)

    role = r.get("kiosk", "role", str, required=True)
    if role not in ROLES:
        r.fail("kiosk", "role", f"must be one of {', '.join(ROLES)}, not {role!r}.")
    location = r.get("kiosk", "location", str, required=True)
    if not LOCATION_RE.match(location):
        r.fail(
            "kiosk",
            "location",
            'must be a location key such as "b07-lift-1" (small letters, digits, - and _).',
        )
    language = r.get("kiosk", "language", str, "zh_CN")
    if language not in LANGUAGES:
        r.fail("kiosk", "language", f"must be one of {', '.join(LANGUAGES)}.")
    store = r.get("kiosk", "store", str, required=True)
    if not store.strip():
        r.fail("kiosk", "store", "must name the device store's SQLite file.")
    staff_pin = r.get("kiosk", "staff_pin", str, "")
    if role == "supermarket" and not PIN_RE.match(staff_pin):
        r.fail("kiosk", "staff_pin", "the supermarket kiosk needs a staff PIN of 4 to 8 digits.")

    printer_url = r.get("printer", "url", str, "preview://var/slips")
    scheme = printer_url.split("://", 1)[0] if "://" in printer_url else ""
    if scheme not in PRINTER_SCHEMES:
        r.fail(
            "printer",
            "url",
            "must start with one of "
            + ", ".join(s + "://" for s in PRINTER_SCHEMES)
            + f", not {printer_url!r}.",
        )
    width = r.get("printer", "width_mm", int, 80)
    if width not in (58, 80):
        r.fail("printer", "width_mm", "must be 58 or 80.")
    mode = r.get("printer", "mode", str, "raster")
    if mode not in ("native", "raster"):
        r.fail("printer", "mode", 'must be "native" or "raster".')

    try:
        from kiosk.printing import PrinterConfig, PrinterConfigError

        PrinterConfig.parse(printer_url, mode=mode, width=width)
    except PrinterConfigError as exc:
        r.fail("printer", "url", str(exc))

    camera = r.get("camera", "source", str, "")
    countdown = r.get("camera", "countdown_seconds", int, 3)
    if not 0 <= countdown <= 10:
        r.fail("camera", "countdown_seconds", "must be between 0 and 10.")

    max_voice = r.get("audio", "max_voice_seconds", int, 60)
    if not 5 <= max_voice <= 60:
        r.fail("audio", "max_voice_seconds", "must be between 5 and 60.")

    timeouts = {}
    for key, default, low in (
        ("idle_seconds", 60.0, 0.5),
        ("countdown_seconds", 20.0, 0.5),
        ("result_seconds", 30.0, 0.5),
    ):
        value = r.get("timeouts", key, float, default)
        if not low <= value <= 3600:
            r.fail("timeouts", key, f"must be between {low} and 3600 seconds.")
        timeouts[key] = value

    phones = {}
    for key, default in (("property_office", ""), ("emergency", "120"), ("hotline", "")):
        value = r.get("phones", key, str, default)
        if value and not PHONE_RE.match(value):
            r.fail("phones", key, "must be a phone number of digits, + and - only.")
        phones[key] = value

    return KioskConfig(
        path=path,
        role=role,
        location=location,
        store=Path(store),
        language=language,
        fullscreen=r.get("kiosk", "fullscreen", bool, True),
        staff_pin=staff_pin,
        staff_name=r.get("kiosk", "staff_name", str, "")[:40],
        printer_url=printer_url,
        printer_width_mm=width,
        printer_mode=mode,
        camera_source=camera,
        record_command=r.get("audio", "record_command", str, ""),
        play_command=r.get("audio", "play_command", str, ""),
        max_voice_seconds=max_voice,
        photo_countdown_seconds=countdown,
        idle_seconds=timeouts["idle_seconds"],
        countdown_seconds=timeouts["countdown_seconds"],
        result_seconds=timeouts["result_seconds"],
        property_phone=phones["property_office"],
        emergency_phone=phones["emergency"],
        hotline=phones["hotline"],
        track_url=r.get("kiosk", "track_url", str, ""),
        read_aloud=r.get("speech", "enabled", bool, True),
        voice=r.get("speech", "voice", str, "cmn"),
    )
