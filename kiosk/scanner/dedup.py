"""The same code held in front of the camera is reported once, not thirty times a second.

A code is reported when it first appears. While it stays in view it is not
reported again, even if a few blurred frames in between miss it. It can be
reported again once it has been out of view for ``gone_after`` seconds (the
resident took the card away and showed it again), or, if ``repeat_after`` is
set, after it has been held in view that long. Times are the frames' own
times, so a video file behaves the same however fast it is decoded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass
class _Seen:
    reported_at: float
    last_seen: float


class Deduplicator:
    def __init__(self, gone_after: float = 0.6, repeat_after: float | None = 5.0):
        if gone_after <= 0:
            raise ValueError("gone_after must be positive")
        self.gone_after = gone_after
        self.repeat_after = repeat_after
        self._seen: dict[str, _Seen] = {}

    def new_codes(self, texts: Iterable[str], t: float) -> list[str]:
        """Of the codes read in the frame at time ``t``, the ones to report now, in order."""
        report = []
        for text in dict.fromkeys(texts):
            seen = self._seen.get(text)
            fresh = (
                seen is None
                or t - seen.last_seen >= self.gone_after
                or t < seen.last_seen  # a source that restarted (a looping demo file)
                or (self.repeat_after is not None and t - seen.reported_at >= self.repeat_after)
            )
            if fresh:
                report.append(text)
                self._seen[text] = _Seen(reported_at=t, last_seen=t)
            else:
                seen.last_seen = t
        self._forget(t)
        return report

    def _forget(self, t: float) -> None:
        keep = max(self.gone_after, self.repeat_after or 0.0)
        stale = [text for text, s in self._seen.items() if t - s.last_seen > keep]
        for text in stale:
            del self._seen[text]

    def clear(self) -> None:
        self._seen.clear()
