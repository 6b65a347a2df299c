"""The points ledger on the server: events applied through the real batch ingest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from points_community import (
    RESIDENTS,
    award,
    build_template,
    deduct,
    open_community,
    redeem,
    reverse,
)
from sqlalchemy import func, select

from server_sync.models.points import (
    CatalogueItem,
    LedgerEntry,
    OverdraftFlag,
    PointsAccount,
    PointsCard,
    StockMovement,
)
from server_sync.points import ledger
from server_sync.points.cards import card_payload, reissue_card, revoke_card
from server_sync.protocol import cards as card_format


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_template(tmp_path_factory.mktemp("points-template"))


@pytest.fixture
def town(template, tmp_path):
    community = open_community(template, tmp_path / "server")
    yield community
    community.database.dispose()


def _balance(town, account_id):
    with town.database.read_session() as session:
        stored = session.get(PointsAccount, account_id).balance
        assert stored == ledger.balance_from_entries(session, account_id)
        return stored


def _stock(town, key):
    with town.database.read_session() as session:
        return session.get(CatalogueItem, key).stock


def test_community_example_on_the_server(town):
    wang = town.card(0)
    events = (
        [award(wang, "patrol") for _ in range(3)]
        + [award(wang, "waste_sorting_promotion") for _ in range(2)]
        + [award(wang, "school_pickup_help")]
    )
    assert [r["status"] for r in town.send(events)] == ["accepted"] * 6
    assert _balance(town, 1) == 55

    rice, oil = _stock(town, "rice_5kg"), _stock(town, "cooking_oil_5l")
    result = town.send_one(redeem(wang, [("rice_5kg", 1), ("cooking_oil_5l", 1)]))
    assert result["status"] == "accepted"
    assert result["result"]["balance"] == 0 and result["result"]["overdraft"] == []
    assert _balance(town, 1) == 0
    assert (_stock(town, "rice_5kg"), _stock(town, "cooking_oil_5l")) == (rice - 1, oil - 1)


def test_same_event_twice_is_applied_once(town):
    first = award(town.card(2), "dispute_mediation")
    results = town.send([first, first]) + town.send([first])
    assert [r["status"] for r in results] == ["accepted", "duplicate", "duplicate"]
    assert results[2]["result"] == results[0]["result"]
    assert _balance(town, 3) == 20


def test_two_devices_overspend_the_same_account_offline(town):
    li = town.card(2)
    town.send([award(li, "dispute_mediation"), award(li, "patrol")])  # 30 points
    # Each supermarket device saw 30 points and sold a 25-point bottle of oil.
    first = town.send_one(redeem(li, [("cooking_oil_5l", 1)], "M01-261203-0007"), device_id=1)
    second = town.send_one(redeem(li, [("cooking_oil_5l", 1)], "M02-261203-0003"), device_id=2)
    assert first["status"] == second["status"] == "accepted"
    assert first["result"]["overdraft"] == []
    assert second["result"]["overdraft"] == [{"what": "balance", "item": None, "shortfall": 20}]
    assert _balance(town, 3) == -20
    with town.database.read_session() as session:
        flags = ledger.open_overdrafts(session)
        assert [(f.account_id, f.what, f.shortfall) for f in flags] == [(3, "balance", 20)]
        entries = session.scalars(
            select(LedgerEntry).where(LedgerEntry.kind == "redemption")
        ).all()
        assert sorted(e.receipt for e in entries) == ["M01-261203-0007", "M02-261203-0003"]


def test_stock_overdraft_is_kept_and_flagged(town):
    with town.database.transaction() as session:
        session.get(CatalogueItem, "dish_soap").stock = 1
    town.send([award(town.card(3), "dispute_mediation")])
    result = town.send_one(redeem(town.card(3), [("dish_soap", 2)]))
    assert result["status"] == "accepted"
    flagged = result["result"]["overdraft"]
    assert flagged == [{"what": "stock", "item": "dish_soap", "shortfall": 1}]
    assert _stock(town, "dish_soap") == -1


def test_partial_then_second_reversal_is_refused(town):
    li = town.card(2)
    town.send([award(li, "blood_donation"), award(li, "dispute_mediation")])  # 40
    sale = redeem(li, [("dish_soap", 2), ("detergent", 1)])  # 21
    soap = _stock(town, "dish_soap")
    town.send([sale])
    partial = town.send_one(reverse(li, sale["id"], [("dish_soap", 1)]))
    assert partial["status"] == "accepted"
    assert partial["result"]["points"] == 8 and partial["result"]["partial"] is True
    again = town.send_one(reverse(li, sale["id"]))
    assert again["status"] == "rejected"
    assert again["reason"] == "This entry has already been reversed and cannot be reversed again"
    assert _balance(town, 3) == 40 - 21 + 8
    assert _stock(town, "dish_soap") == soap - 2 + 1
    with town.database.read_session() as session:
        moves = session.scalars(
            select(StockMovement.reason).where(StockMovement.item_key == "dish_soap")
        ).all()
        assert moves[-2:] == ["redemption", "return"]


def test_returning_more_than_was_redeemed_is_refused(town):
    li = town.card(2)
    town.send([award(li, "blood_donation")])
    sale = redeem(li, [("detergent", 2)])
    town.send([sale])
    result = town.send_one(reverse(li, sale["id"], [("detergent", 3)]))
    assert result["status"] == "rejected"
    assert result["reason"] == "At most 2 of 'Washing powder' can be returned, not 3"


def test_reversing_an_award_and_a_reversal(town):
    zhang = town.card(3)
    entry = award(zhang, "dispute_mediation")
    town.send([entry])
    undo = reverse(zhang, entry["id"])
    assert town.send_one(undo)["result"]["points"] == -20
    assert town.send_one(reverse(zhang, undo["id"]))["reason"].startswith(
        "A reversal cannot itself be reversed"
    )
    with town.database.read_session() as session:
        assert ledger.month_stars(session, ledger.rules.month_of(datetime.now(UTC))) == []
    assert _balance(town, 4) == 0


def test_reversal_with_another_residents_card_is_refused(town):
    entry = award(town.card(3), "dispute_mediation")
    town.send([entry])
    result = town.send_one(reverse(town.card(2), entry["id"]))
    assert result["reason"].startswith("This entry belongs to another account")


def test_refusals_by_the_server(town):
    genuine = town.card(0)
    with town.database.read_session() as session:
        never_issued = card_payload(session, "2699999999")
    forged = card_format.sign_card(card_format.generate_private_key(), "2600000001")
    cases = {
        "forged": (award(forged, "patrol"), "may be forged"),
        "cut short": (award(genuine[:-3], "patrol"), "damaged or cut short"),
        "padded": (award(genuine + "xyz", "patrol"), "damaged or cut short"),
        "typed number": (award("2600000001", "patrol"), "not a points card"),
        "never issued": (award(never_issued, "patrol"), "No account is linked to this card"),
        "unknown rule": (award(genuine, "no_such_rule"), "There is no points rule 'no_such_rule'"),
        "unknown item": (redeem(genuine, [("caviar", 1)]), "There is no item 'caviar'"),
        "wrong direction": (deduct(genuine, "patrol"), "cannot be used to deduct points"),
        "unknown original": (
            reverse(genuine, "0190a0b0-0000-7000-8000-000000000000"),
            "cannot be found",
        ),
    }
    for name, (sent, reason) in cases.items():
        result = town.send_one(sent)
        assert result["status"] == "rejected", name
        assert reason in result["reason"], (name, result["reason"])
    bad_total = redeem(genuine, [("detergent", 1)])
    bad_total["payload"]["total"] = 1
    assert "does not match its lines" in town.send_one(bad_total)["reason"]
    assert _balance(town, 1) == 0


def test_revoked_card_counts_before_its_revocation_not_after(town):
    wang = town.card(0)
    before = award(wang, "patrol", at=datetime.now(UTC) - timedelta(hours=1))
    with town.database.transaction() as session:
        new = reissue_card(session, "2600000001", "lost at the market")
        new_card = card_payload(session, new.card_no)
        assert session.get(PointsCard, "2600000001").replaced_by == new.card_no
    after = award(wang, "patrol")
    results = town.send([before, after, award(new_card, "patrol")])
    assert [r["status"] for r in results] == ["accepted", "rejected", "accepted"]
    assert results[1]["reason"].startswith("This card was reported lost and revoked")
    assert _balance(town, 1) == 20
    with town.database.transaction() as session, pytest.raises(ValueError, match="already"):
        revoke_card(session, "2600000001")


def test_civilised_family_once_a_year_per_household(town):
    first = town.send_one(award(town.card(0), "civilised_family"))
    spouse = town.send_one(award(town.card(1), "civilised_family"))
    neighbour = town.send_one(award(town.card(2), "civilised_family"))
    assert (first["status"], spouse["status"], neighbour["status"]) == (
        "accepted",
        "rejected",
        "accepted",
    )
    assert "once a year per household" in spouse["reason"]
    last_year = award(town.card(1), "civilised_family", at=datetime.now(UTC) - timedelta(days=366))
    assert town.send_one(last_year)["status"] == "accepted"


def test_monthly_cap_on_the_server(town):
    li = town.card(2)
    results = town.send([award(li, "residents_meeting") for _ in range(5)])
    assert [r["status"] for r in results] == ["accepted"] * 4 + ["rejected"]
    assert "at most 20 points a month" in results[4]["reason"]


def test_overdraft_flags_name_the_entry(town):
    town.send_one(redeem(town.card(3), [("detergent", 1)]))
    with town.database.read_session() as session:
        flag = session.scalars(select(OverdraftFlag)).one()
        entry = session.get(LedgerEntry, flag.entry_id)
        assert (entry.kind, entry.overdraft, entry.balance_after) == ("redemption", True, -5)
        assert len(RESIDENTS) == session.scalar(select(func.count(PointsAccount.id)))


def test_a_reversed_award_frees_the_yearly_award_and_the_monthly_cap(town):
    wrong = award(town.card(0), "civilised_family")
    town.send([wrong, reverse(town.card(0), wrong["id"])])
    assert town.send_one(award(town.card(1), "civilised_family"))["status"] == "accepted"

    li = town.card(2)
    meetings = [award(li, "residents_meeting") for _ in range(4)]
    town.send(meetings + [reverse(li, meetings[0]["id"])])
    results = town.send([award(li, "residents_meeting"), award(li, "residents_meeting")])
    assert [r["status"] for r in results] == ["accepted", "rejected"]
    assert _balance(town, 3) == 20


def test_points_from_a_lift_kiosk_or_the_phone_page_are_refused(town):
    for device_id, where in ((3, "a lift kiosk"), (None, "the phone page")):
        result = town.send_one(award(town.card(0), "patrol"), device_id=device_id)
        assert result["status"] == "rejected"
        assert (
            f"only taken from the points supermarket's kiosks, not from {where}"
            in (result["reason"])
        )
    assert _balance(town, 1) == 0
