"""Enrolling a device with a one-time code, and the token it gets."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from server_sync.models import Device, EnrolmentCode, utcnow


def test_enrolment_returns_a_token_and_a_short_code_from_the_building(server):
    code = server.code("lift", "b07-lift-1")

    response = server.client.post("/api/v1/devices/enroll", json={"code": code, "name": "B7 lift"})

    assert response.status_code == 201
    body = response.json()
    assert body["short_code"] == "L07"
    assert body["role"] == "lift"
    assert body["location"] == "b07-lift-1"
    beat = server.client.post(
        "/api/v1/devices/heartbeat",
        json={"device_time": utcnow().isoformat(), "queue_depth": 0},
        headers={"Authorization": f"Bearer {body['token']}"},
    )
    assert beat.status_code == 200


def test_the_server_keeps_only_a_hash_of_the_token(server):
    device = server.enrol()

    with server.database.read_session() as session:
        row = session.get(Device, device.id)
        codes = session.scalars(select(EnrolmentCode.code_hash)).all()
    assert device.token not in row.token_hash
    assert len(row.token_hash) == 64
    assert all(len(code) == 64 for code in codes)


def test_a_code_typed_in_lower_case_with_spaces_still_works(server):
    code = server.code("square", "square")

    typed = code.lower().replace("-", " ")
    response = server.client.post("/api/v1/devices/enroll", json={"code": typed, "name": "S"})

    assert response.status_code == 201
    assert response.json()["short_code"] == "S01"


def test_a_used_code_is_refused(server):
    code = server.code()
    first = server.client.post("/api/v1/devices/enroll", json={"code": code, "name": "a"})

    second = server.client.post("/api/v1/devices/enroll", json={"code": code, "name": "b"})

    assert first.status_code == 201
    assert second.status_code == 403
    assert second.json()["error"]["code"] == "enrolment_code_used"
    assert "already been used" in second.json()["error"]["message"]


def test_an_expired_code_is_refused(server):
    code = server.code()
    with server.database.transaction() as session:
        session.execute(update(EnrolmentCode).values(expires_at=utcnow() - timedelta(minutes=1)))

    response = server.client.post("/api/v1/devices/enroll", json={"code": code, "name": "a"})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "enrolment_code_expired"


def test_an_unknown_code_is_refused(server):
    response = server.client.post(
        "/api/v1/devices/enroll", json={"code": "AAAA-BBBB-CCCC", "name": "a"}
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "enrolment_code_unknown"


def test_second_lift_in_the_same_building_gets_the_next_free_number(server):
    first = server.enrol("lift", "b07-lift-1")
    second = server.enrol("lift", "b07-lift-2")
    market = server.enrol("supermarket", "supermarket")

    assert first.short_code == "L07"
    assert second.short_code == "L01"
    assert market.short_code == "M01"
