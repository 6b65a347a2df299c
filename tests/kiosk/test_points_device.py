"""The supermarket kiosk's points desk, offline against a real device store file."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from kiosk.points import PointsDesk
from server_sync.protocol import cards
from server_sync.protocol.points import mask_name
from terminal_agent.store import Store

SEED = Path(__file__).resolve().parents[2] / "assets" / "seed"


def _seed(name: str, table: str) -> list[dict]:
    with open(SEED / name, "rb") as handle:
        return tomllib.load(handle)[table]


@pytest.fixture
def card_key():
    return cards.generate_private_key()


@pytest.fixture
def store(tmp_path, card_key):
    """A supermarket device's store as it is after a pull from the server."""
    with Store(tmp_path / "m01" / "store.db") as opened:
        opened.config_set("short_code", "M01")
        opened.apply_state(
            {
                "cursor": "1",
                "full": True,
                "changes": {
                    "keys": [{"key": "card", "public_key": cards.public_key_text(card_key)}],
                    "rules": _seed("points_rules.toml", "rule"),
                    "catalogue": _seed("catalogue.toml", "item"),
                    "cards": [
                        {"key": "2600000001", "account": 1},
                        {"key": "2600000002", "account": 2},
                        {"key": "2600000003", "account": 3},
                    ],
                    "revoked_cards": [{"key": "2600000009"}],
                    "accounts": [
                        _account(1, "王小娟", household=1, balance=0),
                        _account(2, "王建国", household=1, balance=12),
                        _account(3, "李秀兰", household=2, balance=100),
                    ],
                },
            }
        )
        yield opened


def _account(key, name, *, household, balance):
    return {
        "key": str(key),
        "name": name,
        "household": household,
        "building": 7,
        "unit": 1203,
        "balance": balance,
        "month_earned": 0,
    }


@pytest.fixture
def card(card_key):
    return lambda number: cards.sign_card(card_key, number)


@pytest.fixture
def desk(store):
    return PointsDesk(store, staff="clerk1")


def test_community_example_fifty_five_points_buy_rice_and_oil(desk, card):
    wang = card("2600000001")
    for rule, times in (("patrol", 3), ("waste_sorting_promotion", 2), ("school_pickup_help", 1)):
        for _ in range(times):
            assert desk.award(rule, wang).recorded == 1

    looked_up = desk.lookup(wang)
    assert looked_up.ok and looked_up.balance == 55
    assert looked_up.name_masked == "王*娟"

    receipt = desk.redeem(wang, [("rice_5kg", 1), ("cooking_oil_5l", 1)])
    assert receipt.ok, receipt.message("en")
    assert receipt.receipt.startswith("M01-")
    assert [line.name_zh for line in receipt.lines] == ["大米（5公斤）", "食用油（5升）"]
    assert (receipt.total, receipt.balance_before, receipt.balance_after) == (55, 55, 0)
    assert desk.lookup(wang).balance == 0
    assert desk.stock()["rice_5kg"] == 59


def test_redemption_past_the_known_balance_is_refused_with_the_figures(desk, card):
    outcome = desk.redeem(card("2600000002"), [("rice_5kg", 1)])
    assert not outcome.ok
    assert outcome.message("zh") == "积分不足：需要 30 分，账户只有 12 分，请减少商品"
    assert "needs 30 and the account has 12" in outcome.message("en")
    assert desk.store.local_events(["points.redeemed"]) == []


def test_redemption_past_the_known_stock_is_refused(desk, card, store):
    eggs = {**store.reference_row("catalogue", "eggs_30"), "stock": 3}
    store.apply_state({"cursor": "2", "changes": {"catalogue": [eggs]}})
    li = card("2600000003")
    assert desk.redeem(li, [("eggs_30", 2)]).ok
    outcome = desk.redeem(li, [("eggs_30", 2)])
    assert outcome.message("zh") == "“鸡蛋（30枚）”库存不足：需要 2，只剩 1"
    assert outcome.message("en") == "Not enough 'Eggs, tray of 30' in stock: 2 wanted, 1 left"
    assert desk.lookup(li).balance == 70


def test_patrol_of_several_residents_scanned_in_a_row(desk, card):
    batch = desk.award(
        "patrol", [card("2600000001"), card("2600000002"), card("2600000001"), "hello"]
    )
    assert batch.recorded == 2
    assert [entry.ok for entry in batch.entries] == [True, True, False, False]
    assert batch.entries[2].refusal.code == "scanned_twice"
    assert "不是积分卡" in batch.entries[3].message("zh")
    assert desk.lookup(card("2600000002")).balance == 22


def test_deduction_lowers_the_balance_and_an_unknown_rule_is_refused(desk, card):
    li = card("2600000003")
    deducted = desk.deduct("littering", li)
    assert deducted.recorded == 1 and deducted.entries[0].points == -5
    assert desk.lookup(li).balance == 95
    refused = desk.apply_rule("no_such_rule", li)
    assert not refused.ok and "no_such_rule" in refused.message("en")
    backwards = desk.deduct("patrol", li)
    assert backwards.recorded == 0
    assert backwards.message("zh") == "规则“参加治安巡逻”是加分规则，不能用来扣分"
    assert desk.award("littering", li).refusal.code == "wrong_direction"
    assert desk.lookup(li).balance == 95


