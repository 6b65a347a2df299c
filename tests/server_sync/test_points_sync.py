"""Points from the supermarket kiosk to the server and back, over real HTTP.

The real server runs on 127.0.0.1 (SQLite, and PostgreSQL where marked); each
device is a real store file enrolled with a one-time code and synced by the
agent's own `Agent.sync`. Staff work goes through `kiosk.points.PointsDesk`.
"""

from __future__ import annotations

import pytest
from points_community import RESIDENTS, add_residents

from kiosk.points import PointsDesk
from server_sync.models.points import PointsAccount
from server_sync.points import ledger
from server_sync.points.cards import card_payload, reissue_card, revoke_card
from server_sync.protocol import cards as card_format
from terminal_agent.store import Store
from terminal_agent.sync import Agent, enroll


@pytest.fixture
def town(server):
    with server.database.transaction() as session:
        add_residents(session)
        cards = {card_no: card_payload(session, card_no) for *_, card_no in RESIDENTS}
    server.cards = cards
    return server


@pytest.fixture
def device(town, tmp_path):
    """Makes an enrolled device with its store; `sync()` pushes and pulls."""
    opened = []

    def make(name: str, role: str = "supermarket", location: str = "supermarket"):
        store = Store(tmp_path / name / "store.db")
        opened.append(store)
        enroll(store, town.url, town.code(role, location), name=name)
        agent = Agent(store)
        agent.sync()
        agent.close()
        return store

    yield make
    for store in opened:
        store.close()


def sync(store: Store):
    agent = Agent(store)
    try:
        return agent.sync()
    finally:
        agent.close()


def _server_balance(town, account_id: int) -> int:
    with town.database.read_session() as session:
        balance = session.get(PointsAccount, account_id).balance
        assert balance == ledger.balance_from_entries(session, account_id)
        return balance


def test_points_earned_at_one_kiosk_are_spent_at_another(town, device):
    m1, m2 = device("m1"), device("m2")
    desk1, desk2 = PointsDesk(m1, staff="zhou"), PointsDesk(m2, staff="wu")
    wang = town.cards["2600000001"]
    assert desk1.lookup(wang).balance == 0
    for rule, times in (("patrol", 3), ("waste_sorting_promotion", 2), ("school_pickup_help", 1)):
        for _ in range(times):
            assert desk1.award(rule, wang).recorded == 1
    assert sync(m1).accepted == 6
    assert _server_balance(town, 1) == 55

    sync(m2)
    looked_up = desk2.lookup(wang)
    assert (looked_up.balance, looked_up.month_earned, looked_up.name_masked) == (55, 55, "王*娟")
    sold = desk2.redeem(wang, [("rice_5kg", 1), ("cooking_oil_5l", 1)])
    assert sold.ok and (sold.balance_before, sold.balance_after) == (55, 0)
    assert sold.receipt.startswith(m2.identity()["short_code"] + "-")
    assert sync(m2).accepted == 1
    assert _server_balance(town, 1) == 0
    assert desk2.lookup(wang).balance == 0
    assert {row["key"]: row["stock"] for row in m2.reference("catalogue")}["rice_5kg"] == 59


def test_two_offline_kiosks_overspend_one_account(town, device):
    m1, m2 = device("m1"), device("m2")
    desk1, desk2 = PointsDesk(m1), PointsDesk(m2)
    li = town.cards["2600000003"]
    desk1.award("dispute_mediation", li)
    desk1.award("blood_donation", li)
    sync(m1)
    sync(m2)
    assert desk2.lookup(li).balance == 40

    # Now both are offline: each believes the account holds 40 and sells 30 of rice.
    first = desk1.redeem(li, [("rice_5kg", 1)])
    second = desk2.redeem(li, [("rice_5kg", 1)])
    assert first.ok and second.ok and first.balance_after == second.balance_after == 10

    assert sync(m1).accepted == 1
    assert sync(m2).accepted == 1  # kept, not dropped
    assert _server_balance(town, 3) == -20
    with town.database.read_session() as session:
        flags = ledger.open_overdrafts(session)
        assert [(flag.account_id, flag.what, flag.shortfall) for flag in flags] == [
            (3, "balance", 20)
        ]
    sync(m1)
    assert desk1.lookup(li).balance == desk2.lookup(li).balance == -20
    refused = desk1.redeem(li, [("salt", 1)])
    assert refused.message("en").startswith(
        "Not enough points: this needs 2 and the account has -20"
    )


