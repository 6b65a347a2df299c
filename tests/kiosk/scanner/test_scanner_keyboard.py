"""Keystroke timing: a scanner's burst becomes a scan, a person's typing stays typing."""

from __future__ import annotations

import pytest

from kiosk.scanner.scan import ScanSource
from kiosk.scanner.wedge import KeyboardScanner, WedgeDetector


def play(detector, text, start, gap, enter_gap=None, poll_after=0.5):
    """Feeds ``text`` one key every ``gap`` seconds, then Enter; returns Enter's answer."""
    t = start
    for char in text:
        detector.feed_text(char, t)
        t += gap
    taken = detector.feed_enter(t - gap + (enter_gap if enter_gap is not None else gap))
    detector.poll(t + poll_after)
    return taken


@pytest.mark.parametrize("gap", [0.001, 0.004, 0.012, 0.025])
def test_burst_at_scanner_speed_is_a_scan(gap, make_card):
    card = make_card("0000000123")
    detector = WedgeDetector()
    assert play(detector, card, start=10.0, gap=gap) is True
    assert [text for text, _ in detector.scans] == [card]
    assert detector.typed == []


@pytest.mark.parametrize("gap", [0.08, 0.15, 0.3])
def test_same_characters_at_human_speed_are_typing(gap):
    detector = WedgeDetector()
    assert play(detector, "L07-261203-0012", start=5.0, gap=gap) is False
    assert detector.scans == []
    assert "".join(detector.typed) == "L07-261203-0012"


def test_fast_typist_with_one_quick_pair_is_still_typing():
    detector = WedgeDetector()
    times = [0.0, 0.11, 0.13, 0.24, 0.36, 0.40, 0.52, 0.61]  # two quick pairs in eight keys
    for char, t in zip("12345678", times, strict=True):
        detector.feed_text(char, t)
    assert detector.feed_enter(0.70) is False
    assert "".join(detector.typed) == "12345678" and detector.scans == []


def test_held_down_key_repeating_is_not_a_scan():
    detector = WedgeDetector()
    assert play(detector, "8" * 30, start=0.0, gap=0.025) is False
    assert "".join(detector.typed) == "8" * 30


def test_burst_without_enter_is_released_as_typing_once_the_pause_is_long():
    detector = WedgeDetector()
    for i, char in enumerate("0000000123"):
        detector.feed_text(char, 1.0 + i * 0.003)
    assert detector.holding and detector.typed == []
    detector.poll(1.2)
    assert detector.typed == ["0000000123"] and detector.scans == []


def test_short_burst_is_typing():
    detector = WedgeDetector()
    assert play(detector, "ok", start=0.0, gap=0.002) is False
    assert detector.typed == ["ok"]


def test_typing_then_a_scan_keeps_both_apart_and_in_order():
    typed, scans = [], []
    detector = WedgeDetector(on_scan=lambda text, t: scans.append(text), on_typed=typed.append)
    t = 0.0
    for char in "12":
        detector.feed_text(char, t)
        t += 0.2
    play(detector, "M01-261203-0007", start=t + 0.5, gap=0.005)
    assert typed == ["1", "2"]
    assert scans == ["M01-261203-0007"]


def test_scanner_pausing_mid_code_does_not_produce_a_scan_of_the_whole_code(make_card):
    card = make_card("0000000456")
    detector = WedgeDetector()
    for i, char in enumerate(card[:40]):
        detector.feed_text(char, i * 0.004)
    resume = 40 * 0.004 + 0.2  # a 200 ms stall in the middle
    for i, char in enumerate(card[40:]):
        detector.feed_text(char, resume + i * 0.004)
    detector.feed_enter(resume + len(card[40:]) * 0.004)
    assert detector.typed[0] == card[:40]
    assert [text for text, _ in detector.scans] == [card[40:]]  # a cut code, refused later


def test_kivy_key_down_events_are_understood():
    detector = WedgeDetector()
    for i, char in enumerate("L07-261203-0012"):
        assert detector.feed_key(ord(char), char, i * 0.003) is True
    assert detector.feed_key(271, None, 15 * 0.003) is True  # keypad Enter
    assert detector.scans[0][0] == "L07-261203-0012"
    assert detector.feed_key(304, None, 1.0) is False  # Shift alone


def test_keyboard_scanner_ends_in_a_classified_scan(classifier, make_card):
    results = []
    scanner = KeyboardScanner(classifier, on_scan=results.append)
    card = make_card("0000000789")
    play(scanner.detector, card, start=0.0, gap=0.003)
    play(scanner.detector, card[:-30], start=2.0, gap=0.003)
    assert [(s.source, s.ok, s.reason, s.card_no) for s in results] == [
        (ScanSource.WEDGE, True, None, "0000000789"),
        (ScanSource.WEDGE, False, "card_malformed", None),
    ]
