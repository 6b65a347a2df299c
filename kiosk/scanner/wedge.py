"""A handheld scanner that types like a keyboard, told apart from a person typing.

A keyboard-wedge scanner sends the whole code as keystrokes a few
milliseconds apart and ends with Enter; a person types tens to hundreds of
milliseconds apart. :class:`WedgeDetector` is fed every key with its time.
It holds keys while they might be the start of a burst; a burst that ends in
Enter becomes a scan, and anything else is released, in order, as ordinary
typing. It is pure Python: the kiosk hooks it to Kivy's keyboard events.

In the Kivy app (``Window.on_textinput`` gives each typed character,
``Window.on_key_down`` gives Enter as key 13 or 271)::

    wedge = WedgeDetector(on_scan=..., on_typed=focused_input.insert_text)
    Window.bind(on_textinput=lambda w, text: wedge.feed_text(text, time.monotonic()))
    Window.bind(on_key_down=lambda w, key, *a: key in ENTER_KEYS
                and wedge.feed_enter(time.monotonic()))
    Clock.schedule_interval(lambda dt: wedge.poll(time.monotonic()), 0.02)

``feed_*`` return True when the key was taken (held or part of a scan), so the
handler can stop it from reaching a text field; held keys that turn out to be
typing come back through ``on_typed``.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Callable
from itertools import pairwise

from kiosk.scanner.scan import ScanSource

log = logging.getLogger(__name__)

# Limitation: a scanner set to another keyboard layout than the kiosk's, or a Chinese input
# method left active, types other characters than the code holds; such a card then fails its
# check as damaged or forged instead of being repaired here. Set scanners to the US layout
# with Enter as the suffix.
ENTER_KEYS = frozenset({13, 271})  # Return and keypad Enter in Kivy's key codes
MAX_CODE_CHARS = 2048


class WedgeDetector:
    """Splits keystrokes into scanner bursts and typing; see the module docstring.

    ``max_gap``: the longest pause between two keys of one burst (and before its
    Enter). ``max_median_gap``: a burst's typical pause must be shorter still; a fast
    typist's occasional quick pair does not pass. ``min_length``: shorter bursts are
    typing (a card payload is over 100 characters, a ticket number 15).
    """

    def __init__(
        self,
        on_scan: Callable[[str, float], None] | None = None,
        on_typed: Callable[[str], None] | None = None,
        *,
        max_gap: float = 0.05,
        max_median_gap: float = 0.03,
        min_length: int = 6,
    ):
        self.on_scan = on_scan
        self.on_typed = on_typed
        self.max_gap = max_gap
        self.max_median_gap = max_median_gap
        self.min_length = min_length
        self._held: list[tuple[str, float]] = []
        self.scans: list[tuple[str, float]] = []  # the most recent scans, newest last
        self.typed: list[str] = []  # released typing, when no on_typed is set

    def feed_text(self, text: str, t: float) -> bool:
        """One or more typed characters at time ``t`` (seconds, any monotonic clock)."""
        self.poll(t)
        if not text:
            return False
        for char in text:
            if char in "\r\n":
                return self.feed_enter(t)
            if len(self._held) >= MAX_CODE_CHARS:
                self._release()
            self._held.append((char, t))
        return True

    def feed_enter(self, t: float) -> bool:
        """Enter at time ``t``; True when it ended a scan and must not act as Enter."""
        self.poll(t)
        if not self._held or not self._is_burst(t):
            self._release()
            return False
        text = "".join(char for char, _ in self._held)
        self._held.clear()
        log.debug("scanner burst of %d characters", len(text))
        self.scans = [*self.scans[-9:], (text, t)]
        if self.on_scan is not None:
            self.on_scan(text, t)
        return True

    def feed_key(self, key: int, codepoint: str | None, t: float) -> bool:
        """Kivy's ``on_key_down`` arguments in one call, for apps that only bind that event."""
        if key in ENTER_KEYS:
            return self.feed_enter(t)
        if codepoint:
            return self.feed_text(codepoint, t)
        return False

    def poll(self, now: float) -> None:
        """Release held keys once the pause since the last one is too long for a scanner."""
        if self._held and now - self._held[-1][1] > self.max_gap:
            self._release()

    @property
    def holding(self) -> bool:
        return bool(self._held)

    def _is_burst(self, enter_t: float) -> bool:
        if len(self._held) < self.min_length:
            return False
        times = [t for _, t in self._held] + [enter_t]
        gaps = [b - a for a, b in pairwise(times)]
        if max(gaps) > self.max_gap or statistics.median(gaps) > self.max_median_gap:
            return False
        # A held-down key repeats one character at the keyboard's repeat rate.
        return len({char for char, _ in self._held}) > 1

    def _release(self) -> None:
        if not self._held:
            return
        text = "".join(char for char, _ in self._held)
        self._held.clear()
        if self.on_typed is not None:
            self.on_typed(text)
        else:
            self.typed.append(text)


class KeyboardScanner:
    """A :class:`WedgeDetector` whose bursts come out as classified :class:`Scan` results."""

    def __init__(
        self,
        classifier,
        on_scan: Callable,
        on_typed: Callable[[str], None] | None = None,
        **detector_options,
    ):
        self.classifier = classifier
        self.on_scan = on_scan
        self.detector = WedgeDetector(self._burst, on_typed, **detector_options)

    def _burst(self, text: str, t: float) -> None:
        self.on_scan(self.classifier.classify(text, source=ScanSource.WEDGE))
