"""The agent against the real server on 127.0.0.1: push, media, pull, heartbeat, commands."""

import json

from agent_harness import add_command, server_facts

from terminal_agent import cli
from terminal_agent.store import Store
from terminal_agent.sync import Agent


def _cli(capsys, store, *args):
    code = cli.main(["--store", str(store.path), *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _report(store, category="lift_fault", photo=None, text=""):
    payload = {
        "ticket": store.next_ticket(),
        "category": category,
        "location": "b07-lift-1",
        "text": text,
    }
    media = [(photo, "photo")] if photo else ()
    return str(store.record_event("report.submitted", payload, media=media))


def test_flush_delivers_reports_and_photos_to_the_server_once(
    enrolled, live_server, photo, capsys
):
    ids = [_report(enrolled, text=f"第{n}次") for n in range(4)]
    ids.append(_report(enrolled, photo=photo))
    sha = enrolled.event(ids[-1])["media"][0]

    code, output = _cli(capsys, enrolled, "flush")
    assert code == 0, output
    assert "Everything sent: 5 events" in output

    facts = server_facts(live_server)
    assert sorted(i for i in facts["event_ids"] if i in ids) == sorted(ids)
    assert sha in facts["media"]
    assert enrolled.queue() == []
    assert enrolled.sync_status()["last_sync_at"] is not None


def test_event_sent_again_after_a_lost_answer_comes_back_duplicate(enrolled, live_server):
    event_id = _report(enrolled)
    agent = Agent(enrolled)
    agent.push_all()
    # As if the answer had been lost: the device still thinks it is unsent.
    enrolled.db.execute("UPDATE outbox SET status = 'pending' WHERE id = ?", [event_id])
    report = agent.push_all()
    agent.close()

    assert report.duplicate == 1
    assert enrolled.event(event_id)["status"] == "duplicate"
    assert server_facts(live_server)["event_ids"].count(event_id) == 1


def test_rejected_report_keeps_the_server_reason_and_does_not_hold_up_later_ones(
    enrolled, live_server, capsys
):
    refused = _report(enrolled, category="no_such_category")
    later = _report(enrolled)

    code, output = _cli(capsys, enrolled, "flush")
    assert code == 1
    assert "1 rejected" in output

    assert later in server_facts(live_server)["event_ids"]
    code, output = _cli(capsys, enrolled, "queue")
    assert refused in output
    assert "category 'no_such_category' does not exist on the server" in output

    code, output = _cli(capsys, enrolled, "retry", refused)
    assert code == 0 and "queued again" in output
    assert enrolled.event(refused)["status"] == "pending"


def test_pull_brings_the_server_reference_data_into_the_store(enrolled):
    agent = Agent(enrolled)
    agent.sync()
    agent.close()
    categories = {row["key"]: row for row in enrolled.reference("categories")}
    assert categories["lift_fault"]["name_zh"] == "电梯故障"
    assert enrolled.reference_row("locations", "square")["name_en"] == "Square"
    cursor = enrolled.state_get("cursor")
    assert cursor

    agent = Agent(enrolled)
    assert agent.pull() == 0  # nothing changed since the cursor
    agent.close()


def test_heartbeat_carries_health_and_commands_return_as_completed_events(
    enrolled, live_server, capsys
):
    device_id = enrolled.identity()["device_id"]
    enrolled.set_health("printer", False, "paper out", {"url": "tcp://127.0.0.1:9"})
    enrolled.set_health("camera", True, "ready")
    set_config = add_command(live_server, device_id, "set_config", {"key": "volume", "value": 70})
    logs = add_command(live_server, device_id, "upload_logs", {})
    sync_now = add_command(live_server, device_id, "sync_now", {})
    test_page = add_command(live_server, device_id, "print_test_page", {})

    assert _cli(capsys, enrolled, "run", "--once")[0] == 0
    assert enrolled.config_get("volume") == 70
    assert [c["command_id"] for c in enrolled.pending_commands("kiosk")] == [test_page]

    enrolled.complete_command(test_page, True, "test page printed")  # what the kiosk does
    code, output = _cli(capsys, enrolled, "flush")
    assert code == 0, output

    facts = server_facts(live_server)
    commands = facts["commands"]
    assert commands[set_config][:2] == ("done", True)
    assert commands[sync_now][:2] == ("done", True)
    assert commands[logs][0] == "done"
    assert commands[test_page] == ("done", True, "test page printed")
    health = facts["health"][enrolled.identity()["short_code"]]
    assert health["printer"]["status"] == "paper out" and health["printer"]["ok"] is False
    assert health["camera"]["ok"] is True
    assert health["versions"]["agent"]


def test_damaged_photo_in_the_spool_is_held_reported_and_recoverable(
    enrolled, live_server, photo, capsys
):
    original = photo.read_bytes()
    with_photo = _report(enrolled, photo=photo)
    sha = enrolled.event(with_photo)["media"][0]
    others = [_report(enrolled) for _ in range(2)]
    (enrolled.spool.folder / sha).write_bytes(original[:50] + b"bit rot")

    code, output = _cli(capsys, enrolled, "flush")
    assert code == 1
    assert "1 held" in output
    on_server = server_facts(live_server)["event_ids"]
    assert all(event_id in on_server for event_id in others)
    assert with_photo not in on_server

    code, output = _cli(capsys, enrolled, "queue")
    assert f"media file {sha[:12]} in the spool is damaged" in output
    code, output = _cli(capsys, enrolled, "doctor", "--json")
    checks = {check["key"]: check for check in json.loads(output)["checks"]}
    assert checks["media"]["ok"] is False and with_photo in checks["media"]["message"]
    assert checks["queue"]["ok"] is False

    (enrolled.spool.folder / sha).write_bytes(original)
    assert _cli(capsys, enrolled, "retry", with_photo)[0] == 0
    code, output = _cli(capsys, enrolled, "flush")
    assert code == 0, output
    assert with_photo in server_facts(live_server)["event_ids"]


def test_refused_token_is_explained_and_the_queue_is_kept(enrolled, capsys):
    _report(enrolled)
    enrolled.db.execute("UPDATE identity SET token = 'not-the-token'")

    code, output = _cli(capsys, enrolled, "flush")
    assert code == 1
    assert "does not accept this device's token" in output
    code, output = _cli(capsys, enrolled, "doctor", "--json")
    checks = {check["key"]: check for check in json.loads(output)["checks"]}
    assert checks["server"]["ok"] is True
    assert (
        checks["token"]["ok"] is False and "enrol the device again" in checks["token"]["message"]
    )
    with Store(enrolled.path) as reopened:
        assert reopened.counts()["pending"] == 1


def test_long_backlog_goes_in_slices_with_heartbeats_between(enrolled, live_server):
    from terminal_agent.daemon import Daemon, Timing

    ids = [_report(enrolled) for _ in range(30)]
    timing = Timing(batch_size=5, batches_per_cycle=2, heartbeat_s=0, pull_s=3600, poll_s=7)
    daemon = Daemon(enrolled, timing)
    agent = Agent(enrolled, max_events=timing.batch_size)

    assert daemon.cycle(agent) == 0.0  # more to send: no pause
    assert enrolled.counts()["pending"] == 20
    short_code = enrolled.identity()["short_code"]
    assert server_facts(live_server)["health"][short_code]["queue_depth"] == 20

    cycles = 1
    while True:
        cycles += 1
        if daemon.cycle(agent) != 0.0:
            break
    agent.close()
    assert cycles == 3  # 10 events a cycle
    assert enrolled.counts()["pending"] == 0
    assert set(ids) <= set(server_facts(live_server)["event_ids"])


def test_enrolling_an_enrolled_device_again_needs_force(enrolled, live_server, capsys):
    from agent_harness import device_code

    first = enrolled.identity()
    code = device_code(live_server)
    result, output = _cli(capsys, enrolled, "enroll", "--server", live_server.url, "--code", code)
    assert result == 1
    assert f"already enrolled as {first['short_code']}" in output
    assert enrolled.identity() == first

    result, output = _cli(
        capsys, enrolled, "enroll", "--server", live_server.url, "--code", code, "--force"
    )
    assert result == 0, output
    assert enrolled.identity()["device_id"] != first["device_id"]

    result, output = _cli(
        capsys, enrolled, "enroll", "--server", live_server.url, "--code", code, "--force"
    )
    assert result == 1  # a code works once
    assert "the server refused the request (HTTP 403)" in output
    assert "Traceback" not in output
