import hashlib
import json
import os
import sqlite3

import pytest

from server_sync.protocol import MAX_BATCH_BYTES, MAX_BATCH_EVENTS


def test_recorded_event_waits_in_the_outbox_with_its_payload(store, report_payload):
    event_id = store.record_event("report.submitted", report_payload(text="按钮坏了"))

    queued = store.queue()
    assert [row["id"] for row in queued] == [str(event_id)]
    assert queued[0]["status"] == "pending"
    event = store.event(event_id)
    assert event["payload"]["text"] == "按钮坏了"
    assert event["payload"]["contact"] == {"kind": "anonymous", "card": None, "phone": None}
    assert store.sync_status()["queue_depth"] == 1


def test_bad_payload_is_refused_with_a_readable_reason_and_nothing_is_kept(store, report_payload):
    with pytest.raises(ValueError) as excinfo:
        store.record_event("report.submitted", report_payload(ticket="not a ticket"))
    assert "ticket" in str(excinfo.value)
    assert "Traceback" not in str(excinfo.value)

    with pytest.raises(ValueError, match="unknown event type"):
        store.record_event("report.deleted", {})
    assert store.queue() == []


def test_photo_is_copied_into_the_spool_by_hash_so_the_kiosk_can_delete_its_file(
    store, report_payload, photo
):
    original = photo.read_bytes()
    sha = hashlib.sha256(original).hexdigest()

    event_id = store.record_event("report.submitted", report_payload(), media=[(photo, "photo")])
    photo.unlink()

    event = store.event(event_id)
    assert event["payload"]["media"] == [{"sha256": sha, "kind": "photo"}]
    assert event["media"] == [sha]
    assert (store.spool.folder / sha).read_bytes() == original
    assert store.media_row(sha)["kind"] == "photo"


def test_missing_media_file_or_media_on_an_event_without_media_is_refused(
    store, report_payload, tmp_path, photo
):
    with pytest.raises(ValueError, match="does not exist"):
        store.record_event(
            "report.submitted", report_payload(), media=[(tmp_path / "gone.jpg", "photo")]
        )
    with pytest.raises(ValueError, match="cannot carry media"):
        store.record_event("help.requested", {"location": "square"}, media=[(photo, "photo")])
    with pytest.raises(ValueError, match="media kind"):
        store.record_event("report.submitted", report_payload(), media=[(photo, "selfie")])
    assert store.queue() == []


def test_store_file_is_in_wal_mode_with_full_synchronous_writes(store):
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    other = sqlite3.connect(store.path)
    try:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        other.close()


def test_batches_respect_the_protocol_count_and_byte_limits(store, report_payload):
    long_text = "电梯按钮失灵，请尽快维修。" * 150  # about 5.8 KB of UTF-8 per event
    for n in range(600):
        store.record_event(
            "report.submitted", report_payload(ticket=f"DEMO-261203-{n + 1:04d}", text=long_text)
        )

    by_count = store.pending_batch(MAX_BATCH_EVENTS, 10**9)
    assert len(by_count) == MAX_BATCH_EVENTS

    by_bytes = store.pending_batch(MAX_BATCH_EVENTS, MAX_BATCH_BYTES)
    body = json.dumps({"events": by_bytes}, ensure_ascii=False, separators=(",", ":")).encode()
    assert len(body) <= MAX_BATCH_BYTES
    assert 300 < len(by_bytes) < MAX_BATCH_EVENTS

    tiny = store.pending_batch(MAX_BATCH_EVENTS, 10)
    assert len(tiny) == 1  # one event always goes, however small the limit


def test_rejected_event_is_kept_with_its_reason_and_never_blocks_later_ones(store, report_payload):
    first = store.record_event("report.submitted", report_payload(ticket="DEMO-261203-0001"))
    second = store.record_event("report.submitted", report_payload(ticket="DEMO-261203-0002"))

    counts = store.mark_results(
        [{"id": str(first), "status": "rejected", "reason": "unknown category lift_fault"}]
    )
    assert counts["rejected"] == 1

    assert [event["id"] for event in store.pending_batch(10, 10**6)] == [str(second)]
    queued = {row["id"]: row for row in store.queue()}
    assert queued[str(first)]["status"] == "rejected"
    assert queued[str(first)]["reason"] == "unknown category lift_fault"
    assert store.sync_status()["rejected"] == 1

    store.retry(str(first)[:13])  # a technician may type a unique prefix
    assert {event["id"] for event in store.pending_batch(10, 10**6)} == {str(first), str(second)}


def test_accepted_and_duplicate_events_leave_the_queue(store):
    first = store.record_event("help.requested", {"location": "square"})
    second = store.record_event("help.requested", {"location": "square"})
    store.mark_results(
        [
            {"id": str(first), "status": "accepted", "result": {"alert": 7}},
            {"id": str(second), "status": "duplicate"},
        ]
    )
    assert store.queue() == []
    assert store.event(first)["result"] == {"alert": 7}
    assert store.sync_status()["queue_depth"] == 0


