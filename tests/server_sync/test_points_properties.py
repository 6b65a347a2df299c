"""Property tests of the ledger: any delivery order, duplicates, the same balances.

Two supermarket devices each record a sequence of awards, deductions,
redemptions and reversals (some of them invalid on purpose: reversing twice,
returning more than was sold, reversing a reversal). The server receives the
two outboxes interleaved in any way, in batches of any size, with events sent
again at any later point, as an agent's retries would. Whatever the delivery,
it must end with the balances, stock and accepted events of a plain in-order
delivery, every balance must equal the sum of its entries, and no entry may be
reversed twice.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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

from server_sync.models.points import CatalogueItem, LedgerEntry, PointsAccount
from server_sync.points import ledger

AWARD_RULES = ["dispute_mediation", "blood_donation", "lost_property_returned"]
DEDUCT_RULES = ["littering", "damaging_facilities"]
GOODS = ["detergent", "dish_soap", "rice_5kg"]

accounts = st.integers(min_value=0, max_value=len(RESIDENTS) - 1)
operation = st.one_of(
    st.tuples(st.just("award"), accounts, st.sampled_from(AWARD_RULES)),
    st.tuples(st.just("deduct"), accounts, st.sampled_from(DEDUCT_RULES)),
    st.tuples(
        st.just("redeem"),
        accounts,
        st.lists(st.tuples(st.sampled_from(GOODS), st.integers(1, 3)), min_size=1, max_size=3),
    ),
    st.tuples(
        st.just("reverse"),
        st.integers(min_value=0, max_value=50),  # which earlier entry of this device
        st.one_of(st.none(), st.tuples(st.sampled_from(GOODS), st.integers(1, 4))),
        st.booleans(),  # with the right card (False: another resident's card)
    ),
)
device_ops = st.lists(operation, min_size=1, max_size=12)


def build_events(community, ops, device_no):
    """The events one device records for `ops`, in its order."""
    events, owners = [], []
    for op in ops:
        if op[0] in ("award", "deduct"):
            make = award if op[0] == "award" else deduct
            events.append(make(community.card(op[1]), op[2]))
            owners.append(op[1])
        elif op[0] == "redeem":
            events.append(redeem(community.card(op[1]), op[2], f"M0{device_no}-261203-0001"))
            owners.append(op[1])
        elif events:
            target = op[1] % len(events)
            owner = owners[target] if op[3] else (owners[target] + 1) % len(RESIDENTS)
            items = None if op[2] is None else [op[2]]
            events.append(reverse(community.card(owner), events[target]["id"], items))
            owners.append(owner)
    return events


def outcome(community):
    with community.database.read_session() as session:
        balances = dict(session.execute(select(PointsAccount.id, PointsAccount.balance)).all())
        stock = dict(session.execute(select(CatalogueItem.key, CatalogueItem.stock)).all())
        events = set(session.scalars(select(LedgerEntry.event_id)))
        for account_id, balance in balances.items():
            assert balance == ledger.balance_from_entries(session, account_id)
        reversed_ids = session.scalars(
            select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
        ).all()
        assert len(reversed_ids) == len(set(reversed_ids))
        reversal_of_reversal = session.scalar(
            select(func.count())
            .select_from(LedgerEntry)
            .where(
                LedgerEntry.reverses_id.in_(
                    select(LedgerEntry.id).where(LedgerEntry.kind == "reversal")
                )
            )
        )
        assert reversal_of_reversal == 0
    return balances, stock, events


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_template(tmp_path_factory.mktemp("points-properties"))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=device_ops, second=device_ops, data=st.data())
def test_any_delivery_order_with_duplicates_ends_with_the_same_ledger(
    template, tmp_path_factory, first, second, data
):
    folder = tmp_path_factory.mktemp("example")
    in_order = open_community(template, folder / "in-order")
    shuffled = open_community(template, folder / "shuffled")
    try:
        streams = [build_events(in_order, first, 1), build_events(in_order, second, 2)]
        for device_id, stream in enumerate(streams, start=1):
            for sent in stream:
                in_order.send([sent], device_id)
        expected = outcome(in_order)

        # Interleave the two outboxes, keeping each device's own order, and re-send
        # already-sent events at random later points.
        positions = [0, 0]
        sent_so_far: list[tuple[int, dict]] = []
        deliveries: list[tuple[int, dict]] = []
        while positions[0] < len(streams[0]) or positions[1] < len(streams[1]):
            open_devices = [d for d in (0, 1) if positions[d] < len(streams[d])]
            device = data.draw(st.sampled_from(open_devices), label="device")
            item = (device + 1, streams[device][positions[device]])
            positions[device] += 1
            deliveries.append(item)
            sent_so_far.append(item)
            if data.draw(st.booleans(), label="resend"):
                deliveries.append(data.draw(st.sampled_from(sent_so_far), label="again"))
        sizes = iter(data.draw(st.lists(st.integers(1, 6), min_size=len(deliveries))))
        start = 0
        while start < len(deliveries):
            batch = deliveries[start : start + next(sizes)]
            start += len(batch)
            # A batch comes from one device; split where the sender changes.
            for device_id, group in itertools.groupby(batch, key=lambda pair: pair[0]):
                results = shuffled.send([sent for _, sent in group], device_id)
                assert all(r["status"] in ("accepted", "duplicate", "rejected") for r in results)

        assert outcome(shuffled) == expected
    finally:
        in_order.database.dispose()
        shuffled.database.dispose()