def test_revoked_and_forged_cards_are_refused_at_the_server_too(town, device):
    m1 = device("m1")
    desk = PointsDesk(m1)
    zhang = town.cards["2600000004"]
    assert desk.award("patrol", zhang).recorded == 1
    with town.database.transaction() as session:
        revoke_card(session, "2600000004", "lost")
    # The kiosk has not pulled the revocation yet, so it still takes the card.
    assert desk.award("patrol", zhang).recorded == 1
    forged = card_format.sign_card(card_format.generate_private_key(), "2600000001")
    m1.record_event("points.awarded", {"card": forged, "rule": "patrol"})
    m1.record_event(
        "points.redeemed",
        {
            "card": town.cards["2600000003"],
            "receipt": "M01-261203-0099",
            "items": [{"item": "gold_bar", "quantity": 1, "points": 1}],
            "total": 1,
        },
    )

    report = sync(m1)
    assert (report.accepted, report.rejected) == (1, 3)
    reasons = sorted(row["reason"] for row in m1.queue() if row["status"] == "rejected")
    assert reasons[0].startswith("The card's signature does not match this community's key")
    assert reasons[1].startswith("There is no item 'gold_bar'")
    assert reasons[2].startswith("This card was reported lost and revoked")
    assert _server_balance(town, 4) == 10

    after = desk.lookup(zhang)
    assert not after.ok and after.message("zh") == "这张卡已挂失作废，请为居民补办新卡"


def test_every_kiosk_gets_the_stars_but_only_the_supermarket_gets_balances(town, device):
    m1 = device("m1")
    desk = PointsDesk(m1)
    for index, (rule, times) in enumerate((("patrol", 3), ("dispute_mediation", 1))):
        card = town.cards[RESIDENTS[index][3]]
        for _ in range(times):
            desk.award(rule, card)
    sync(m1)
    lift = device("lift", role="lift", location="b07-lift-1")
    stars = lift.reference("stars")
    assert [(s["key"], s["name_masked"], s["points"]) for s in stars] == [
        ("1", "王*娟", 30),
        ("2", "王*国", 20),
    ]
    assert lift.reference("accounts") == [] and lift.reference("cards") == []
    assert lift.reference_row("keys", "card")["public_key"]
    assert len(m1.reference("accounts")) == len(RESIDENTS)
    assert [s["key"] for s in m1.reference("stars")] == ["1", "2"]


def test_goods_bought_with_a_lost_card_are_returned_with_the_new_one(town, device):
    m1 = device("m1")
    desk = PointsDesk(m1)
    li = town.cards["2600000003"]
    desk.award("dispute_mediation", li)
    sold = desk.redeem(li, [("dish_soap", 2)])
    sync(m1)
    with town.database.transaction() as session:
        new_card = card_payload(session, reissue_card(session, "2600000003").card_no)
    sync(m1)
    assert desk.lookup(new_card).balance == 4

    # The old card no longer names its account on the kiosk, so a return with
    # someone else's card is stopped by the server.
    zhang = town.cards["2600000004"]
    assert desk.reverse(zhang, sold.receipt).ok
    report = sync(m1)
    assert report.rejected == 1
    assert m1.queue()[0]["reason"].startswith("This entry belongs to another account")

    back = desk.reverse(new_card, sold.receipt, [("dish_soap", 1)])
    assert back.ok and back.balance_after == 12
    assert sync(m1).accepted == 1
    assert _server_balance(town, 3) == 12
