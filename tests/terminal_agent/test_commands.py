"""Technician commands that wait for the kiosk, and ones the agent does not know."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from terminal_agent import commands


def test_test_page_the_kiosk_never_prints_fails_after_ten_minutes_with_a_reason(store):
    store.receive_command(5, "print_test_page", {})
    agent = SimpleNamespace(store=store)

    assert commands.run_pending(agent, now=datetime.now(UTC) + timedelta(minutes=5)) == 0
    assert [c["command_id"] for c in store.pending_commands("kiosk")] == [5]

    assert commands.run_pending(agent, now=datetime.now(UTC) + timedelta(minutes=11)) == 1
    assert store.pending_commands("kiosk") == []
    outcome = [row for row in store.queue() if row["type"] == "command.completed"]
    payload = store.event(outcome[0]["id"])["payload"]
    assert payload["command_id"] == 5 and payload["ok"] is False
    assert "check that the kiosk app is running" in payload["output"]


def test_set_config_without_a_name_and_an_unknown_command_fail_with_a_reason(store):
    store.receive_command(6, "set_config", {})
    store.receive_command(7, "reboot_everything", {})
    agent = SimpleNamespace(store=store)

    assert commands.run_pending(agent) == 2
    outputs = {
        event["payload"]["command_id"]: event["payload"]
        for event in (store.event(row["id"]) for row in store.queue())
    }
    assert outputs[6]["ok"] is False and "needs a setting name" in outputs[6]["output"]
    assert outputs[7]["ok"] is False and "does not know the command" in outputs[7]["output"]


def test_set_config_accepts_several_settings_at_once(store):
    store.receive_command(8, "set_config", {"language": "en", "volume": 40})
    commands.run_pending(SimpleNamespace(store=store))
    assert store.config_get("language") == "en"
    assert store.config_get("volume") == 40
