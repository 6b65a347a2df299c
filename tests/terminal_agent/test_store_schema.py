import json
import sqlite3

import pytest
from sqlite_utils import Database

from terminal_agent.schema import SCHEMA_VERSION, StoreVersionError, migrate, schema_version
from terminal_agent.store import Store


def test_store_written_by_the_first_version_opens_and_keeps_its_events(tmp_path):
    path = tmp_path / "old.db"
    db = Database(path)
    migrate(db, upto=1)
    db.execute(
        "INSERT INTO outbox (id, type, occurred_at, payload, media, size, status)"
        " VALUES ('0190f000-0000-7000-8000-000000000001', 'help.requested',"
        " '2026-12-01T08:00:00+00:00', '{\"version\":1,\"location\":\"square\"}', '[]', 90,"
        " 'pending')"
    )
    db.execute("INSERT INTO ticket_sequence (device, day, last) VALUES ('DEMO', '2026-12-03', 5)")
    db.close()

    with Store(path) as store:
        assert schema_version(store.db) == SCHEMA_VERSION
        assert [row["type"] for row in store.queue()] == ["help.requested"]
        assert store.next_ticket(__import__("datetime").date(2026, 12, 3)) == "DEMO-261203-0006"
        store.set_health("printer", True, "ready")  # a table the first version did not have
        assert store.health()["printer"]["ok"] is True


def test_store_from_a_future_version_is_refused_clearly_and_left_untouched(tmp_path):
    path = tmp_path / "future.db"
    with Store(path) as store:
        store.record_event("help.requested", {"location": "square"})
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    before = path.read_bytes()

    with pytest.raises(StoreVersionError) as excinfo:
        Store(path)
    message = str(excinfo.value)
    assert f"schema version {SCHEMA_VERSION + 5}" in message
    assert "install the newer ymt-agent" in message
    assert path.read_bytes() == before


def test_status_and_doctor_explain_a_future_store_and_leave_it_alone(tmp_path, capsys):
    from terminal_agent import cli

    path = tmp_path / "future.db"
    with Store(path) as store:
        store.record_event("help.requested", {"location": "square"})
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()

    for command in ("status", "doctor", "flush"):
        assert cli.main(["--store", str(path), command]) == 2
        output = capsys.readouterr()
        assert "Cannot open the device store" in output.err or "无法打开设备数据库" in output.err
        assert "install the newer ymt-agent" in output.err
        assert "Traceback" not in output.err + output.out
    assert path.read_bytes() == before


def test_status_of_a_device_not_yet_enrolled_says_so(tmp_path, capsys):
    from terminal_agent import cli

    path = tmp_path / "new.db"
    assert cli.main(["--store", str(path), "status", "--json"]) == 2
    document = json.loads(capsys.readouterr().out)
    assert document["enrolled"] is False and document["error"] == "not_enrolled"
    assert cli.main(["--store", str(path), "run", "--once"]) == 2
    assert "ymt-agent enroll --server URL --code CODE" in capsys.readouterr().out
