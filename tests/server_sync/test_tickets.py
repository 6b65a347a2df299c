"""A resident tracks a report by the ticket on the slip."""

from __future__ import annotations

from sqlalchemy import select
from sync_helpers import report_event

from server_sync.models import Report


def test_a_report_that_came_by_sync_can_be_tracked_by_its_ticket(server):
    device = server.enrol()
    sent = report_event(
        category="utilities",
        text="三楼水管爆了",
        unit=302,
        contact={"kind": "phone", "phone": "13912345678"},
    )
    server.push(device, [sent])
    ticket = sent["payload"]["ticket"]

    response = server.client.get(f"/api/v1/tickets/{ticket.lower()}")

    assert response.status_code == 200
    body = response.json()
    assert body["ticket"] == ticket
    assert body["category"] == "utilities"
    assert body["category_zh"] == "水电气故障"
    assert body["status"] == "routed"
    text = response.text
    assert "13912345678" not in text
    assert "水管" not in text
    assert "302" not in text.replace(ticket, "")


def test_the_status_follows_the_report(server):
    device = server.enrol()
    sent = report_event()
    server.push(device, [sent])
    with server.database.transaction() as session:
        session.scalar(select(Report)).status = "accepted"

    body = server.client.get(f"/api/v1/tickets/{sent['payload']['ticket']}").json()

    assert body["status"] == "accepted"


def test_an_unknown_ticket_is_404_with_a_sentence(server):
    response = server.client.get("/api/v1/tickets/L07-261203-9999")

    assert response.status_code == 404
    assert "no report has this ticket" in response.json()["error"]["message"]


def test_something_that_is_not_a_ticket_is_404(server):
    response = server.client.get("/api/v1/tickets/drop table reports")

    assert response.status_code == 404
    assert "not a ticket number" in response.json()["error"]["message"]
