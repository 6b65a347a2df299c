"""The print queue: one worker thread per printer, and the last jobs kept for reprinting.

The kiosk calls `PrintQueue.submit(document)` from the UI thread and gets a PrintJob at once;
the worker renders and sends it, and the job says when the bytes have been sent or why not.
Printing never touches the store: a failed print leaves the redemption or report it belongs
to as it was, and staff reprint it from `recent()`.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from .config import PrinterConfig
from .document import Document, Text
from .labels import PROBLEM, SLIP
from .native import encode_native
from .raster import encode_raster
from .transport import PrintProblem, deliver

log = logging.getLogger(__name__)

KEEP_JOBS = 20


def render(document: Document, config: PrinterConfig) -> bytes:
    """The ESC/POS bytes for a document in the printer's mode and paper width."""
    if config.mode == "raster":
        return encode_raster(document, config)
    return encode_native(document, config)


@dataclass(frozen=True)
class PrintOutcome:
    """What happened to one attempt: printed, or the sentence that says what to do."""

    job_id: str
    ok: bool
    bytes_sent: int = 0
    problem: str | None = None  # paper_out, cover_open, offline, no_answer, ...
    message_zh: str = ""
    message_en: str = ""
    warning_zh: str = ""  # printed, but e.g. the paper roll is nearly used up
    warning_en: str = ""
    preview: str | None = None  # preview:// only: the PNG of what would have printed


class PrintJob:
    """A slip on its way to the printer; `wait()` returns its PrintOutcome."""

    def __init__(self, job_id: str, title: str):
        self.id = job_id
        self.title = title
        self._future: Future[PrintOutcome] = Future()

    def done(self) -> bool:
        return self._future.done()

    def wait(self, timeout: float | None = None) -> PrintOutcome:
        return self._future.result(timeout)

    def on_done(self, callback: Callable[[PrintOutcome], None]) -> None:
        """Call back with the outcome, on the worker thread (hand it to the UI with Clock)."""
        self._future.add_done_callback(lambda future: callback(future.result()))


@dataclass(frozen=True)
class JobRecord:
    id: str
    title: str
    created_at: float
    printed: bool
    last_problem: str | None


