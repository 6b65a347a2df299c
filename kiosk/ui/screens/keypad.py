"""A big number keypad for building, unit, phone, ticket, receipt and the staff PIN."""

from __future__ import annotations

import re

from kivy.properties import BooleanProperty, StringProperty

from kiosk.i18n import N_
from kiosk.ui.widgets import KioskScreen

# purpose -> (title, prompt, max digits, check)
PURPOSES = {
    "building": (
        N_("Your building number"),
        N_("Type your building number, then tap OK."),
        3,
        lambda v: 1 <= int(v or 0) <= 999,
    ),
    "unit": (
        N_("Your unit (door) number"),
        N_("Type your door number, then tap OK."),
        4,
        lambda v: 1 <= int(v or 0) <= 9999,
    ),
    "phone": (
        N_("Your phone number"),
        N_("Type your phone number, then tap OK."),
        11,
        lambda v: 5 <= len(v) <= 11,
    ),
    # Limitation: typed tickets must be a role letter (L, S, M), two digits, the date and a
    # four-digit sequence, the shape enrolled devices print; a device still on a demo short
    # code such as DEMO prints tickets that can only be scanned, not typed.
    "ticket": (
        N_("Your ticket number"),
        N_("Tap the letter, then the numbers on your slip."),
        12,
        lambda v: len(v) == 12,
    ),
    # Limitation: one staff PIN per kiosk from the configuration, so events carry the desk's
    # staff_name, not a person's, and the day's close cannot tell staff apart.
    "staff_pin": (N_("Staff PIN"), N_("Staff: type your PIN."), 8, lambda v: len(v) >= 4),
}

WRONG = {
    "building": N_("Please type a building number from 1 to 999."),
    "unit": N_("Please type a door number from 1 to 9999."),
    "phone": N_("Please type the whole phone number."),
    "ticket": N_("A ticket number has a letter and 12 digits, for example L07-261203-0012."),
    "staff_pin": N_("That PIN is not right. Please try again."),
}


def format_ticket_entry(letter: str, digits: str) -> str:
    """L + 07261203 0012 as typed -> L07-261203-0012 as printed on the slip."""
    text = letter + digits[:2]
    if len(digits) > 2:
        text += "-" + digits[2:8]
    if len(digits) > 8:
        text += "-" + digits[8:]
    return text


class KeypadScreen(KioskScreen):
    purpose = StringProperty("building")
    shown = StringProperty("")
    error = StringProperty("")
    letter = StringProperty("L")
    masked = BooleanProperty(False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.has_draft = True
        self._done = None
        self._back = "home"

    def setup(self, purpose="building", done=None, back="home", **options):
        self.purpose = purpose
        self._done = done
        self._back = back
        self.title, self.prompt, length, _check = PURPOSES[purpose]
        self.masked = purpose == "staff_pin"
        self.error = ""
        self.ids.keypad.max_length = length
        self.ids.keypad.value = ""
        self.letter = "L"
        self.show()

    def show(self, *_args):
        value = self.ids.keypad.value
        if self.masked:
            self.shown = "*" * len(value)
        elif self.purpose == "ticket":
            self.shown = format_ticket_entry(self.letter, value)
        else:
            self.shown = value

    def ok(self):
        value = self.ids.keypad.value
        check = PURPOSES[self.purpose][3]
        if self.purpose == "staff_pin":
            if value != self.app.kiosk_config.staff_pin:
                self.ids.keypad.value = ""
                self.error = WRONG["staff_pin"]
                return
            self.app.staff_signed_in = True
            self.app.go("staff")
            return
        if not value or not re.fullmatch(r"\d+", value) or not check(value):
            self.error = WRONG[self.purpose]
            return
        if self.purpose == "ticket":
            value = format_ticket_entry(self.letter, value)
        if self._done:
            self._done(value)

    def back(self):
        if callable(self._back):
            self._back()
        else:
            self.app.go(self._back)
