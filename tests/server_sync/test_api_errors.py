"""Every error is JSON {"error": {"code", "message"}} with the right status."""

from __future__ import annotations

from sync_helpers import sqlite_only

pytestmark = sqlite_only


def test_health_names_the_database(server):
    body = server.client.get("/api/v1/health").json()

    assert body["status"] == "ok"
    assert body["database"] in ("sqlite", "postgresql")
    assert body["version"]


def test_unknown_path_is_a_json_404(server):
    response = server.client.get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_wrong_method_is_a_json_405(server):
    response = server.client.delete("/api/v1/health")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_invalid_body_is_a_json_422_naming_the_field(server):
    response = server.client.post("/api/v1/devices/enroll", json={"code": "ab"})

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert "code" in error["message"] and "name" in error["message"]


def test_a_huge_body_on_a_small_endpoint_is_a_json_413(server):
    response = server.client.post(
        "/api/v1/devices/enroll",
        content=b'{"code": "' + b"A" * 400_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_openapi_describes_the_sync_api(server):
    paths = server.client.get("/openapi.json").json()["paths"]

    for path in [
        "/api/v1/health",
        "/api/v1/devices/enroll",
        "/api/v1/devices/heartbeat",
        "/api/v1/sync/events",
        "/api/v1/sync/state",
        "/api/v1/media/{sha256}",
        "/api/v1/tickets/{ticket}",
    ]:
        assert path in paths
    assert "requestBody" in paths["/api/v1/sync/events"]["post"]
