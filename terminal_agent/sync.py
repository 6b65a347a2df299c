"""The sync client: push the outbox, upload media, pull reference data, send heartbeats.

Every event keeps its UUID from the device to the server, so any request may
be repeated after a timeout, a dropped connection or a crash: the server
answers "duplicate" and the event is marked done once.
"""

from __future__ import annotations

import json
import logging
import platform
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from server_sync.protocol import (
    MAX_BATCH_BYTES,
    MAX_BATCH_EVENTS,
    PROTOCOL_VERSION,
    BatchResult,
    ComponentHealth,
    EnrollRequest,
    EnrollResponse,
    Heartbeat,
    HeartbeatResponse,
)
from terminal_agent import __version__
from terminal_agent.client import (
    DEFAULT_TIMEOUT,
    CaptivePortal,
    Client,
    NotAuthorised,
    ProtocolMismatch,
    Refused,
    SyncError,
    Timeout,
    TLSFailure,
    Unreachable,
)
from terminal_agent.schema import SCHEMA_VERSION
from terminal_agent.spool import MediaDamaged
from terminal_agent.store import Store, now_iso

log = logging.getLogger(__name__)

# Errors after which the server is not known to be reachable.
OFFLINE_ERRORS = (Unreachable, Timeout, TLSFailure, CaptivePortal)
# Media files uploaded at once; a few overlap the server's fsync of each file.
MEDIA_WORKERS = 3
# Room kept in each batch for the {"events": [...]} envelope.
ENVELOPE_BYTES = 64


class NotEnrolled(Exception):
    """The device has no identity yet."""


@dataclass
class PushReport:
    batches: int = 0
    sent: int = 0
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    held: int = 0
    left: int = 0
    errors: list[str] = field(default_factory=list)


def enroll(
    store: Store,
    server: str,
    code: str,
    *,
    name: str | None = None,
    ca_file: str | None = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
) -> dict:
    """Enrol this device with a one-time code and keep its identity and token in the store."""
    request = EnrollRequest(code=code.strip(), name=(name or platform.node() or "device")[:80])
    client = Client(server, ca_file=ca_file, timeout=timeout)
    try:
        response = client.request("POST", "/devices/enroll", json_body=request.model_dump())
    finally:
        client.close()
    answer = EnrollResponse.model_validate(response.json())
    store.set_identity(
        device_id=answer.device_id,
        short_code=answer.short_code,
        role=answer.role,
        location=answer.location,
        server=server.rstrip("/"),
        token=answer.token,
        name=request.name,
    )
    if ca_file:
        store.config_set("ca_file", str(ca_file))
    store.state_set("cursor", None)
    log.info("enrolled as %s (%s at %s)", answer.short_code, answer.role, answer.location)
    return store.identity()


