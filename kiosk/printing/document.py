"""A slip as a list of blocks, independent of paper width and printer mode.

Slips are built from these blocks; `layout` turns them into lines on a grid of columns for a
given paper width, and the native and raster encoders turn those lines into ESC/POS bytes.
A document round-trips through JSON so the last jobs can be reprinted after a restart.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

from .text import clip, display_width, printable_text, wrap

Align = Literal["left", "center", "right"]

# Paper width in mm -> (printable dots, columns of font A 12x24).
PAPER = {58: (384, 32), 80: (576, 48)}


@dataclass(frozen=True)
class Text:
    """A paragraph, wrapped to the paper; scale 2 or 3 prints it double or triple size."""

    text: str
    align: Align = "left"
    bold: bool = False
    scale: int = 1


@dataclass(frozen=True)
class Big:
    """One short line printed as large as the paper allows (a ticket number)."""

    text: str


@dataclass(frozen=True)
class Columns:
    """One row of a table. widths: columns per cell, None for the cell that takes the rest."""

    cells: tuple[str, ...]
    widths: tuple[int | None, ...]
    aligns: tuple[Align, ...]
    bold: bool = False


@dataclass(frozen=True)
class Pair:
    """A label on the left and its value on the right of the same line."""

    label: str
    value: str
    bold: bool = False


@dataclass(frozen=True)
class Rule:
    """A horizontal line across the paper."""

    heavy: bool = False


@dataclass(frozen=True)
class QR:
    payload: str


@dataclass(frozen=True)
class Barcode:
    """A CODE128 barcode of ASCII data."""

    data: str


@dataclass(frozen=True)
class Feed:
    lines: int = 1


Block = Text | Big | Columns | Pair | Rule | QR | Barcode | Feed
_KINDS = {cls.__name__: cls for cls in (Text, Big, Columns, Pair, Rule, QR, Barcode, Feed)}


@dataclass
class Document:
    """A slip: a title for the reprint list and its blocks."""

    title: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> Document:
        self.blocks.extend(blocks)
        return self

    def to_json(self) -> dict:
        return {
            "title": self.title,
            "blocks": [{"kind": type(b).__name__, **asdict(b)} for b in self.blocks],
        }

    @classmethod
    def from_json(cls, data: dict) -> Document:
        blocks = []
        for raw in data["blocks"]:
            raw = dict(raw)
            kind = _KINDS[raw.pop("kind")]
            if kind is Columns:
                raw = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
            blocks.append(kind(**raw))
        return cls(title=data["title"], blocks=blocks)


# Lines on the grid -------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    start: int  # first column
    width: int  # columns
    text: str
    align: Align


@dataclass(frozen=True)
class TextLine:
    """Cells on one printed line; columns count at this line's scale."""

    cells: tuple[Cell, ...]
    bold: bool = False
    scale: int = 1
    center: bool = False  # one cell centred across the paper


@dataclass(frozen=True)
class RuleLine:
    heavy: bool


Line = TextLine | RuleLine | QR | Barcode | Feed


def layout(document: Document, columns: int, encoding: str = "gbk") -> list[Line]:
    """Lay the document out for a paper of `columns` font-A columns."""
    lines: list[Line] = []
    for block in document.blocks:
        if isinstance(block, Text):
            scale = max(1, min(block.scale, 3))
            room = columns // scale
            for part in wrap(printable_text(block.text, encoding), room):
                cell = Cell(0, room, part, block.align)
                lines.append(TextLine((cell,), block.bold, scale, block.align == "center"))
        elif isinstance(block, Big):
            text = printable_text(block.text, encoding)
            scale = next((s for s in (3, 2) if display_width(text) * s <= columns), 1)
            room = columns // scale
            for part in wrap(text, room):
                lines.append(TextLine((Cell(0, room, part, "center"),), True, scale, True))
        elif isinstance(block, Pair):
            lines.extend(_pair(block, columns, encoding))
        elif isinstance(block, Columns):
            lines.extend(_columns(block, columns, encoding))
        elif isinstance(block, Rule):
            lines.append(RuleLine(block.heavy))
        elif isinstance(block, QR | Barcode | Feed):
            lines.append(block)
        else:
            raise TypeError(f"not a slip block: {block!r}")
    return lines


def _pair(block: Pair, columns: int, encoding: str) -> list[TextLine]:
    label = printable_text(block.label, encoding)
    value = printable_text(block.value, encoding)
    label_width = display_width(label)
    value_width = display_width(value)
    if label_width + 1 + value_width <= columns:
        cells = (
            Cell(0, label_width, label, "left"),
            Cell(label_width + 1, columns - label_width - 1, value, "right"),
        )
        return [TextLine(cells, block.bold)]
    # Too long for one line: the label, then the value right-aligned below it.
    lines = [
        TextLine((Cell(0, columns, part, "left"),), block.bold) for part in wrap(label, columns)
    ]
    for part in wrap(value, columns):
        lines.append(TextLine((Cell(0, columns, part, "right"),), block.bold))
    return lines


def _columns(block: Columns, columns: int, encoding: str) -> list[TextLine]:
    if not (len(block.cells) == len(block.widths) == len(block.aligns)):
        raise ValueError("a table row needs a width and an alignment for every cell")
    fixed = sum(w for w in block.widths if w is not None)
    gaps = len(block.cells) - 1
    flexible = max(1, columns - fixed - gaps)
    widths = [w if w is not None else flexible for w in block.widths]

    wrapped = []
    for text, width in zip(block.cells, widths, strict=True):
        parts = wrap(printable_text(text, encoding), width)
        # Numbers never wrap: a cell that must stay on one line is clipped instead.
        wrapped.append(parts if width == flexible else [clip(" ".join(parts), width)])
    rows = max(len(parts) for parts in wrapped)

    lines = []
    for row in range(rows):
        cells, start = [], 0
        for parts, width, align in zip(wrapped, widths, block.aligns, strict=True):
            if row < len(parts) and parts[row]:
                cells.append(Cell(start, width, parts[row], align))
            start += width + 1
        lines.append(TextLine(tuple(cells), block.bold))
    return lines


def place(cell: Cell) -> int:
    """The column where a cell's text starts, after alignment within the cell."""
    room = cell.width - display_width(cell.text)
    if cell.align == "right":
        return cell.start + max(0, room)
    if cell.align == "center":
        return cell.start + max(0, room) // 2
    return cell.start