def test_civilised_family_once_a_year_per_household_on_this_device(desk, card):
    assert desk.award("civilised_family", card("2600000001")).recorded == 1
    second = desk.award("civilised_family", card("2600000002"))
    assert second.recorded == 0
    assert "每户每年只能获得一次" in second.entries[0].message("zh")


def test_monthly_cap_stops_awards_on_this_device(desk, card):
    li = card("2600000003")
    results = [desk.award("residents_meeting", li).recorded for _ in range(5)]
    assert results == [1, 1, 1, 1, 0]  # 5 points each, at most 20 a month
    assert desk.lookup(li).balance == 120


def test_forged_revoked_and_damaged_cards_are_refused_with_sentences(desk, card, store):
    other_key = cards.generate_private_key()
    forged = cards.sign_card(other_key, "2600000001")
    genuine = card("2600000001")
    cases = {
        forged: "可能是伪造的",
        card("2600000009"): "已挂失作废",
        genuine[:-5]: "不完整或已损坏",
        genuine + "AAAA": "不完整或已损坏",
        genuine.replace("2600000001", "2600000002"): "可能是伪造的",
        "https://example.com/pay": "不是积分卡",
    }
    for scanned, text in cases.items():
        looked_up = desk.lookup(scanned)
        assert not looked_up.ok
        assert text in looked_up.message("zh")
        assert not desk.redeem(scanned, [("soap", 1)]).ok
        assert desk.award("patrol", scanned).recorded == 0
    assert store.local_events(["points.redeemed", "points.awarded"]) == []


def test_unknown_item_and_unsigned_card_number_are_refused(desk, card):
    refused = desk.redeem(card("2600000003"), [("caviar", 1)])
    assert refused.message("en").startswith("There is no item 'caviar'")
    assert "请扫描居民的积分卡" in desk.lookup("2600000003").message("zh")


def test_card_without_an_account_yet(desk, card):
    refused = desk.lookup(card("2600000004"))
    assert refused.refusal.code == "no_account"
    assert "同步" in refused.message("zh")


def test_partial_return_gives_back_only_what_came_back_and_only_once(desk, card, store):
    li = card("2600000003")
    sold = desk.redeem(li, [("dish_soap", 2), ("towel", 1)])
    assert sold.ok and sold.balance_after == 78

    too_many = desk.reverse(li, sold.receipt, [("dish_soap", 3)])
    assert not too_many.ok and "最多可退 2" in too_many.message("zh")
    not_in_it = desk.reverse(li, sold.receipt, [("rice_5kg", 1)])
    assert "这笔兑换里没有“大米（5公斤）”" == not_in_it.message("zh")

    back = desk.reverse(li, sold.receipt, [("dish_soap", 1)], reason="opened bottle")
    assert back.ok and back.partial and back.points == 8
    assert desk.lookup(li).balance == 86
    assert desk.stock()["dish_soap"] == 149

    again = desk.reverse(li, sold.event_id)
    assert not again.ok and again.refusal.code == "already_reversed"


def test_whole_reversal_of_an_award_and_reversal_with_another_card(desk, card):
    wang, li = card("2600000001"), card("2600000003")
    entry = desk.award("dispute_mediation", wang).entries[0]
    assert desk.reverse(li, entry.event_id).refusal.code == "other_account"
    undone = desk.reverse(wang, entry.event_id, reason="entered for the wrong resident")
    assert undone.ok and undone.points == -20
    assert desk.lookup(wang).balance == 0
    assert desk.reverse(wang, "M01-261203-9999").refusal.code == "unknown_original"


def test_events_after_a_pull_that_reflects_them_are_not_counted_twice(desk, card, store):
    li = card("2600000003")
    sold = desk.redeem(li, [("soap", 2)])
    store.begin_pull()
    store.mark_results([{"id": sold.event_id, "status": "accepted", "result": {}}])
    assert desk.lookup(li).balance == 94  # accepted after the pull began: still local
    store.begin_pull()
    store.apply_state(
        {"cursor": "2", "changes": {"accounts": [_account(3, "李秀兰", household=2, balance=94)]}}
    )
    assert desk.lookup(li).balance == 94


def test_a_broken_store_gives_a_sentence_not_an_exception(desk, card, store):
    store.close()
    outcome = desk.redeem(card("2600000003"), [("soap", 1)])
    assert not outcome.ok
    assert outcome.message("zh").startswith("记录没有保存成功")


def test_mask_name_for_display():
    assert [mask_name(n) for n in ("王小娟", "李明", "欧阳娜娜", "王", "", None)] == [
        "王*娟",
        "李*",
        "欧*娜",
        "*",
        "",
        "",
    ]
