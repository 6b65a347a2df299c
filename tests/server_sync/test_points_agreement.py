"""The kiosk and the server agree: what the desk records offline, the server accepts as is.

For any sequence of staff actions at one supermarket kiosk (awards, deductions,
redemptions, whole and partial reversals, some of them refused), every event
the desk recorded is accepted by the server, and the balance and stock the
desk showed are the ones the server ends with: a balance printed on a receipt
is the balance anywhere else.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from points_community import RESIDENTS, award, build_template, open_community

from kiosk.points import PointsDesk
from server_sync.models.points import CatalogueItem, PointsAccount
from server_sync.state import points as producers
from terminal_agent.store import Store

RULES = ["patrol", "dispute_mediation", "residents_meeting", "civilised_family", "littering"]
GOODS = ["detergent", "dish_soap", "rice_5kg", "eggs_30", "home_cleaning"]

who = st.integers(min_value=0, max_value=len(RESIDENTS) - 1)
reversal = st.tuples(
    st.just("reverse"),
    st.integers(0, 30),
    st.one_of(st.none(), st.tuples(st.sampled_from(GOODS), st.integers(1, 2))),
)
action = st.one_of(
    st.tuples(st.just("rule"), st.sampled_from(RULES), st.lists(who, min_size=1, max_size=3)),
    st.tuples(
        st.just("redeem"),
        who,
        st.lists(st.tuples(st.sampled_from(GOODS), st.integers(1, 2)), min_size=1, max_size=3),
    ),
    reversal,
    reversal,  # twice, so that reversals come up as often as the rest
)


class _Supermarket:
    role = "supermarket"
    id = 1


def pulled_store(community, path) -> Store:
    """A supermarket store holding what a full pull from this server gives it."""
    store = Store(path)
    store.config_set("short_code", "M01")
    with community.database.read_session() as session:
        changes = {
            kind: list(getattr(producers, kind)(session, _Supermarket(), None))
            for kind in ("rules", "catalogue", "keys", "revoked_cards", "cards", "accounts")
        }
    store.apply_state({"cursor": "1", "full": True, "changes": changes})
    return store


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = build_template(tmp_path_factory.mktemp("points-agreement"))
    community = open_community(path, tmp_path_factory.mktemp("top-up"))
    # Some points to spend, and little stock, so refusals and sell-outs happen.
    community.send(
        [
            ev
            for index in range(len(RESIDENTS))
            for ev in (
                award(community.card(index), "blood_donation"),
                award(community.card(index), "dispute_mediation"),
            )
        ]
    )
    with community.database.transaction() as session:
        session.get(CatalogueItem, "eggs_30").stock = 2
    community.database.dispose()
    return community.database.url.removeprefix("sqlite:///")


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=st.lists(action, min_size=1, max_size=15))
def test_what_the_desk_records_the_server_accepts_with_the_same_balances(
    template, tmp_path_factory, actions
):
    folder = tmp_path_factory.mktemp("agreement")
    community = open_community(Path(template), folder / "server")
    store = pulled_store(community, folder / "m01" / "store.db")
    desk = PointsDesk(store, staff="test")
    try:
        done: list[tuple[str, str]] = []  # (event id, card) of entries recorded
        for act in actions:
            if act[0] == "rule":
                cards = [community.card(index) for index in act[2]]
                batch = desk.apply_rule(act[1], cards)
                done += [(e.event_id, e.scanned) for e in batch.entries if e.ok]
            elif act[0] == "redeem":
                card = community.card(act[1])
                outcome = desk.redeem(card, act[2])
                if outcome.ok:
                    done.append((outcome.event_id, card))
            elif done:
                event_id, card = done[act[1] % len(done)]
                returned = None if act[2] is None else [act[2]]
                outcome = desk.reverse(card, event_id, returned)
                event(f"reversal: {outcome.refusal.code if outcome.refusal else 'recorded'}")
                assert outcome.ok or outcome.refusal.code in (
                    "already_reversed",
                    "partial_not_redemption",
                    "return_not_redeemed",
                    "return_too_many",
                    "reverse_reversal",
                )
        shown = {index: desk.lookup(community.card(index)).balance for index in range(4)}
        stock_shown = desk.stock()

        pending = store.pending_batch(500, 2 * 1024 * 1024)
        for kind in sorted({sent["type"] for sent in pending}):
            event(f"recorded {kind}")
        results = community.send(pending)
        assert [r["status"] for r in results] == ["accepted"] * len(pending), [
            r["reason"] for r in results if r["status"] != "accepted"
        ]
        with community.database.read_session() as session:
            on_server = {i: session.get(PointsAccount, i + 1).balance for i in range(4)}
            stock = {key: session.get(CatalogueItem, key).stock for key in GOODS}
        assert on_server == shown
        assert stock == {key: stock_shown[key] for key in GOODS}
    finally:
        store.close()
        community.database.dispose()
