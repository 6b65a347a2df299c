"""`ymt-agent doctor` on the kiosk's camera and printer: what the kiosk reported, then a probe."""

import json
import socket

from terminal_agent import cli


def _doctor(capsys, store):
    store.close()
    code = cli.main(["--store", str(store.path), "doctor", "--json"])
    checks = {check["key"]: check for check in json.loads(capsys.readouterr().out)["checks"]}
    return code, checks


def test_network_printer_that_answers_on_its_port_is_ok(store, capsys, monkeypatch):
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    with socket.create_server(("127.0.0.1", 0)) as printer:
        url = f"tcp://127.0.0.1:{printer.getsockname()[1]}"
        store.set_health("printer", True, "ready", {"url": url})
        code, checks = _doctor(capsys, store)
    assert checks["printer"]["ok"] is True
    assert "kiosk reported" in checks["printer"]["message"]
    assert f"direct connection to {url} works" in checks["printer"]["message"]
    assert code == 1  # not enrolled, so the server checks fail


def test_printer_the_kiosk_thought_ready_but_that_does_not_answer_is_flagged(
    store, capsys, monkeypatch
):
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]
    store.set_health("printer", True, "ready", {"url": f"tcp://127.0.0.1:{port}"})
    _, checks = _doctor(capsys, store)
    assert checks["printer"]["ok"] is False
    assert "direct connection" in checks["printer"]["message"]
    assert "Check its cable and power" in checks["printer"]["message"]


def test_camera_reported_broken_by_the_kiosk_is_flagged_in_chinese(store, capsys, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    store.set_health("camera", False, "camera_open_failed", {"source": "/dev/video97"})
    _, checks = _doctor(capsys, store)
    camera = checks["camera"]
    assert camera["ok"] is False
    assert "camera_open_failed" in camera["message"]
    assert "无法打开 /dev/video97" in camera["message"]
    assert "请检查连接线和电源" in camera["message"]


def test_devices_the_kiosk_never_reported_say_so(store, capsys, monkeypatch):
    monkeypatch.setenv("LANG", "C")
    _, checks = _doctor(capsys, store)
    assert "never reported" in checks["camera"]["message"]
    assert "never reported" in checks["printer"]["message"]
    assert checks["enrolled"]["ok"] is False
    assert "ymt-agent enroll" in checks["enrolled"]["message"]
    assert checks["store"]["ok"] is True
