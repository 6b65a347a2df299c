"""A small ESC/POS reader for the tests: bytes in, what a person would read on the paper out.

It knows the commands a receipt printer needs to print a slip, splits a stream into those
commands and text runs, decodes text in the configured encoding (double-byte only after FS &),
and keeps going across partial reads so the fake network printer can answer status requests
as they arrive. It is written independently of kiosk.printing so it checks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# prefix -> (name, number of fixed argument bytes)
_FIXED = {
    b"\x1b@": ("init", 0),
    b"\x1b2": ("line_spacing_default", 0),
    b"\x1b3": ("line_spacing", 1),
    b"\x1ba": ("align", 1),
    b"\x1bE": ("bold", 1),
    b"\x1bd": ("feed", 1),
    b"\x1bJ": ("feed_dots", 1),
    b"\x1b!": ("print_mode", 1),
    b"\x1bM": ("font", 1),
    b"\x1bt": ("codepage", 1),
    b"\x1c&": ("chinese_on", 0),
    b"\x1c.": ("chinese_off", 0),
    b"\x1d!": ("size", 1),
    b"\x1dH": ("barcode_text", 1),
    b"\x1dh": ("barcode_height", 1),
    b"\x1dw": ("barcode_width", 1),
    b"\x10\x04": ("status", 1),
}


class Incomplete(Exception):
    pass


@dataclass
class Command:
    name: str
    args: bytes = b""


@dataclass
class TextRun:
    text: str
    bold: bool
    scale: int


@dataclass
class Raster:
    width: int
    height: int
    bits: bytes


@dataclass
class EscposReader:
    encoding: str = "gb18030"
    items: list = field(default_factory=list)
    _buffer: bytearray = field(default_factory=bytearray)
    _chinese: bool = False
    _bold: bool = False
    _scale: int = 1

    def feed(self, data: bytes) -> list:
        """Parse what can be parsed; returns the new items. Partial commands wait for more."""
        self._buffer += data
        new = []
        while self._buffer:
            try:
                item, used = self._next(bytes(self._buffer))
            except Incomplete:
                break
            del self._buffer[:used]
            if item is not None:
                new.append(item)
        self.items.extend(new)
        return new

    def _next(self, data: bytes):
        first = data[0]
        if first == 0x0A:
            return Command("lf"), 1
        if first in (0x1B, 0x1C, 0x1D, 0x10):
            return self._command(data)
        if first < 0x20:
            raise ValueError(f"unexpected control byte {first:#04x}")
        end = 0
        while end < len(data) and data[end] >= 0x20:
            end += self._char_length(data, end)
        if end > len(data):
            raise Incomplete
        raw = data[:end]
        codec = self.encoding if self._chinese else "ascii"
        return TextRun(raw.decode(codec), self._bold, self._scale), end

    def _char_length(self, data: bytes, at: int) -> int:
        if data[at] < 0x80:
            return 1
        if not self._chinese:
            raise ValueError(f"a byte above 0x7f ({data[at]:#04x}) outside Chinese mode")
        if at + 1 < len(data) and 0x30 <= data[at + 1] <= 0x39 and self.encoding == "gb18030":
            return 4
        return 2

    def _command(self, data: bytes):
        if len(data) < 2:
            raise Incomplete
        head = data[:2]
        if head in _FIXED:
            name, count = _FIXED[head]
            if len(data) < 2 + count:
                raise Incomplete
            args = data[2 : 2 + count]
            if name == "chinese_on":
                self._chinese = True
            elif name == "chinese_off":
                self._chinese = False
            elif name == "init":
                self._chinese, self._bold, self._scale = False, False, 1
            elif name == "bold":
                self._bold = bool(args[0] & 1)
            elif name == "size":
                self._scale = (args[0] & 0x0F) + 1
            return Command(name, args), 2 + count
        if head == b"\x1dV":
            if len(data) < 3:
                raise Incomplete
            count = 4 if data[2] in (65, 66) else 3
            if len(data) < count:
                raise Incomplete
            return Command("cut", data[2:count]), count
        if head == b"\x1dk":
            if len(data) < 4:
                raise Incomplete
            length = data[3]
            if len(data) < 4 + length:
                raise Incomplete
            return Command("barcode", data[2:3] + data[4 : 4 + length]), 4 + length
        if head == b"\x1d(":
            if len(data) < 5:
                raise Incomplete
            length = data[3] | data[4] << 8
            if len(data) < 5 + length:
                raise Incomplete
            return Command("2d_" + chr(data[2]), data[5 : 5 + length]), 5 + length
        if head == b"\x1dv":
            if len(data) < 8:
                raise Incomplete
            width_bytes = data[4] | data[5] << 8
            height = data[6] | data[7] << 8
            end = 8 + width_bytes * height
            if len(data) < end:
                raise Incomplete
            return Raster(width_bytes * 8, height, data[8:end]), end
        raise ValueError(f"unknown command {data[:4].hex(' ')}")


@dataclass
class Paper:
    """What a person reads on a printed slip."""

    lines: list[str]
    bold_lines: list[str]
    large_lines: list[str]
    scales: dict[str, int]  # a line's text -> the size it printed at
    sized_lines: list[tuple[str, int]]  # every line with its size, in order
    qr_payloads: list[str]
    barcodes: list[str]
    rasters: list[Raster]
    commands: list[Command]
    status_requests: int

    @property
    def cut_at_end(self) -> bool:
        printing = [c for c in self.commands if c.name != "status"]
        return bool(printing) and printing[-1].name == "cut"

    def line_with(self, words: str) -> str:
        matches = [line for line in self.lines if words in line]
        assert matches, f"no printed line has {words!r}; the slip reads:\n" + "\n".join(self.lines)
        return matches[0]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def read_paper(data: bytes, encoding: str = "gb18030") -> Paper:
    reader = EscposReader(encoding)
    reader.feed(data)
    if reader._buffer:
        raise ValueError(f"the job ends inside a command: {bytes(reader._buffer[:8]).hex(' ')}")
    lines, bold, large, qrs, codes, rasters, commands = [], [], [], [], [], [], []
    scales, sized = {}, []
    current, current_bold, current_scale, statuses = [], False, 1, 0
    for item in reader.items:
        if isinstance(item, TextRun):
            current.append(item.text)
            current_bold |= item.bold
            current_scale = max(current_scale, item.scale)
            continue
        if isinstance(item, Raster):
            rasters.append(item)
            continue
        commands.append(item)
        if item.name == "lf":
            line = "".join(current).rstrip()
            lines.append(line)
            if current_bold and line:
                bold.append(line)
            if current_scale > 1 and line:
                large.append(line)
            scales[line] = current_scale
            sized.append((line, current_scale))
            current, current_bold, current_scale = [], False, 1
        elif item.name == "2d_k" and item.args[:2] == b"1P":
            qrs.append(item.args[3:].decode("utf-8"))
        elif item.name == "barcode":
            codes.append(item.args[1:].decode("ascii").removeprefix("{B"))
        elif item.name == "status":
            statuses += 1
    return Paper(lines, bold, large, scales, sized, qrs, codes, rasters, commands, statuses)
