"""`ymt-server posters`: an A4 page per location whose QR code opens that location's
phone report page."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import zxingcpp
from PIL import Image

from server_sync.cli import main


def test_posters_pdf_has_a_page_per_location_with_a_readable_qr(tmp_path, capsys):
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils is missing: apt-get install poppler-utils")
    data = tmp_path / "data"
    assert main(["seed", "--data-dir", str(data)]) == 0
    out = tmp_path / "posters.pdf"
    status = main([
        "posters", "--data-dir", str(data), "--out", str(out),
        "--base-url", "https://ymt.example.org/", "--location", "b07-lift-1",
        "--location", "square",
    ])  # fmt: skip
    assert status == 0
    assert "wrote 2 posters" in capsys.readouterr().out

    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert "Pages:           2" in info and "595.276 x 841.89" in info  # A4 in points
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(out), str(tmp_path / "page")], check=True)
    found = []
    for page in sorted(tmp_path.glob("page-*.png")):
        codes = zxingcpp.read_barcodes(Image.open(page))
        found += [c.text for c in codes]
    assert found == ["https://ymt.example.org/r/b07-lift-1", "https://ymt.example.org/r/square"]


def test_posters_for_an_unknown_location_say_what_to_do(tmp_path, capsys):
    data = tmp_path / "data"
    main(["seed", "--data-dir", str(data)])
    status = main(["posters", "--data-dir", str(data), "--out", str(tmp_path / "x.pdf"),
                   "--location", "nowhere"])  # fmt: skip
    assert status == 2
    assert "no such location" in capsys.readouterr().err
