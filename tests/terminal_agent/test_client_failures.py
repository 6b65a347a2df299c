"""The sync client against servers that misbehave: a captive portal, a bad certificate, 5xx."""

import json

import pytest

from terminal_agent import cli
from terminal_agent.client import (
    Backoff,
    CaptivePortal,
    Client,
    ServerBusy,
    ServerFault,
    TLSFailure,
    parse_retry_after,
)
from terminal_agent.store import Store
from terminal_agent.sync import Agent

PORTAL_PAGE = b"<html><body><h1>Welcome to CommunityWiFi</h1>Please log in</body></html>"


def captive_portal(method, path, body):
    return 200, {"Content-Type": "text/html; charset=utf-8"}, PORTAL_PAGE


def _record_reports(store, report_payload, count=3):
    return [
        store.record_event("report.submitted", report_payload(ticket=f"L07-261203-{n + 1:04d}"))
        for n in range(count)
    ]


def _run_cli(capsys, store_path, *args):
    code = cli.main(["--store", str(store_path), *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_captive_portal_page_is_reported_and_nothing_is_marked_sent(
    canned_server, enrolled_store, report_payload, capsys, monkeypatch
):
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    portal = canned_server(captive_portal)
    store = enrolled_store(portal.url)
    _record_reports(store, report_payload)

    agent = Agent(store)
    with pytest.raises(CaptivePortal) as excinfo:
        agent.push_all()
    agent.close()
    assert "captive portal" in excinfo.value.message
    assert store.counts()["pending"] == 3
    assert any(method == "POST" for method, _, _ in portal.seen)
    store.close()

    code, output = _run_cli(capsys, store.path, "flush")
    assert code == 1
    assert "captive portal" in output
    assert "3 events are not on the server yet" in output

    code, output = _run_cli(capsys, store.path, "status")
    assert code == 1
    assert "Server not reachable" in output and "captive portal" in output

    code, output = _run_cli(capsys, store.path, "doctor", "--json")
    checks = {check["key"]: check for check in json.loads(output)["checks"]}
    assert checks["server"]["ok"] is False
    assert "captive portal" in checks["server"]["message"]
    with Store(store.path) as reopened:
        assert reopened.counts()["pending"] == 3


def test_captive_portal_in_chinese(canned_server, enrolled_store, capsys, monkeypatch):
    portal = canned_server(captive_portal)
    store = enrolled_store(portal.url)
    store.config_set("language", "zh")
    store.close()
    code, output = _run_cli(capsys, store.path, "status")
    assert code == 1
    assert "网络返回了网页而不是服务器数据" in output


def test_redirect_to_a_login_page_counts_as_a_captive_portal(canned_server):
    server = canned_server(lambda *_: (302, {"Location": "http://login.portal/"}, b""))
    client = Client(server.url)
    with pytest.raises(CaptivePortal, match="login.portal"):
        client.request("GET", "/health")


def test_untrusted_certificate_is_refused_until_its_ca_file_is_set(
    canned_server, enrolled_store, self_signed, report_payload, capsys, monkeypatch
):
    monkeypatch.setenv("LANG", "C")
    cert_path, context = self_signed
    healthy = (200, {"Content-Type": "application/json"}, b'{"status": "ok"}')
    server = canned_server(lambda *_: healthy, ssl_context=context)
    store = enrolled_store(server.url)
    _record_reports(store, report_payload, count=2)
    store.close()

    code, output = _run_cli(capsys, store.path, "status")
    assert code == 1
    assert "certificate could not be verified (self-signed certificate)" in output
    assert "ymt-agent config set ca_file" in output

    code, output = _run_cli(capsys, store.path, "flush", "--json")
    assert code == 1
    assert json.loads(output)["error"]["code"] == "tls"
    assert json.loads(output)["counts"]["pending"] == 2

    assert _run_cli(capsys, store.path, "config", "set", "ca_file", str(cert_path))[0] == 0
    code, output = _run_cli(capsys, store.path, "status")
    assert code == 0, output
    assert "Server reachable" in output


def test_missing_ca_file_is_named(tmp_path):
    with pytest.raises(TLSFailure, match="does not exist"):
        Client("https://127.0.0.1:1", ca_file=tmp_path / "nope.pem")


def test_busy_server_retry_after_is_honoured(canned_server):
    server = canned_server(
        lambda *_: (503, {"Retry-After": "7", "Content-Type": "text/plain"}, b"maintenance")
    )
    client = Client(server.url)
    with pytest.raises(ServerBusy) as excinfo:
        client.request("GET", "/health")
    assert excinfo.value.retry_after == 7
    assert Backoff(base=0.1, cap=60).failure(excinfo.value.retry_after) >= 7


def test_server_error_is_reported_with_its_message(canned_server):
    body = json.dumps({"error": {"code": "internal", "message": "database locked"}}).encode()
    server = canned_server(lambda *_: (500, {"Content-Type": "application/json"}, body))
    with pytest.raises(ServerFault, match="database locked"):
        Client(server.url).request("GET", "/health")


def test_backoff_grows_with_jitter_up_to_the_cap_and_resets_on_success():
    backoff = Backoff(base=1, cap=20)
    delays = [backoff.failure() for _ in range(10)]
    assert 0.5 <= delays[0] <= 1
    assert 4 <= delays[3] <= 8
    assert all(10 <= delay <= 20 for delay in delays[5:])
    backoff.success()
    assert backoff.failure() <= 1


def test_retry_after_accepts_seconds_and_http_dates():
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_batch_answer_without_results_stops_instead_of_resending_forever(
    canned_server, enrolled_store, report_payload
):
    from terminal_agent.client import ProtocolMismatch

    empty = (200, {"Content-Type": "application/json"}, b'{"results": []}')
    server = canned_server(lambda *_: empty)
    store = enrolled_store(server.url)
    _record_reports(store, report_payload, count=2)
    agent = Agent(store)
    with pytest.raises(ProtocolMismatch, match="without a result"):
        agent.push_all()
    agent.close()
    assert store.counts()["pending"] == 2
    assert sum(1 for method, _, _ in server.seen if method == "POST") == 1