def test_held_event_with_damaged_media_stays_counted_and_can_be_retried(store):
    event_id = store.record_event("help.requested", {"location": "square"})
    store.hold([str(event_id)], "media file abc in the spool is damaged")
    status = store.sync_status()
    assert status["queue_depth"] == 1 and status["held"] == 1
    assert store.pending_batch(10, 10**6) == []
    assert store.retry(str(event_id))["status"] == "pending"


def test_local_events_are_pending_ones_and_those_accepted_after_the_last_pull_started(store):
    card = "YMT1:0000000001:" + "A" * 86
    redeemed = {
        "card": card,
        "receipt": "M01-0001",
        "items": [{"item": "rice-5kg", "quantity": 1, "points": 30}],
        "total": 30,
    }
    before = store.record_event("points.redeemed", redeemed)
    store.mark_results([{"id": str(before), "status": "accepted"}])
    store.begin_pull()
    store.apply_state({"cursor": "c1", "changes": {}})  # the pull saw `before` applied

    during = store.record_event("points.redeemed", redeemed)
    store.begin_pull()  # this pull starts before `during` is accepted
    store.mark_results([{"id": str(during), "status": "accepted"}])
    store.apply_state({"cursor": "c2", "changes": {}})
    pending = store.record_event("points.redeemed", redeemed)
    refused = store.record_event("points.redeemed", redeemed)
    store.mark_results([{"id": str(refused), "status": "rejected", "reason": "no such card"}])
    store.record_event("help.requested", {"location": "supermarket"})

    local = store.local_events(["points.redeemed"])
    assert [(row["id"], row["status"]) for row in local] == [
        (str(during), "accepted"),
        (str(pending), "pending"),
    ]
    assert local[0]["payload"]["total"] == 30

    store.begin_pull()
    store.apply_state({"cursor": "c3", "changes": {}})
    assert [row["id"] for row in store.local_events(["points.redeemed"])] == [str(pending)]


def test_command_completion_is_recorded_once_as_an_event(store):
    assert store.receive_command(41, "print_test_page", {}) is True
    assert store.receive_command(41, "print_test_page", {}) is False
    assert [c["command_id"] for c in store.pending_commands("kiosk")] == [41]

    event_id = store.complete_command(41, True, "printed")
    assert store.complete_command(41, True, "printed") is None
    assert store.pending_commands("kiosk") == []
    event = store.event(event_id)
    assert event["type"] == "command.completed"
    assert event["payload"] == {"version": 1, "command_id": 41, "ok": True, "output": "printed"}


def test_housekeeping_frees_sent_photos_and_year_old_events_but_keeps_what_waits(
    store, report_payload, photo, tmp_path
):
    other = tmp_path / "other.jpg"
    other.write_bytes(b"\xff\xd8\xff\xe0 a different photo")
    sent = store.record_event("report.submitted", report_payload(), media=[(photo, "photo")])
    waiting = store.record_event(
        "report.submitted", report_payload(ticket="DEMO-261203-0002"), media=[(other, "photo")]
    )
    sent_sha, waiting_sha = store.event(sent)["media"][0], store.event(waiting)["media"][0]
    store.mark_uploaded(sent_sha)
    store.mark_uploaded(waiting_sha)  # uploaded, but its event has not gone yet
    store.mark_results([{"id": str(sent), "status": "accepted"}])
    store.begin_pull()
    store.apply_state({"cursor": "1", "changes": {}})
    (store.spool.folder / ".incoming-crashed").write_bytes(b"half a copy")
    os.utime(store.spool.folder / ".incoming-crashed", (0, 0))

    freed = store.housekeeping()
    assert freed == {"media": 1, "events": 0, "partial_copies": 1}
    assert not (store.spool.folder / sent_sha).exists()
    assert (store.spool.folder / waiting_sha).exists()
    assert store.event(sent) is not None  # sent today: kept for a year

    store.db.execute(
        "UPDATE outbox SET done_at = '2020-01-01T00:00:00+00:00' WHERE id = ?", [str(sent)]
    )
    assert store.housekeeping()["events"] == 1
    assert store.event(sent) is None
    assert store.event(waiting)["status"] == "pending"


def test_photo_removed_by_housekeeping_while_being_recorded_is_copied_again(
    store, report_payload, photo
):
    real_add = store.spool.add
    calls = []

    def add_then_lose_it(source):
        sha, size = real_add(source)
        calls.append(sha)
        if len(calls) == 1:
            (store.spool.folder / sha).unlink()  # as housekeeping in the agent process would
        return sha, size

    store.spool.add = add_then_lose_it
    event_id = store.record_event("report.submitted", report_payload(), media=[(photo, "photo")])
    sha = store.event(event_id)["media"][0]
    assert len(calls) == 2
    assert (store.spool.folder / sha).read_bytes() == photo.read_bytes()
