"""The agent's main loop: push as soon as events wait, pull and send heartbeats on a timer.

A failed step backs off (exponential, with jitter, capped, at least Retry-After)
and the loop tries again; a success resets the backoff. Nothing here decides
whether an event is done: only the server's answer, recorded by the store, does.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from server_sync.protocol import MAX_BATCH_EVENTS
from terminal_agent import commands
from terminal_agent.client import DEFAULT_TIMEOUT, Backoff, ProtocolMismatch, Refused, SyncError
from terminal_agent.store import Store, now_iso
from terminal_agent.sync import Agent

log = logging.getLogger(__name__)

HOUSEKEEPING_S = 3600.0


@dataclass
class Timing:
    heartbeat_s: float = 30.0
    pull_s: float = 60.0
    poll_s: float = 2.0
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 300.0
    timeout: tuple[float, float] = DEFAULT_TIMEOUT
    batch_size: int = MAX_BATCH_EVENTS
    batches_per_cycle: int = 10


class Daemon:
    def __init__(self, store: Store, timing: Timing | None = None):
        self.store = store
        self.timing = timing or Timing()
        self.stop = threading.Event()
        self.wake = threading.Event()
        self.backoff = Backoff(base=self.timing.backoff_base_s, cap=self.timing.backoff_cap_s)
        self._next_heartbeat = 0.0
        self._next_pull = 0.0
        self._once = False
        self._next_housekeeping = 0.0

    def request_stop(self) -> None:
        self.stop.set()
        self.wake.set()

    def run(self, *, once: bool = False) -> int:
        """Run until stopped (or one cycle with `once`); return 0 when nothing is left to send."""
        self._once = once
        agent = Agent(self.store, timeout=self.timing.timeout, max_events=self.timing.batch_size)
        log.info(
            "agent started for %s at %s", agent.identity["short_code"], agent.identity["server"]
        )
        try:
            while not self.stop.is_set():
                delay = self.cycle(agent)
                if once:
                    break
                self.wake.wait(delay)
                self.wake.clear()
        finally:
            agent.close()
        if not once:
            return 0  # stopped on request; what is left goes when the agent starts again
        return 0 if self.store.counts()["pending"] == 0 else 1

    def cycle(self, agent: Agent) -> float:
        """One pass: push, commands, pull and heartbeat when due; return the next wait."""
        now = time.monotonic()
        successes = agent.client.successes
        try:
            if self.store.counts()["pending"]:
                # A long backlog goes in slices, so heartbeats and commands are not starved.
                agent.push_all(max_batches=None if self._once else self.timing.batches_per_cycle)
                agent.note_success()
            if now >= self._next_heartbeat:
                self._optional(agent.heartbeat)
                self._next_heartbeat = now + self.timing.heartbeat_s
            if commands.run_pending(agent) and self._once:
                agent.push_all()  # the outcomes, before a single cycle ends
            if now >= self._next_pull:
                self._optional(agent.pull)
                self._next_pull = now + self.timing.pull_s
            if now >= self._next_housekeeping:
                freed = self.store.housekeeping()
                self._next_housekeeping = now + HOUSEKEEPING_S
                if any(freed.values()):
                    log.info("housekeeping freed %s", freed)
            if self.store.counts()["pending"] == 0:
                self.store.state_set("last_sync_at", now_iso())
        except SyncError as exc:
            agent.note_failure(exc)
            if agent.client.successes > successes:
                self.backoff.success()  # some requests went through: the link works
            delay = self.backoff.failure(exc.retry_after)
            log.warning("sync failed (%s): %s; next try in %.1f s", exc.code, exc.message, delay)
            return delay
        except (ValueError, KeyError, TypeError) as exc:
            # An answer that does not match the protocol: keep everything, try again later.
            agent.note_failure(ProtocolMismatch(f"the server's answer was not understood: {exc}"))
            delay = self.backoff.failure()
            log.exception("sync failed on an answer this agent does not understand")
            return delay
        self.backoff.success()
        if self.store.counts()["pending"]:
            return 0.0  # more backlog: carry on at once
        return self.timing.poll_s

    def _optional(self, step) -> None:
        """Run a step whose refusal (4xx) must not hold up pushing the outbox."""
        try:
            step()
        except Refused as exc:
            log.warning("%s refused: %s", step.__name__, exc.message)
