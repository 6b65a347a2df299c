"""Every slip drawn through preview:// at both paper widths and in both modes, against a
reference picture kept in tests/kiosk/printing/reference/.

A layout change shows up here as a failure naming the slip. When the change is wanted, look
at the new pictures (written to tests/_output/printing/), then refresh the references:

    YMT_UPDATE_PRINT_REFERENCES=1 .venv/bin/pytest tests/kiosk/printing/test_printing_preview.py
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kiosk.printing import (
    day_close,
    points_slip,
    printer_test_page,
    redemption_receipt,
    samples,
    ticket_slip,
)

REFERENCE = Path(__file__).parent / "reference"
CHANGED = Path(__file__).parents[2] / "_output" / "printing"
UPDATE = os.environ.get("YMT_UPDATE_PRINT_REFERENCES") == "1"
# Pictures are compared in 4x4-dot blocks, so a glyph drawn a dot wider or shifted by a dot
# (a FreeType or Pillow update) changes nothing, while text that moves does: a URL wrapped at
# another character changes 0.13% of the blocks, a changed alignment about 4%. A changed word
# (under 0.01%) passes here: the words on every slip are checked by the reader tests.
BLOCK = 4
TOLERANCE = 0.0005

SLIPS = {
    "redemption": lambda: redemption_receipt(samples.redemption(10)),
    "award": lambda: points_slip(samples.award()),
    "deduction": lambda: points_slip(samples.deduction()),
    "ticket": lambda: ticket_slip(samples.ticket()),
    "day-close": lambda: day_close(samples.close()),
}


def _test_page(mode: str, width: int):
    url = f"tcp://192.168.1.50:9100?mode={mode}&width={width}"
    return printer_test_page(samples.printer_check(url, mode, "gb18030", width))


@pytest.mark.parametrize("mode", ["native", "raster"])
@pytest.mark.parametrize("width", [58, 80])
def test_every_slip_looks_as_it_did(make_queue, tmp_path, mode, width):
    folder = tmp_path / "preview"
    queue = make_queue(f"preview://{folder}?mode={mode}&width={width}")
    jobs = {name: queue.submit(build()) for name, build in SLIPS.items()}
    jobs["test-page"] = queue.submit(_test_page(mode, width))

    changed = []
    for name, job in jobs.items():
        outcome = job.wait(60)
        assert outcome.ok, outcome.message_en
        picture = Image.open(folder / f"{job.id}.png")
        assert picture.width == {58: 384, 80: 576}[width]
        reference = REFERENCE / f"{name}-{mode}-{width}.png"
        if UPDATE or not reference.exists():
            REFERENCE.mkdir(exist_ok=True)
            picture.save(reference, optimize=True)
            continue
        difference = _difference(picture, Image.open(reference))
        if difference > TOLERANCE:
            CHANGED.mkdir(parents=True, exist_ok=True)
            picture.save(CHANGED / reference.name)
            changed.append(f"{reference.name}: {difference:.2%} of the slip differs")
    assert not changed, "layouts changed:\n" + "\n".join(changed)


def _difference(picture: Image.Image, reference: Image.Image) -> float:
    """Share of 4x4 blocks whose ink differs by more than six dots in sixteen."""
    if picture.size != reference.size:
        return 1.0
    a = np.asarray(picture.convert("L").reduce(BLOCK), dtype=np.int16)
    b = np.asarray(reference.convert("L").reduce(BLOCK), dtype=np.int16)
    return float(np.count_nonzero(np.abs(a - b) > 96)) / a.size


def test_preview_keeps_the_bytes_beside_the_picture(make_queue, tmp_path):
    queue = make_queue(f"preview://{tmp_path / 'out'}")
    job = queue.submit(ticket_slip(samples.ticket()))

    outcome = job.wait(30)
    assert outcome.ok
    assert outcome.preview == str(tmp_path / "out" / f"{job.id}.png")
    assert Image.open(outcome.preview).size[0] == 384
    sent = (tmp_path / "out" / f"{job.id}.escpos").read_bytes()
    assert len(sent) == outcome.bytes_sent
    assert sent.endswith(b"\x1dVA\x04")


def test_preview_rejects_bytes_it_does_not_know():
    from kiosk.printing.preview import draw_escpos

    with pytest.raises(ValueError, match="does not know the command 1b 70"):
        draw_escpos(b"\x1b@\x1bp\x00\x19\xfa", 384)