class JobHistory:
    """The last `keep` jobs as JSON files in a folder, so a restart can still reprint."""

    def __init__(self, folder: Path | str, keep: int = KEEP_JOBS):
        self.folder = Path(folder)
        self.keep = keep
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.warning("print jobs cannot be kept in %s, so cannot be reprinted: %s", folder, exc)
        self._lock = threading.Lock()
        self._counter = 0

    def new_id(self) -> str:
        with self._lock:
            self._counter = (self._counter + 1) % 10000
            now = time.time()
            stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
            return f"{stamp}-{int(now * 1000) % 1000:03d}-{self._counter:04d}"

    def add(self, job_id: str, document: Document) -> None:
        """Keep a job. A job that cannot be kept still prints; it just cannot be reprinted."""
        try:
            self._add(job_id, document)
        except (OSError, TypeError, ValueError) as exc:
            log.warning("print job %s cannot be kept for reprinting: %s", job_id, exc)

    def _add(self, job_id: str, document: Document) -> None:
        self._write(
            job_id,
            {
                "id": job_id,
                "title": document.title,
                "created_at": time.time(),
                "printed": False,
                "last_problem": None,
                "document": document.to_json(),
            },
        )
        self._prune()

    def mark(self, job_id: str, printed: bool, problem: str | None) -> None:
        data = self._read(job_id)
        if data is None:
            return
        data["printed"] = data["printed"] or printed
        data["last_problem"] = problem
        try:
            self._write(job_id, data)
        except OSError as exc:
            log.warning("print job %s outcome cannot be kept: %s", job_id, exc)

    def get(self, job_id: str) -> tuple[JobRecord, Document] | None:
        data = self._read(job_id)
        if data is None:
            return None
        try:
            return _record(data), Document.from_json(data["document"])
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("print job %s is damaged and cannot be reprinted: %r", job_id, exc)
            return None

    def recent(self) -> list[JobRecord]:
        records = []
        if not self.folder.is_dir():
            return records
        for path in sorted(self.folder.glob("*.json"), reverse=True):
            data = self._read(path.stem)
            try:
                records.append(_record(data))
            except (KeyError, TypeError):
                log.warning("print job file %s is damaged; skipped", path.name)
        return records

    def _path(self, job_id: str) -> Path:
        if not job_id or "/" in job_id or job_id.startswith("."):
            raise ValueError(f"not a print job id: {job_id!r}")
        return self.folder / f"{job_id}.json"

    def _read(self, job_id: str) -> dict | None:
        try:
            return json.loads(self._path(job_id).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("print job %s cannot be read back: %s", job_id, exc)
            return None

    def _write(self, job_id: str, data: dict) -> None:
        path = self._path(job_id)
        temporary = path.with_suffix(".tmp")
        with self._lock:
            temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            os.replace(temporary, path)

    def _prune(self) -> None:
        with self._lock:
            for path in sorted(self.folder.glob("*.json"))[: -self.keep]:
                path.unlink(missing_ok=True)


def _record(data: dict) -> JobRecord:
    return JobRecord(
        data["id"], data["title"], data["created_at"], data["printed"], data["last_problem"]
    )


class PrintQueue:
    """Prints documents one at a time on a worker thread."""

    def __init__(self, config: PrinterConfig, history_dir: Path | str, keep: int = KEEP_JOBS):
        self.config = config
        self.history = JobHistory(history_dir, keep)
        self._jobs: queue.Queue = queue.Queue()
        self._closed = False
        self._worker = threading.Thread(target=self._run, name="print-queue", daemon=True)
        self._worker.start()

    @classmethod
    def from_settings(cls, get: Callable[[str], object], history_dir: Path | str) -> PrintQueue:
        """A queue for the printer in the device configuration (e.g. Store.config_get)."""
        config = PrinterConfig.parse(
            get("printer_url"),
            mode=get("printer_mode"),
            encoding=get("printer_encoding"),
            width=get("printer_width"),
        )
        return cls(config, history_dir)

    def submit(self, document: Document) -> PrintJob:
        """Queue a slip; returns at once."""
        self._check_open()
        job = PrintJob(self.history.new_id(), document.title)
        self.history.add(job.id, document)
        self._jobs.put((job, document))
        return job

    def reprint(self, job_id: str) -> PrintJob:
        """Print a kept job again, marked as a reprint if it had printed before."""
        self._check_open()
        found = self.history.get(job_id)
        if found is None:
            raise KeyError(f"print job {job_id} is no longer kept")
        record, document = found
        if record.printed:
            marked = [Text(SLIP["reprint"], "center", True), *document.blocks]
            document = Document(document.title, marked)
        job = PrintJob(job_id, record.title)
        self._jobs.put((job, document))
        return job

    def recent(self) -> list[JobRecord]:
        """The kept jobs, newest first."""
        return self.history.recent()

    def close(self, timeout: float = 10.0) -> None:
        """Finish the queued jobs and stop the worker."""
        if not self._closed:
            self._closed = True
            self._jobs.put(None)
        self._worker.join(timeout)

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the print queue is closed")

    def _run(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                return
            job, document = item
            outcome = self._print(job, document)
            try:
                self.history.mark(job.id, outcome.ok, outcome.problem)
            finally:
                job._future.set_result(outcome)

    def _print(self, job: PrintJob, document: Document) -> PrintOutcome:
        try:
            data = render(document, self.config)
            warning = deliver(data, self.config, job.id)
        except PrintProblem as problem:
            log.info("print job %s failed: %s", job.id, problem.kind)
            return PrintOutcome(
                job.id, False, 0, problem.kind, problem.message_zh, problem.message_en
            )
        except Exception as exc:  # a slip that cannot be laid out must not stop the queue
            log.exception("print job %s could not be printed", job.id)
            problem = PrintProblem("failed", type(exc).__name__)
            return PrintOutcome(job.id, False, 0, "failed", problem.message_zh, problem.message_en)
        log.info("print job %s sent, %d bytes", job.id, len(data))
        zh, en = PROBLEM[warning] if warning else ("", "")
        preview = None
        if self.config.scheme == "preview":
            preview = str(Path(self.config.target) / f"{job.id}.png")
        return PrintOutcome(job.id, True, len(data), None, "", "", zh, en, preview)
