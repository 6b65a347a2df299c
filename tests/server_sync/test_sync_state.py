"""Pulling reference data: everything at first, then only what changed."""

from __future__ import annotations

from sqlalchemy import select
from sync_helpers import report_event

from server_sync.models import Category, ConfigValue, Notice, utcnow


def pull(server, device, since: str | None = None) -> dict:
    params = {"since": since} if since else {}
    response = server.client.get("/api/v1/sync/state", params=params, headers=device.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_first_pull_has_all_reference_data(server):
    device = server.enrol()

    state = pull(server, device)

    assert state["full"] is True
    changes = state["changes"]
    assert len(changes["categories"]) == 12
    assert changes["categories"][0]["key"] == "housing_repair"
    lift = next(row for row in changes["categories"] if row["key"] == "lift_fault")
    assert lift["department"] == "lift_maintenance"
    assert lift["phrases_zh"][0] == "电梯不动"
    assert len(lift["phrases_en"]) == len(lift["phrases_zh"])
    departments = {row["key"]: row for row in changes["departments"]}
    assert departments["property"]["phone"]
    locations = {row["key"]: row for row in changes["locations"]}
    assert locations["b30-lift-3"]["building"] == 30
    assert {"square", "supermarket", "office", "b01", "b01-lift-1"} <= set(locations)
    assert {row["kind"] for row in changes["notices"]} == {"policy", "news"}


def test_a_pull_with_the_cursor_returns_nothing_when_nothing_changed(server):
    device = server.enrol()
    cursor = pull(server, device)["cursor"]

    state = pull(server, device, cursor)

    assert state == {"cursor": cursor, "full": False, "more": False, "changes": {}}


def test_a_changed_category_and_a_withdrawn_notice_reach_the_device(server):
    device = server.enrol()
    cursor = pull(server, device)["cursor"]
    with server.database.transaction() as session:
        session.get(Category, "noise").deadline_hours = 6
        session.get(Notice, "market-hours-winter").withdrawn_at = utcnow()

    state = pull(server, device, cursor)

    assert state["full"] is False
    assert [row["key"] for row in state["changes"]["categories"]] == ["noise"]
    assert state["changes"]["categories"][0]["deadline_hours"] == 6
    assert state["changes"]["notices"] == [{"key": "market-hours-winter", "deleted": True}]
    assert set(state["changes"]) == {"categories", "notices"}
    assert pull(server, device, state["cursor"])["changes"] == {}


def test_device_configuration_overlays_shared_values_and_stays_with_its_device(server):
    lift = server.enrol()
    square = server.enrol("square", "square")
    cursors = {d.id: pull(server, d)["cursor"] for d in (lift, square)}
    with server.database.transaction() as session:
        session.add(ConfigValue(device_id=None, key="idle_seconds", value=20))
        session.add(ConfigValue(device_id=lift.id, key="idle_seconds", value=45))
        session.add(ConfigValue(device_id=lift.id, key="printer", value="usb:0416:5011"))

    lift_config = pull(server, lift, cursors[lift.id])["changes"]["config"]
    square_config = pull(server, square, cursors[square.id])["changes"]["config"]

    assert lift_config == [
        {"key": "idle_seconds", "value": 45},
        {"key": "printer", "value": "usb:0416:5011"},
    ]
    assert square_config == [{"key": "idle_seconds", "value": 20}]


def test_a_synced_report_appears_as_a_ticket_without_personal_data(server):
    device = server.enrol()
    cursor = pull(server, device)["cursor"]
    sent = report_event(text="我家漏水", contact={"kind": "phone", "phone": "13800000000"})
    server.push(device, [sent])

    tickets = pull(server, device, cursor)["changes"]["tickets"]

    assert len(tickets) == 1
    assert tickets[0]["key"] == sent["payload"]["ticket"]
    assert tickets[0]["status"] == "routed"
    assert set(tickets[0]) == {"key", "category", "status", "updated_at"}


def test_a_cursor_from_elsewhere_is_400_and_a_stale_one_gets_everything(server):
    device = server.enrol()
    cursor = pull(server, device)["cursor"]
    seq, tag = cursor.split(".")

    bad = server.client.get(
        "/api/v1/sync/state", params={"since": "yesterday"}, headers=device.headers
    )
    other_kinds = pull(server, device, f"{seq}.00000000")
    ahead = pull(server, device, f"{int(seq) + 1000}.{tag}")

    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_cursor"
    assert other_kinds["full"] is True
    assert ahead["full"] is True


def test_many_changes_come_in_pages(server, monkeypatch):
    import server_sync.state as state

    device = server.enrol()
    cursor = pull(server, device)["cursor"]
    with server.database.transaction() as session:
        for category in session.scalars(select(Category)):
            category.icon = category.icon + "-v2"
    monkeypatch.setattr(state, "PAGE_CHANGES", 5)
    monkeypatch.setattr(state.build_state, "__kwdefaults__", {"page": 5})

    seen: list[str] = []
    pages = 0
    while True:
        page = pull(server, device, cursor)
        pages += 1
        seen += [row["key"] for row in page["changes"].get("categories", [])]
        cursor = page["cursor"]
        if not page["more"]:
            break

    assert pages == 3
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 12
