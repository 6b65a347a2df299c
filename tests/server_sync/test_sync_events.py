"""Pushing batches of events: idempotent, one result per event, limits enforced."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from uuid import UUID

import httpx
import pytest
from sqlalchemy import func, insert, select, text
from sync_helpers import event, new_ticket, report_event

from server_sync.models import EventLog, EventRejection, Report, ReportHistory
from server_sync.protocol import MAX_BATCH_EVENTS


def count(server, model) -> int:
    with server.database.read_session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_report_is_routed_to_the_categorys_department_with_its_deadline(server):
    device = server.enrol()
    sent = report_event(category="lift_fault", phrases=["电梯不动"])

    response = server.push(device, [sent])

    assert response.status_code == 200
    (result,) = response.json()["results"]
    assert result["status"] == "accepted"
    assert result["result"]["status"] == "routed"
    assert result["result"]["department"] == "lift_maintenance"
    with server.database.read_session() as session:
        report = session.scalar(select(Report))
        history = session.scalars(select(ReportHistory).order_by(ReportHistory.id)).all()
    assert report.ticket == sent["payload"]["ticket"]
    assert (report.deadline_at - report.submitted_at).total_seconds() == 12 * 3600
    assert [(h.status_from, h.status_to, h.actor) for h in history] == [
        (None, "submitted", "device:L07"),
        ("submitted", "routed", "system"),
    ]


def test_the_same_event_sent_twice_is_applied_once(server):
    device = server.enrol()
    sent = report_event()

    first = server.push(device, [sent]).json()["results"][0]
    second = server.push(device, [sent]).json()["results"][0]

    assert first["status"] == "accepted"
    assert second["status"] == "duplicate"
    assert second["result"] == first["result"]
    assert count(server, Report) == 1
    assert count(server, EventLog) == 1


def test_the_same_event_twice_in_one_batch_is_applied_once(server):
    device = server.enrol()
    sent = report_event()

    results = server.push(device, [sent, sent]).json()["results"]

    assert [r["status"] for r in results] == ["accepted", "duplicate"]
    assert count(server, Report) == 1


def test_a_refused_event_sent_twice_in_one_batch_is_refused_twice(server):
    device = server.enrol()
    refused = report_event(category="weather")

    results = server.push(device, [refused, report_event(), refused]).json()["results"]

    assert [r["status"] for r in results] == ["rejected", "accepted", "rejected"]
    assert results[2]["reason"] == results[0]["reason"]


def test_the_same_batch_on_two_connections_at_once_is_applied_once(server):
    device = server.enrol()
    batch = [report_event() for _ in range(60)]
    body = json.dumps({"events": batch})
    start = threading.Barrier(2)
    responses: list[httpx.Response] = []

    def push() -> None:
        # A connection of its own, so the two requests really overlap.
        with httpx.Client(base_url=server.url, timeout=60) as client:
            start.wait()
            responses.append(
                client.post(
                    "/api/v1/sync/events",
                    content=body,
                    headers=device.headers | {"Content-Type": "application/json"},
                )
            )

    threads = [threading.Thread(target=push) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert [r.status_code for r in responses] == [200, 200]
    first, second = ([r["status"] for r in resp.json()["results"]] for resp in responses)
    # Each event is accepted on exactly one of the two connections.
    assert [sorted(pair) for pair in zip(first, second, strict=True)] == [
        ["accepted", "duplicate"]
    ] * len(batch)
    assert count(server, Report) == len(batch)
    assert count(server, EventLog) == len(batch)


def test_one_malformed_event_is_rejected_and_the_rest_applied(server):
    device = server.enrol()
    good_before = report_event()
    bad_payload = report_event(category="")
    not_an_event = {"id": "not-a-uuid", "type": "report.submitted"}
    unknown_type = event("lift.exploded", {"floor": 3})
    good_after = report_event()

    results = server.push(
        device, [good_before, bad_payload, not_an_event, unknown_type, good_after, "text"]
    ).json()["results"]

    assert [r["status"] for r in results] == [
        "accepted",
        "rejected",
        "rejected",
        "rejected",
        "accepted",
        "rejected",
    ]
    assert "payload.category" in results[1]["reason"]
    assert results[2]["id"] == "not-a-uuid"
    assert "unknown event type" in results[3]["reason"]
    assert count(server, Report) == 2
    assert count(server, EventRejection) == 4


def test_text_with_a_nul_character_is_rejected_not_an_error(server):
    device = server.enrol()
    with_nul = report_event(text="漏水\x00")
    odd_id = event("report.submitted\x00", {"ticket": "x"}) | {"id": "abc\x00"}

    response = server.push(device, [with_nul, odd_id, report_event()])

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["rejected", "rejected", "accepted"]
    assert "NUL" in results[0]["reason"]


def test_a_report_in_an_unknown_category_is_rejected_with_a_reason(server):
    device = server.enrol()

    (result,) = server.push(device, [report_event(category="weather")]).json()["results"]

    assert result["status"] == "rejected"
    assert "category 'weather' does not exist" in result["reason"]


def test_a_reused_ticket_number_is_rejected_and_the_first_report_kept(server):
    device = server.enrol()
    ticket = new_ticket()
    server.push(device, [report_event(ticket, text="first")])

    (result,) = server.push(device, [report_event(ticket, text="second")]).json()["results"]

    assert result["status"] == "rejected"
    assert "already used" in result["reason"]
    with server.database.read_session() as session:
        assert session.scalar(select(Report.text)) == "first"


def test_a_refused_event_inside_a_batch_leaves_the_others_applied_in_order(server):
    device = server.enrol()
    ticket = new_ticket()
    batch = [report_event() for _ in range(10)]
    batch.insert(3, report_event(category="weather"))
    batch.insert(6, report_event(ticket))
    batch.insert(8, report_event(ticket, text="same ticket again"))

    results = server.push(device, batch).json()["results"]

    statuses = [r["status"] for r in results]
    assert statuses[3] == "rejected" and "weather" in results[3]["reason"]
    assert statuses[6] == "accepted"
    assert statuses[8] == "rejected" and "already used" in results[8]["reason"]
    assert statuses.count("accepted") == 11
    assert count(server, Report) == 11
    assert count(server, EventLog) == 11
    with server.database.read_session() as session:
        assert session.scalar(select(Report.text).where(Report.ticket == ticket)) == ""


def test_a_batch_over_500_events_is_refused_whole(server):
    device = server.enrol()
    batch = [report_event() for _ in range(MAX_BATCH_EVENTS + 1)]

    response = server.push(device, batch)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "batch_too_large"
    assert count(server, Report) == 0
    assert count(server, EventLog) == 0


def test_a_batch_over_2_mb_is_refused_whole(server):
    device = server.enrol()
    batch = [report_event(text="很" * 2000) for _ in range(400)]
    assert len(json.dumps({"events": batch}).encode()) > 2 * 1024 * 1024

    response = server.push(device, batch)

    assert response.status_code == 413
    assert count(server, EventLog) == 0


def test_a_chunked_batch_over_2_mb_is_refused_whole(server):
    device = server.enrol()
    body = json.dumps({"events": [report_event(text="x" * 2000) for _ in range(450)]})
    body = body.encode() * 3

    def chunks():
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536]

    response = server.client.post(
        "/api/v1/sync/events",
        content=chunks(),
        headers=device.headers | {"Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert count(server, EventLog) == 0


def test_a_batch_that_is_not_json_is_422(server):
    device = server.enrol()

    response = server.client.post(
        "/api/v1/sync/events", content=b"{not json", headers=device.headers
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_json"


def test_an_event_whose_photo_is_not_uploaded_is_rejected_until_it_is(server, tmp_path):
    import hashlib

    device = server.enrol()
    photo = b"\xff\xd8\xff\xe0" + b"\x00" * 500
    sha = hashlib.sha256(photo).hexdigest()
    sent = report_event(media=[{"sha256": sha, "kind": "photo"}])

    (before,) = server.push(device, [sent]).json()["results"]
    upload = server.client.put(
        f"/api/v1/media/{sha}", params={"kind": "photo"}, content=photo, headers=device.headers
    )
    (after,) = server.push(device, [sent]).json()["results"]

    assert before["status"] == "rejected"
    assert "is not on the server yet" in before["reason"]
    assert "upload" in before["reason"]
    assert upload.status_code == 201
    assert after["status"] == "accepted"
    with server.database.read_session() as session:
        assert session.scalar(select(Report.media)) == [{"sha256": sha, "kind": "photo"}]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_event_claimed_by_another_connection_meanwhile_is_a_duplicate(server):
    # Another connection holds the same event id in the log, uncommitted, while
    # the batch arrives: the batch must wait on the unique key and then answer
    # with that connection's result instead of applying the event again.
    device = server.enrol()
    sent = report_event()
    responses: list[httpx.Response] = []
    now = datetime.now(UTC)
    with server.database.engine.connect() as other:
        holding = other.begin()
        other.execute(
            insert(EventLog).values(
                id=UUID(sent["id"]),
                type=sent["type"],
                occurred_at=now,
                received_at=now,
                payload={},
                media=[],
                result={"applied": "elsewhere"},
            )
        )
        pusher = threading.Thread(target=lambda: responses.append(server.push(device, [sent])))
        pusher.start()
        waiting = 0
        deadline = time.monotonic() + 30
        with server.database.engine.connect() as watcher:
            while waiting == 0 and time.monotonic() < deadline:
                waiting = watcher.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                    )
                ).scalar()
                watcher.rollback()  # activity statistics are a snapshot per transaction
                time.sleep(0.05)
        holding.commit()
    pusher.join(30)

    assert waiting >= 1
    (result,) = responses[0].json()["results"]
    assert result["status"] == "duplicate"
    assert result["result"] == {"applied": "elsewhere"}
    assert count(server, Report) == 0
