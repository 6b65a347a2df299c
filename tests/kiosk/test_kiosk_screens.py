"""Every screen of every role, at both panel sizes, against the rules for elderly users.

Each screen is opened, measured on its live widgets (kiosk_rules), written as a
screenshot to tests/_output/kiosk/, and left through the header's home button.
"""

from __future__ import annotations

import time

import pytest

SIZES = [(1280, 800), (1024, 600)]


def screen_states(kiosk):
    """(label, screen name, options) for every screen and its main states."""
    app = kiosk.app
    card = next(iter(kiosk.cards.values()))
    states = [
        ("home", "home", {}),
        ("help", "help", {}),
        ("help-called", "help", {}),
        ("category", "category", {}),
        ("phrases", "phrases", {}),
        ("location", "location", {}),
        ("keypad-building", "keypad", {"purpose": "building"}),
        ("keypad-ticket", "keypad", {"purpose": "ticket"}),
        ("voice", "voice", {}),
        ("photo", "photo", {}),
        ("contact", "contact", {}),
        ("review", "review", {}),
        ("ticket", "ticket", {"ticket": "L07-261203-0012"}),
        ("scan-track", "scan", {"purpose": "track"}),
        ("track", "track", {"ticket": "L07-261201-0003"}),
        ("track-unknown", "track", {"ticket": "L07-261203-0999"}),
        ("points", "points", {"card": card}),
        ("stars", "stars", {}),
        ("notices", "notices", {}),
        ("service", "service", {}),
        (
            "message",
            "message",
            {
                "text": "We have your request. Someone will call you to arrange the visit.",
                "big": "L07-261203-0013",
            },
        ),
    ]
    if app.kiosk_config.staff_mode:
        states += [
            ("keypad-pin", "keypad", {"purpose": "staff_pin"}),
            ("staff", "staff", {}),
            ("scan-redeem", "scan", {"purpose": "redeem", "back": "staff"}),
            ("redeem", "redeem", {"card": card}),
            ("rules-award", "rules", {"direction": "award"}),
            ("rules-deduct", "rules", {"direction": "deduct"}),
            ("scan-award", "scan", {"purpose": "award"}),
            ("close_day", "close_day", {}),
        ]
    return states


def walk_in_english(kiosk, check_window) -> list[str]:
    """English words are longer: every screen again, on the smaller panel."""
    app = kiosk.app
    kiosk.tap(app.root_layout.ids.language)
    problems = []
    for label, name, options in screen_states(kiosk):
        app.draft.category = "lift_fault"
        app.staff_signed_in = name in ("staff", "redeem", "rules", "close_day")
        app.go(name, **options)
        if label == "help-called":
            kiosk.tap_id("call_help")
        kiosk.pump(frames=3)
        problems += [f"1024x600 en {p}" for p in check_window(label)]
        kiosk.screenshot(f"en-{label}-1024x600")
    kiosk.home()
    kiosk.tap(app.root_layout.ids.language)
    return problems


@pytest.mark.parametrize("role", ["lift", "square", "supermarket"])
def test_every_screen_meets_the_elderly_rules_and_leads_home(make_kiosk, role):
    from kiosk_rules import check_window  # imports Kivy's window: only after the fixtures

    problems = []
    for size in SIZES:
        kiosk = make_kiosk(role, size=size)
        app = kiosk.app
        app.draft.category = "lift_fault"
        for label, name, options in screen_states(kiosk):
            if name in ("phrases", "review"):
                app.draft.category = "lift_fault"
            if label == "keypad-pin":
                app.staff_signed_in = False
            elif name in ("staff", "redeem", "rules", "close_day"):
                app.staff_signed_in = True  # as after the PIN (the flows test types it)
            app.go(name, **options)
            if label == "redeem":
                kiosk.tap(kiosk.tiles()[0])  # one item in the basket shows the +/- row
            elif label == "help-called":
                kiosk.tap_id("call_help")
            kiosk.pump(frames=3)
            assert app.manager.current == name
            if not app.screen.prompt or not app.catalogue.has("zh_CN", app.screen.prompt):
                problems.append(f"{label}: no prompt in the catalogue to read aloud")
            problems += [f"{size[0]}x{size[1]} {p}" for p in check_window(label)]
            if role != "square" or name == "home":  # square's screens are the lift's
                kiosk.screenshot(f"{role}-{label}-{size[0]}x{size[1]}")
            if name != "home":
                kiosk.home()
                assert app.manager.current == "home", f"{label}: the home button did not lead home"
        # The idle prompt over a screen, and the English home screen.
        app.go("category")
        app._open_idle_prompt(time.monotonic())
        kiosk.pump(frames=3)
        problems += [f"{size[0]}x{size[1]} {p}" for p in check_window("idle-prompt")]
        kiosk.screenshot(f"{role}-idle-prompt-{size[0]}x{size[1]}")
        kiosk.tap(app.idle_prompt.ids.keep_going)
        assert app.idle_prompt is None and app.manager.current == "category"
        kiosk.home()
        kiosk.tap(app.root_layout.ids.language)
        problems += [f"{size[0]}x{size[1]} {p}" for p in check_window("home-en")]
        kiosk.screenshot(f"{role}-home-en-{size[0]}x{size[1]}")
        kiosk.tap(app.root_layout.ids.language)
        if role == "supermarket" and size == (1024, 600):
            problems += walk_in_english(kiosk, check_window)
    assert problems == [], "\n".join(problems)
