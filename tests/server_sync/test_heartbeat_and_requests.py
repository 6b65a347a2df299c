"""Heartbeats and commands, home-visit and help requests, and ratings."""

from __future__ import annotations

from sqlalchemy import select
from sync_helpers import event, report_event

from server_sync.models import (
    Device,
    DeviceCommand,
    HelpRequest,
    Report,
    ReportHistory,
    ServiceRequest,
    utcnow,
)


def beat(server, device, **fields):
    body = {"device_time": utcnow().isoformat(), "queue_depth": 3} | fields
    response = server.client.post("/api/v1/devices/heartbeat", json=body, headers=device.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_heartbeat_stores_the_devices_health(server):
    device = server.enrol()

    beat(server, device, queue_depth=7, printer={"ok": False, "status": "paper out"})

    with server.database.read_session() as session:
        row = session.get(Device, device.id)
    assert row.last_seen_at is not None
    assert row.health["queue_depth"] == 7
    assert row.health["printer"]["status"] == "paper out"


def test_a_command_goes_out_once_and_command_completed_closes_it(server):
    device = server.enrol()
    other = server.enrol("square", "square")
    with server.database.transaction() as session:
        session.add(DeviceCommand(device_id=device.id, name="print_test_page", args={}))

    first = beat(server, device)["commands"]
    second = beat(server, device)["commands"]
    nothing_for_other = beat(server, other)["commands"]

    assert [c["name"] for c in first] == ["print_test_page"]
    assert second == []
    assert nothing_for_other == []
    done = event(
        "command.completed", {"command_id": first[0]["id"], "ok": True, "output": "printed"}
    )
    (result,) = server.push(device, [done]).json()["results"]
    assert result["status"] == "accepted"
    with server.database.read_session() as session:
        command = session.get(DeviceCommand, first[0]["id"])
    assert (command.status, command.ok, command.output) == ("done", True, "printed")


def test_a_device_cannot_complete_another_devices_command(server):
    device = server.enrol()
    other = server.enrol("square", "square")
    with server.database.transaction() as session:
        command = DeviceCommand(device_id=device.id, name="sync_now", args={})
        session.add(command)
        session.flush()
        command_id = command.id

    done = event("command.completed", {"command_id": command_id, "ok": True})
    (result,) = server.push(other, [done]).json()["results"]

    assert result["status"] == "rejected"
    assert "was not sent to this device" in result["reason"]


def test_service_and_help_requests_are_recorded(server):
    device = server.enrol()
    service = event(
        "service.requested",
        {"service": "fetch_medicine", "location": "b07-lift-1", "building": 7, "unit": 1203},
    )
    help_call = event("help.requested", {"location": "b07-lift-1"})

    results = server.push(device, [service, help_call]).json()["results"]

    assert [r["status"] for r in results] == ["accepted", "accepted"]
    with server.database.read_session() as session:
        request = session.scalar(select(ServiceRequest))
        alert = session.scalar(select(HelpRequest))
    assert (request.service, request.unit, request.status) == ("fetch_medicine", 1203, "open")
    assert alert.location == "b07-lift-1" and alert.acknowledged_at is None
    assert results[1]["result"] == {"help": "raised"}


def test_a_resolved_report_is_closed_by_the_residents_rating(server):
    device = server.enrol()
    sent = report_event()
    ticket = sent["payload"]["ticket"]
    server.push(device, [sent])
    early = event("report.rated", {"ticket": ticket, "rating": 1})
    (too_early,) = server.push(device, [early]).json()["results"]
    with server.database.transaction() as session:
        session.scalar(select(Report)).status = "resolved"

    rated = event("report.rated", {"ticket": ticket, "rating": 4, "comment": "修好了"})
    (result,) = server.push(device, [rated]).json()["results"]

    assert too_early["status"] == "rejected"
    assert "can be rated once it is resolved" in too_early["reason"]
    assert result["status"] == "accepted"
    with server.database.read_session() as session:
        report = session.scalar(select(Report))
        last = session.scalars(select(ReportHistory).order_by(ReportHistory.id.desc())).first()
    assert (report.status, report.rating, report.rating_comment) == ("closed", 4, "修好了")
    assert (last.status_from, last.status_to) == ("resolved", "closed")


def test_nul_characters_in_a_heartbeat_or_enrolment_are_not_server_errors(server):
    device = server.enrol()

    beat(server, device, printer={"ok": None, "status": "odd\x00status"})
    enrol = server.client.post(
        "/api/v1/devices/enroll", json={"code": server.code(), "name": "kiosk\x00"}
    )

    assert enrol.status_code == 422
    assert "NUL" in enrol.json()["error"]["message"]
