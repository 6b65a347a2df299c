"""Device endpoints need the bearer token from enrolment; errors are JSON."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sync_helpers import sqlite_only

from server_sync.models import Device, utcnow

pytestmark = sqlite_only

PROTECTED = [
    ("post", "/api/v1/sync/events", {"json": {"events": []}}),
    ("get", "/api/v1/sync/state", {}),
    (
        "post",
        "/api/v1/devices/heartbeat",
        {"json": {"device_time": "2026-12-03T10:00:00Z", "queue_depth": 0}},
    ),
    ("put", "/api/v1/media/" + "a" * 64 + "?kind=photo", {"content": b"x"}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), PROTECTED)
def test_missing_token_is_401_with_a_json_error(server, method, path, kwargs):
    response = server.client.request(method, path, **kwargs)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(("method", "path", "kwargs"), PROTECTED)
def test_wrong_token_is_401(server, method, path, kwargs):
    device = server.enrol()
    wrong = device.token[:-4] + ("AAAA" if not device.token.endswith("AAAA") else "BBBB")

    response = server.client.request(
        method, path, headers={"Authorization": f"Bearer {wrong}"}, **kwargs
    )

    assert response.status_code == 401
    assert "not valid" in response.json()["error"]["message"]


def test_another_devices_id_with_this_secret_is_401(server):
    device = server.enrol()
    other = server.enrol("square", "square")
    _, secret = device.token.split(".", 1)

    response = server.client.get(
        "/api/v1/sync/state", headers={"Authorization": f"Bearer {other.id}.{secret}"}
    )

    assert response.status_code == 401


def test_a_retired_device_is_401(server):
    device = server.enrol()
    with server.database.transaction() as session:
        session.execute(update(Device).where(Device.id == device.id).values(retired_at=utcnow()))

    response = server.client.get("/api/v1/sync/state", headers=device.headers)

    assert response.status_code == 401


def test_garbage_tokens_are_401_not_errors(server):
    for token in ["x", "99999999999999999999.abc", "1.", ".abc", "1." + "a" * 500]:
        response = server.client.get(
            "/api/v1/sync/state", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401, token
