"""Nothing lost, nothing doubled: a real agent and a real server through a faulty network."""

import json
from collections import Counter

import pytest
from agent_harness import FAULTS, fault_run


@pytest.mark.slow
def test_every_event_reaches_the_server_exactly_once_through_faults_and_crashes(tmp_path):
    outcome = fault_run(
        tmp_path, events=500, photo_every=10, fault_target=200, agent_kills=3, batch_size=10
    )

    print(
        {
            k: v
            for k, v in outcome.items()
            if k
            not in ("device_events", "server_event_ids", "server_tickets", "server_media_files")
        }
    )
    device = outcome["device_events"]
    assert len(device) == 500
    assert {row["status"] for row in device} <= {"accepted", "duplicate"}
    on_server = Counter(outcome["server_event_ids"])
    assert set(on_server) == {row["id"] for row in device}
    assert max(on_server.values()) == 1
    tickets = [json.loads(row["payload"])["ticket"] for row in device]
    assert sorted(outcome["server_tickets"]) == sorted(tickets)
    photos = {sha for row in device for sha in json.loads(row["media"])}
    assert len(photos) == 50
    assert photos <= outcome["server_media_files"]

    assert outcome["total_faults"] >= 200
    assert set(outcome["faults"]) == set(FAULTS)
    assert outcome["agent_kills"] == 3
    assert outcome["server_restarts"] == 2
