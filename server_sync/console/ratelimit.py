"""A small in-process sliding-window rate limiter for logins and the phone page."""

from __future__ import annotations

import threading
import time
from collections import deque


class RateLimiter:
    """Allows `limit` hits per `window_s` seconds for each key.

    Limitation: counts live in this process only; a server started with several
    workers gives each worker its own allowance. One worker is the deployment
    this community runs (see deploy/).
    """

    def __init__(self, limit: int, window_s: float, *, clock=time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        return hits

    def blocked(self, key: str) -> bool:
        """True when `key` has used its allowance; does not count a hit."""
        with self._lock:
            return len(self._recent(key, self._clock())) >= self.limit

    def hit(self, key: str) -> bool:
        """Count one hit; True when it was still within the allowance."""
        with self._lock:
            now = self._clock()
            hits = self._recent(key, now)
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._hits) > 10_000:
                self._forget_idle(now)
            return True

    def reset(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window_s]:
            del self._hits[key]
