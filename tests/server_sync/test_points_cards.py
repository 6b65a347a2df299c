"""`ymt-server cards` and `seed --demo`: cards issued, revoked, reissued and printed.

The printed sheet is rasterised with poppler's pdftoppm and its QR codes are
read back with zxing-cpp, as a supermarket scanner would read the card.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from server_sync.cli import main
from server_sync.db import Database
from server_sync.models.points import PointsAccount, PointsCard
from server_sync.points import ledger
from server_sync.points.cards import card_payload
from server_sync.points.keys import card_public_key
from server_sync.protocol import PointsRedeemed, new_event_id
from server_sync.protocol.cards import check_card


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "var"


def ymt(capsys, data_dir, *args):
    code = main([*args, "--data-dir", str(data_dir)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def database(data_dir) -> Database:
    return Database(f"sqlite:///{data_dir / 'server.db'}")


def read_codes(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_issue_revoke_reissue_from_the_command_line(capsys, data_dir):
    code, out = ymt(capsys, data_dir, "seed")
    assert code == 0 and "rules: 22" in out and "catalogue: 14" in out

    code, out = ymt(
        capsys, data_dir, "cards", "issue", "--name", "王小娟", "--building", "7", "--unit", "1203"
    )
    assert code == 0, out
    first = re.search(r"card (\d{10}) issued to account (\d+)", out)
    assert first, out

    code, out = ymt(capsys, data_dir, "cards", "reissue", first[1], "--reason", "lost")
    assert code == 0, out
    second = re.search(r"new card (\d{10}) issued to account (\d+)", out)
    assert second and second[2] == first[2]

    code, out = ymt(capsys, data_dir, "cards", "revoke", first[1])
    assert code == 2 and "already revoked" in out and "Traceback" not in out
    code, out = ymt(capsys, data_dir, "cards", "issue", "--name", "李明")
    assert code == 2 and "--building and --unit" in out
    code, out = ymt(capsys, data_dir, "cards", "revoke", "123")
    assert code == 2 and "there is no card 123" in out

    db = database(data_dir)
    with db.read_session() as session:
        cards = {c.card_no: c for c in session.scalars(select(PointsCard))}
        assert cards[first[1]].status == "revoked" and cards[first[1]].replaced_by == second[1]
        assert cards[second[1]].status == "active"
        assert session.get(PointsAccount, int(first[2])).name == "王小娟"
    db.dispose()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
def test_printed_card_sheet_scans_as_valid_cards(capsys, data_dir, tmp_path):
    code, out = ymt(capsys, data_dir, "seed", "--demo")
    assert code == 0, out
    ymt(capsys, data_dir, "cards", "revoke", "2600000012")
    sheet = tmp_path / "cards.pdf"
    code, out = ymt(capsys, data_dir, "cards", "print", "--out", str(sheet))
    assert code == 0 and "wrote 11 card fronts" in out

    info = subprocess.run(["pdfinfo", str(sheet)], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+2", info) and "(A4)" in info
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", str(sheet), str(tmp_path / "page")], check=True
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    codes = [text for page in pages for text in read_codes(Image.open(page))]

    db = database(data_dir)
    with db.read_session() as session:
        key = card_public_key(session)
    db.dispose()
    checks = [check_card(text, key) for text in codes]
    assert all(check.ok for check in checks)
    assert sorted(check.card_no for check in checks) == [f"26000000{n:02d}" for n in range(1, 12)]

    code, out = ymt(capsys, data_dir, "cards", "print", "2600000012", "--out", str(sheet))
    assert code == 2 and "no active card numbered 2600000012" in out


def test_demo_seed_writes_scannable_card_images_and_balances(capsys, data_dir):
    code, out = ymt(capsys, data_dir, "seed", "--demo")
    assert code == 0, out
    images = sorted((data_dir / "demo_cards").glob("card-*.png"))
    assert len(images) == 12
    payload = read_codes(Image.open(images[0]))[0]

    db = database(data_dir)
    with db.read_session() as session:
        check = check_card(payload, card_public_key(session))
        assert check.ok and check.card_no == "2600000001"
        wang = session.get(PointsCard, "2600000001").account
        assert wang.balance == 55  # three patrols, two waste-sorting talks, one school pick-up
    db.dispose()

    code, out = ymt(capsys, data_dir, "seed", "--demo")  # a second run adds nothing
    assert code == 0 and "accounts: 0" in out


def test_staff_list_and_settle_overdrafts_and_record_deliveries(capsys, data_dir):
    assert ymt(capsys, data_dir, "seed", "--demo")[0] == 0
    code, out = ymt(capsys, data_dir, "points", "overdrafts")
    assert code == 0 and "no open overdraft flags" in out

    db = database(data_dir)
    with db.transaction() as session:
        ledger.apply_redemption(
            session,
            event_id=str(new_event_id()),
            occurred_at=datetime.now(UTC),
            payload=PointsRedeemed(
                card=card_payload(session, "2600000012"),  # 郑国华, no points yet
                receipt="M01-261203-0042",
                items=[{"item": "soap", "quantity": 2, "points": 3}],
                total=6,
            ),
            device_id=None,
        )
    db.dispose()

    code, out = ymt(capsys, data_dir, "points", "overdrafts")
    assert code == 0
    line = next(line for line in out.splitlines() if "M01-261203-0042" in line)
    assert "郑*华: balance short by 6 (now -6)" in line and "郑国华" not in out
    flag_id = line.split()[0]
    code, out = ymt(capsys, data_dir, "points", "settle", flag_id, "--by", "manager")
    assert code == 0 and f"overdraft flag {flag_id} settled by manager" in out
    assert "no open overdraft flags" in ymt(capsys, data_dir, "points", "overdrafts")[1]
    code, out = ymt(capsys, data_dir, "points", "settle", "999", "--by", "manager")
    assert code == 2 and "There is no overdraft flag 999" in out

    code, out = ymt(capsys, data_dir, "points", "stock", "rice_5kg", "20")
    assert code == 0 and "rice_5kg: +20, 79 in stock now" in out
    code, out = ymt(capsys, data_dir, "points", "stock", "rice_5kg", "-80")
    assert code == 2 and "does not take the stock below zero" in out
    code, out = ymt(capsys, data_dir, "points", "stock", "home_cleaning", "5")
    assert code == 2 and "is a service and has no stock" in out
