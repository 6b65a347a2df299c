import subprocess
import sys
import textwrap
from datetime import date

from terminal_agent.store import Store


def test_tickets_count_up_per_day_and_start_again_the_next_day(store):
    day = date(2026, 12, 3)
    assert store.next_ticket(day) == "DEMO-261203-0001"
    assert store.next_ticket(day) == "DEMO-261203-0002"
    assert store.next_ticket(date(2026, 12, 4)) == "DEMO-261204-0001"


def test_ticket_uses_the_short_code_from_config_then_from_enrolment(store):
    day = date(2026, 12, 3)
    store.config_set("short_code", "L07")
    assert store.next_ticket(day) == "L07-261203-0001"
    store.set_identity(
        device_id=3,
        short_code="S02",
        role="square",
        location="square",
        server="https://example.invalid",
        token="t",
    )
    assert store.next_ticket(day) == "S02-261203-0001"


def test_ticket_number_is_never_reused_after_the_process_is_killed(tmp_path):
    path = tmp_path / "store.db"
    child = textwrap.dedent(
        f"""
        import os, signal, sys
        from datetime import date
        from terminal_agent.store import Store
        store = Store({str(path)!r})
        print(store.next_ticket(date(2026, 12, 3)), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    taken = []
    for _ in range(3):
        done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True)
        assert done.returncode == -9
        taken.append(done.stdout.strip())

    with Store(path) as store:
        after = store.next_ticket(date(2026, 12, 3))
    assert taken == ["DEMO-261203-0001", "DEMO-261203-0002", "DEMO-261203-0003"]
    assert after == "DEMO-261203-0004"


def test_two_processes_recording_at_once_lose_nothing(tmp_path):
    path = tmp_path / "store.db"
    Store(path).close()
    child = textwrap.dedent(
        f"""
        from terminal_agent.store import Store
        store = Store({str(path)!r})
        for _ in range(40):
            store.record_event("help.requested", {{"location": "square"}})
            store.next_ticket()
        """
    )
    procs = [subprocess.Popen([sys.executable, "-c", child]) for _ in range(3)]
    assert [proc.wait(timeout=120) for proc in procs] == [0, 0, 0]
    with Store(path) as store:
        assert store.sync_status()["queue_depth"] == 120
        assert store.next_ticket().endswith("-0121")