class Agent:
    """One device's conversation with the server, driven by the daemon or the CLI."""

    def __init__(
        self,
        store: Store,
        *,
        client: Client | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_events: int = MAX_BATCH_EVENTS,
        max_bytes: int = MAX_BATCH_BYTES,
    ):
        self.store = store
        identity = store.identity()
        if identity is None:
            raise NotEnrolled(
                "this device is not enrolled yet; run: ymt-agent enroll --server URL --code CODE"
            )
        self.identity = identity
        self.client = client or Client(
            identity["server"],
            store.token(),
            ca_file=store.config_get("ca_file") or None,
            timeout=timeout,
        )
        self.max_events = max(1, min(max_events, MAX_BATCH_EVENTS))
        self.max_bytes = min(max_bytes, MAX_BATCH_BYTES)
        self.clock_skew_s: float | None = store.state_get("clock_skew_s")
        self._local = threading.local()
        self._clones: list[Client] = []

    def close(self) -> None:
        for client in self._clones:
            client.close()
        self.client.close()

    # ------------------------------------------------------------ status

    def note_success(self) -> None:
        self.store.state_set("online", True)
        self.store.state_set("last_error", None)
        self.store.state_set("last_contact_at", now_iso())

    def note_failure(self, error: SyncError) -> None:
        online = not isinstance(error, (*OFFLINE_ERRORS, NotAuthorised))
        self.store.state_set("online", online)
        self.store.state_set(
            "last_error", {"code": error.code, "message": error.message, "at": now_iso()}
        )

    # ------------------------------------------------------------ push

    def push_batch(self) -> PushReport | None:
        """Push one batch (its media first); None when the outbox has nothing to send."""
        # Limitation: one batch at a time, in outbox order (a reversal must not overtake the
        # redemption it reverses), so a backlog drains at the server's pace per batch.
        started = time.monotonic()
        batch = self.store.pending_batch(self.max_events, self.max_bytes - ENVELOPE_BYTES)
        if not batch:
            return None
        report = PushReport(batches=1)
        batch = self._upload_media(batch, report)
        body = b""
        if batch:
            body = json.dumps(
                {"events": batch}, ensure_ascii=False, separators=(",", ":")
            ).encode()
            try:
                response = self.client.request(
                    "POST",
                    "/sync/events",
                    body=body,
                    headers={"Content-Type": "application/json; charset=utf-8"},
                )
            except Refused as exc:
                if exc.status == 413 and self.max_events > 1:
                    self.max_events = max(1, len(batch) // 2)
                    log.warning("server refused a batch as too large; now %d", self.max_events)
                raise
            results = BatchResult.model_validate(response.json()).results
            sent_ids = {event["id"] for event in batch}
            answered = [r.model_dump(mode="json") for r in results if r.id in sent_ids]
            if not answered:
                # Without an answer for any event the loop would resend the batch forever.
                raise ProtocolMismatch(
                    f"the server answered a batch of {len(batch)} events without a result "
                    "for any of them; check that agent and server versions match"
                )
            counts = self.store.mark_results(answered)
            report.sent = len(batch)
            report.accepted = counts["accepted"]
            report.duplicate = counts["duplicate"]
            report.rejected = counts["rejected"]
            for result in results:
                if result.status == "rejected":
                    log.warning("event %s rejected: %s", result.id, result.reason)
        report.left = self.store.counts()["pending"]
        log.info(
            "pushed batch: %d events, %d accepted, %d duplicate, %d rejected, %d held, "
            "%d bytes, %.2f s, %d left",
            report.sent,
            report.accepted,
            report.duplicate,
            report.rejected,
            report.held,
            len(body) if batch else 0,
            time.monotonic() - started,
            report.left,
        )
        return report

    def push_all(
        self, progress: Callable[[PushReport], None] | None = None, max_batches: int | None = None
    ) -> PushReport:
        """Push batches until the outbox is empty; errors propagate as `SyncError`."""
        total = PushReport()
        while max_batches is None or total.batches < max_batches:
            try:
                report = self.push_batch()
            except SyncError as exc:
                exc.partial = total  # what went before the failure, for the CLI
                raise
            if report is None:
                break
            for name in ("batches", "sent", "accepted", "duplicate", "rejected", "held"):
                setattr(total, name, getattr(total, name) + getattr(report, name))
            total.left = report.left
            if progress:
                progress(total)
        total.left = self.store.counts()["pending"]
        return total

    def _upload_media(self, batch: list[dict], report: PushReport) -> list[dict]:
        """Make sure the server has each event's media; set aside events whose media is damaged.

        Files go up a few at a time; any other failure stops the batch (to be retried whole).
        """
        needed = sorted({sha for event in batch for sha in event["media"]})
        problems: dict[str, str] = {}
        failure: SyncError | None = None
        if needed:
            workers = min(MEDIA_WORKERS, len(needed))
            with ThreadPoolExecutor(workers, thread_name_prefix="media") as pool:
                futures = {pool.submit(self._ensure_media, sha): sha for sha in needed}
                for future in as_completed(futures):
                    sha = futures[future]
                    try:
                        future.result()
                    except MediaDamaged as exc:
                        problems[sha] = f"on this device: {exc}; restore the file or ask support"
                    except Refused as exc:
                        problems[sha] = f"the server refused this event's media: {exc.message}"
                    except SyncError as exc:
                        failure = failure or exc
        if failure is not None:
            raise failure
        ready = []
        for event in batch:
            reasons = [problems[sha] for sha in event["media"] if sha in problems]
            if reasons:
                self.store.hold([event["id"]], "; ".join(reasons))
                report.held += 1
                log.warning("event %s held: %s", event["id"], "; ".join(reasons))
                continue
            ready.append(event)
        return ready

    def _media_client(self) -> Client:
        client = getattr(self._local, "client", None)
        if client is None:
            client = self.client.clone()
            self._local.client = client
            self._clones.append(client)
        return client

    def _ensure_media(self, sha: str) -> None:
        row = self.store.media_row(sha)
        if row is not None and row.get("uploaded_at"):
            return
        kind = (row or {}).get("kind") or "photo"
        path = self.store.spool.verify(sha)
        client = self._media_client()
        head = client.request("HEAD", f"/media/{sha}", expect_json=False, ok_statuses=(404,))
        if head.status_code != 404 and "X-Media-Size" in head.headers:
            self.store.mark_uploaded(sha)
            return
        # Limitation: an upload cut off halfway starts again from the first byte (the server
        # has no resumable uploads); a long video on a poor link may need many tries.
        with open(path, "rb") as handle:
            client.request(
                "PUT",
                f"/media/{sha}",
                body=handle,
                params={"kind": kind},
                expect_json=False,
                headers={
                    "Content-Type": "application/octet-stream",
                    "X-Media-Kind": kind,
                    "Content-Length": str(path.stat().st_size),
                },
            )
        self.store.mark_uploaded(sha)
        log.info("uploaded %s %s (%d bytes)", kind, sha[:12], path.stat().st_size)

    # ------------------------------------------------------------ pull

    def pull(self, max_rounds: int = 100) -> int:
        """Fetch reference data changed since the cursor; return the number of rows."""
        total = 0
        for _ in range(max_rounds):
            self.store.begin_pull()
            params = {}
            cursor = self.store.state_get("cursor")
            if cursor:
                params["since"] = str(cursor)
            response = self.client.request("GET", "/sync/state", params=params)
            state = response.json()
            self.store.apply_state(state)
            rows = sum(len(rows) for rows in (state.get("changes") or {}).values())
            total += rows
            if rows:
                log.info("pulled %d reference rows, cursor %s", rows, state.get("cursor"))
            if not state.get("more"):
                break
        return total

    def sync(self, progress: Callable[[PushReport], None] | None = None) -> PushReport:
        """Push everything, then pull; on success note the time of the last full sync."""
        report = self.push_all(progress)
        self.pull()
        self.store.state_set("last_sync_at", now_iso())
        self.note_success()
        return report

    # ------------------------------------------------------------ heartbeat

    def heartbeat_body(self) -> Heartbeat:
        status = self.store.sync_status()
        oldest = status["oldest_unsent_at"]
        age = None
        if oldest:
            age = max(0.0, (datetime.now(UTC) - datetime.fromisoformat(oldest)).total_seconds())
        health = self.store.health()

        def component(name: str) -> ComponentHealth:
            found = health.get(name)
            if not found:
                return ComponentHealth(ok=None, status="not reported by the kiosk")
            return ComponentHealth(
                ok=found["ok"], status=found["status"][:200], detail=found["detail"]
            )

        last_sync = status["last_sync_at"]
        return Heartbeat(
            device_time=datetime.now(UTC),
            queue_depth=status["queue_depth"],
            rejected=status["rejected"],
            oldest_unsent_age_s=age,
            last_sync_at=datetime.fromisoformat(last_sync) if last_sync else None,
            disk_free_bytes=disk_free(self.store.path),
            versions={
                "agent": __version__,
                "protocol": str(PROTOCOL_VERSION),
                "store_schema": str(SCHEMA_VERSION),
                "python": platform.python_version(),
            },
            printer=component("printer"),
            camera=component("camera"),
            clock_skew_s=self.clock_skew_s,
        )

    def heartbeat(self) -> list[dict]:
        """Send one heartbeat, measure clock skew, keep any new commands; return them."""
        body = self.heartbeat_body()
        sent = time.time()
        response = self.client.request(
            "POST", "/devices/heartbeat", json_body=body.model_dump(mode="json")
        )
        received = time.time()
        raw = response.json()
        server_time = raw.get("server_time")
        if server_time:
            server_ts = datetime.fromisoformat(str(server_time).replace("Z", "+00:00"))
            if server_ts.tzinfo is None:
                server_ts = server_ts.replace(tzinfo=UTC)
            self.clock_skew_s = round(server_ts.timestamp() - (sent + received) / 2, 3)
            self.store.state_set("clock_skew_s", self.clock_skew_s)
        new = []
        for item in raw.get("commands") or []:
            command = _parse_command(item)
            if command is None:
                continue
            if self.store.receive_command(command["id"], command["name"], command["args"]):
                new.append(command)
                log.info("command %d received: %s", command["id"], command["name"])
        self.store.state_set("last_heartbeat_at", now_iso())
        self.note_success()
        return new


def _parse_command(item: dict) -> dict | None:
    """A command from the heartbeat; unknown names are kept so they can be reported as failed."""
    if not isinstance(item, dict) or not isinstance(item.get("id"), int):
        log.warning("ignored a command without an id: %r", item)
        return None
    try:
        parsed = HeartbeatResponse.model_validate(
            {"server_time": datetime.now(UTC), "commands": [item]}
        ).commands[0]
    except ValueError:
        args = item.get("args") if isinstance(item.get("args"), dict) else {}
        return {"id": item["id"], "name": str(item.get("name", "?"))[:40], "args": args}
    return {"id": parsed.id, "name": parsed.name, "args": parsed.args}


def disk_free(path: Path) -> int | None:
    try:
        return shutil.disk_usage(Path(path).parent).free
    except OSError:
        return None
