"""The outbox as the agent sees it: batches to push, the server's answers, the queue.

Mixed into `terminal_agent.store.Store`, which provides `_query`, `transaction`,
`event` and `state_get`/`state_set`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

PENDING, HELD = "pending", "held"
ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"
DONE = (ACCEPTED, DUPLICATE)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class OutboxMixin:
    def pending_batch(self, max_events: int, max_bytes: int) -> list[dict]:
        """The oldest pending events, at most `max_events` and about `max_bytes` of JSON."""
        rows = self._query(
            "SELECT id, type, occurred_at, payload, media, size FROM outbox"
            " WHERE status = 'pending' ORDER BY seq LIMIT ?",
            (max_events,),
        )
        batch, total = [], 0
        for row in rows:
            if batch and total + row["size"] + 1 > max_bytes:
                break
            total += row["size"] + 1
            batch.append(
                {
                    "id": row["id"],
                    "type": row["type"],
                    "occurred_at": row["occurred_at"],
                    "payload": json.loads(row["payload"]),
                    "media": json.loads(row["media"]),
                }
            )
        return batch

    def mark_results(self, results: Iterable[dict]) -> dict[str, int]:
        """Record the server's answer for each event in one transaction; return counts."""
        counts = {ACCEPTED: 0, DUPLICATE: 0, REJECTED: 0}
        with self.transaction() as db:
            gen = int(self.state_get("ack_counter", 0)) + 1
            for item in results:
                status = str(item.get("status"))
                if status in DONE:
                    result = item.get("result")
                    db.conn.execute(
                        "UPDATE outbox SET status = ?, result = ?, reason = NULL, done_at = ?,"
                        " acked_gen = ?, attempts = attempts + 1"
                        " WHERE id = ? AND status IN ('pending', 'held')",
                        (status, _dumps(result) if result else None, now_iso(), gen, item["id"]),
                    )
                elif status == REJECTED:
                    db.conn.execute(
                        "UPDATE outbox SET status = 'rejected', reason = ?, done_at = ?,"
                        " attempts = attempts + 1 WHERE id = ? AND status = 'pending'",
                        (
                            str(item.get("reason") or "rejected without a reason"),
                            now_iso(),
                            item["id"],
                        ),
                    )
                else:
                    continue
                counts[status] += 1
            self.state_set("ack_counter", gen)
        return counts

    def hold(self, event_ids: Iterable[str], reason: str) -> None:
        """Set events aside that cannot be sent as they are (e.g. damaged media)."""
        with self.transaction() as db:
            for event_id in event_ids:
                db.conn.execute(
                    "UPDATE outbox SET status = 'held', reason = ? WHERE id = ?"
                    " AND status = 'pending'",
                    (reason, str(event_id)),
                )

    def retry(self, event_id: str) -> dict:
        """Put a rejected or held event back in the queue; returns the event."""
        with self.transaction() as db:
            row = self.event(event_id)
            if row is None:
                matches = self._query(
                    "SELECT id FROM outbox WHERE id LIKE ? AND status IN ('rejected', 'held')",
                    (f"{event_id}%",),
                )
                if len(matches) != 1:
                    raise KeyError(event_id)
                row = self.event(matches[0]["id"])
            if row["status"] not in (REJECTED, HELD):
                raise ValueError(f"event {row['id']} is {row['status']}, not rejected or held")
            db.conn.execute(
                "UPDATE outbox SET status = 'pending', reason = NULL, done_at = NULL WHERE id = ?",
                (row["id"],),
            )
            # Ask the server again about its media rather than trust an earlier answer.
            for sha in row["media"]:
                db.conn.execute("UPDATE media SET uploaded_at = NULL WHERE sha256 = ?", (sha,))
        return self.event(row["id"])

    def queue(self, limit: int = 1000) -> list[dict]:
        """Events not yet on the server (pending, held, rejected), oldest first."""
        rows = self._query(
            "SELECT seq, id, type, occurred_at, status, reason, attempts, media FROM outbox"
            " WHERE status IN ('pending', 'held', 'rejected') ORDER BY seq LIMIT ?",
            (limit,),
        )
        for row in rows:
            row["media"] = json.loads(row["media"] or "[]")
        return rows

    def counts(self) -> dict[str, int]:
        rows = self._query("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
        found = {row["status"]: row["n"] for row in rows}
        return {s: found.get(s, 0) for s in (PENDING, HELD, REJECTED, ACCEPTED, DUPLICATE)}

    def oldest_unsent_at(self) -> str | None:
        rows = self._query(
            "SELECT recorded_at FROM outbox WHERE status IN ('pending', 'held')"
            " ORDER BY seq LIMIT 1"
        )
        return rows[0]["recorded_at"] if rows else None

    def media_row(self, sha256: str) -> dict | None:
        rows = self._query("SELECT * FROM media WHERE sha256 = ?", (sha256,))
        return rows[0] if rows else None

    def mark_uploaded(self, sha256: str) -> None:
        with self.transaction() as db:
            db.conn.execute(
                "UPDATE media SET uploaded_at = ? WHERE sha256 = ?", (now_iso(), sha256)
            )

    def housekeeping(self, *, keep_done_days: int = 365) -> dict[str, int]:
        """Free the disk: spooled media the server has and no waiting event needs.

        Also drops events that reached the server more than `keep_done_days` ago and
        that the last pull already reflects (see `local_events`); a year by default, so
        the supermarket desk can still find a redemption to reverse.
        """
        removed_media = 0
        with self.transaction() as db:
            still_needed = {
                row["value"]
                for row in self._query(
                    "SELECT DISTINCT j.value AS value FROM outbox, json_each(outbox.media) AS j"
                    " WHERE outbox.status IN ('pending', 'held', 'rejected')"
                )
            }
            uploaded = self._query("SELECT sha256 FROM media WHERE uploaded_at IS NOT NULL")
            for row in uploaded:
                sha = row["sha256"]
                if sha in still_needed:
                    continue
                db.conn.execute("DELETE FROM media WHERE sha256 = ?", (sha,))
                self.spool.path(sha).unlink(missing_ok=True)
                removed_media += 1
            cutoff = (datetime.now(UTC) - timedelta(days=keep_done_days)).isoformat()
            last_pull_gen = int(self.state_get("last_pull_gen", 0))
            cursor = db.conn.execute(
                "DELETE FROM outbox WHERE status IN ('accepted', 'duplicate') AND done_at < ?"
                " AND acked_gen <= ?",
                (cutoff, last_pull_gen),
            )
            removed_events = cursor.rowcount
        removed_partial = self.spool.remove_leftovers()
        return {
            "media": removed_media,
            "events": removed_events,
            "partial_copies": removed_partial,
        }
