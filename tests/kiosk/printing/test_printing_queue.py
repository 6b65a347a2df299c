"""The print queue: calls return at once, outcomes arrive on the worker thread, and printing
is only printing."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from kiosk.printing import Document, samples, ticket_slip
from kiosk.printing.document import Columns, Text


def test_submit_returns_before_the_printer_has_answered(make_queue, network_printer):
    network_printer.behaviour = "silent"  # the worker waits a whole status timeout
    queue = make_queue(network_printer.url + "?timeout=1")
    called = threading.Event()
    seen = []

    job = queue.submit(ticket_slip(samples.ticket()))
    assert not job.done()
    job.on_done(
        lambda outcome: (seen.append((outcome, threading.current_thread().name)), called.set())
    )

    assert called.wait(30)
    outcome, thread = seen[0]
    assert thread == "print-queue" and thread != threading.current_thread().name
    assert outcome.job_id == job.id and outcome.problem == "no_answer"


def test_jobs_print_in_the_order_submitted(make_queue, network_printer):
    queue = make_queue(network_printer.url)
    jobs = [queue.submit(Document(f"slip {n}", [Text(f"第{n}张")])) for n in range(3)]

    assert all(job.wait(30).ok for job in jobs)
    assert network_printer.last_job
    printed = [job for job in network_printer.jobs if b"\xb5\xda" in job]  # 第
    assert [job.count("第0张".encode("gb18030")) for job in printed] == [1, 0, 0]
    assert "第2张".encode("gb18030") in printed[-1]


def test_a_slip_that_cannot_be_laid_out_fails_with_a_sentence_and_the_queue_goes_on(
    make_queue, network_printer
):
    queue = make_queue(network_printer.url)
    broken = Document("broken", [Columns(("a", "b"), (None,), ("left",))])

    outcome = queue.submit(broken).wait(30)
    assert not outcome.ok and outcome.problem == "failed"
    assert outcome.message_zh.startswith("打印失败")
    assert queue.submit(ticket_slip(samples.ticket())).wait(30).ok


def test_submitting_to_a_closed_queue_is_refused(make_queue, network_printer):
    queue = make_queue(network_printer.url)
    queue.close()
    with pytest.raises(RuntimeError, match="closed"):
        queue.submit(ticket_slip(samples.ticket()))


def test_printing_never_loads_the_device_store():
    """A failed print cannot undo a redemption: the printing package cannot reach the store."""
    code = (
        "import sys, kiosk.printing, kiosk.printing.__main__; "
        "print(sorted(m for m in sys.modules if m.startswith(('terminal_agent', 'sqlite3'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"


def test_a_job_that_cannot_be_kept_still_prints(make_queue, network_printer, tmp_path):
    (tmp_path / "not-a-folder").write_text("a file where the job folder should be")
    queue = make_queue(network_printer.url, history="not-a-folder")

    job = queue.submit(ticket_slip(samples.ticket()))
    assert job.wait(30).ok
    assert queue.recent() == []
    with pytest.raises(KeyError):
        queue.reprint(job.id)


def test_a_damaged_kept_job_is_skipped_not_fatal(make_queue, network_printer, tmp_path):
    queue = make_queue(network_printer.url, history="kept")
    good = queue.submit(ticket_slip(samples.ticket()))
    assert good.wait(30).ok
    (tmp_path / "kept" / "29991231-235959-999-9999.json").write_text('{"id": "x"', "utf-8")
    (tmp_path / "kept" / "29991231-235959-999-9998.json").write_text('{"id": "y"}', "utf-8")

    assert [record.id for record in queue.recent()] == [good.id]
    with pytest.raises(KeyError):
        queue.reprint("29991231-235959-999-9998")
    assert queue.reprint(good.id).wait(30).ok
