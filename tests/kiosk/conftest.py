"""Fixtures for the kiosk app tests: Xvfb, one Kivy window, a kiosk per role, a driver.

Kivy is imported only inside the fixtures, so the scanner and printing tests
under this folder never load it. The window is created once per session;
each kiosk test builds a fresh app (real store file, preview printer, image
folder camera, sox standing in for the microphone) and drives it with
synthetic touches on its real widgets.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

OUTPUT = Path(__file__).resolve().parent.parent / "_output" / "kiosk"


def _free_display() -> int:
    for number in range(90, 190):
        if (
            not Path(f"/tmp/.X{number}-lock").exists()
            and not Path(f"/tmp/.X11-unix/X{number}").exists()
        ):
            return number
    raise RuntimeError("no free X display number between :90 and :189")


@pytest.fixture(scope="session")
def xvfb_display():
    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb is not installed (Debian package xvfb)")
    number = _free_display()
    process = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    socket = Path(f"/tmp/.X11-unix/X{number}")
    for _ in range(100):
        if socket.exists() or process.poll() is not None:
            break
        time.sleep(0.05)
    if process.poll() is not None:
        pytest.fail("Xvfb did not start")
    old = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = f":{number}"
    yield f":{number}"
    if old is None:
        os.environ.pop("DISPLAY", None)
    else:
        os.environ["DISPLAY"] = old
    process.terminate()
    process.wait(timeout=5)


@pytest.fixture(scope="session")
def kivy_window(xvfb_display, tmp_path_factory):
    os.environ["KIVY_HOME"] = str(tmp_path_factory.mktemp("kivy-home"))
    os.environ["KCFG_GRAPHICS_MAXFPS"] = "0"  # no frame pacing: the tests pump the frames
    from kiosk import boot

    boot.prepare(fullscreen=False, size=(1280, 800))
    from kivy.base import EventLoop

    EventLoop.ensure_window()
    return EventLoop.window


@pytest.fixture(scope="session")
def camera_folder(tmp_path_factory):
    """A folder of one image: the kiosk camera, as the configuration allows for demos."""
    from PIL import Image, ImageDraw

    folder = tmp_path_factory.mktemp("camera")
    image = Image.new("RGB", (640, 480), (120, 140, 160))
    draw = ImageDraw.Draw(image)
    draw.rectangle((200, 150, 440, 330), fill=(200, 60, 40))
    image.save(folder / "frame.jpg")
    return folder


def write_config(folder: Path, role: str, camera: Path | str, **extra) -> Path:
    location = {"lift": "b07-lift-1", "square": "square", "supermarket": "supermarket"}[role]
    microphone = Path(__file__).resolve().parent / "fake_microphone.py"
    record = extra.get("record", f"{sys.executable} {microphone} {{out}} {{seconds}}")
    lines = [
        "[kiosk]",
        f'role = "{role}"',
        f'location = "{location}"',
        f'store = "{folder / "store.db"}"',
        'language = "zh_CN"',
        "fullscreen = false",
        'staff_pin = "2468"',
        'staff_name = "积分超市前台"',
        'track_url = "http://127.0.0.1:8080/t/{ticket}"',
        "[printer]",
        f'url = "preview://{folder / "slips"}"',
        "width_mm = 80",
        f'mode = "{extra.get("printer_mode", "raster")}"',
        "[camera]",
        f'source = "{camera}"',
        "countdown_seconds = 1",
        "[audio]",
        f'record_command = "{record}"',
        'play_command = "sox -q {file} -n"',
        "max_voice_seconds = 60",
        "[timeouts]",
        f"idle_seconds = {extra.get('idle', 600)}",
        f"countdown_seconds = {extra.get('countdown', 20)}",
        "[speech]",
        "enabled = false",
    ]
    path = folder / "kiosk.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class Kiosk:
    """Drives a running kiosk app the way a finger would."""

    def __init__(self, app, window, folder: Path, cards: dict[str, str]):
        self.app = app
        self.window = window
        self.folder = folder
        self.cards = cards

    def pump(self, seconds: float = 0.0, frames: int = 2) -> None:
        from kivy.base import EventLoop

        end = time.monotonic() + seconds
        for _ in range(frames):
            EventLoop.idle()
        while time.monotonic() < end:
            EventLoop.idle()

    def wait_for(self, condition, timeout: float = 10.0, what: str = "") -> None:
        from kivy.base import EventLoop

        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise AssertionError(f"timed out waiting for {what or condition}")
            EventLoop.idle()

    @property
    def screen(self):
        return self.app.manager.current_screen

    def tap(self, widget) -> None:
        from kivy.tests.common import UnitTestTouch

        self.pump()  # let the layout place what the last change added
        assert widget.get_root_window() is not None, f"{widget} is not on the screen"
        assert not widget.disabled, f"{widget} is disabled"
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        grabbed = [ref() for ref in touch.grab_list]
        assert grabbed == [] or widget in grabbed or widget.__self__ in grabbed, (
            f"the touch on {widget} was taken by {grabbed}"
        )
        self.pump()
        touch.touch_up()
        self.pump()

    def tap_id(self, ident: str, screen=None) -> None:
        self.tap((screen or self.screen).ids[ident])

    def tiles(self, screen=None) -> list:
        from kiosk.ui.widgets import Tile

        return [w for w in (screen or self.screen).walk() if isinstance(w, Tile)]

    def button(self, text: str):
        from kivy.uix.behaviors import ButtonBehavior

        self.pump()
        for widget in self.screen.walk():
            if isinstance(widget, ButtonBehavior) and text in str(getattr(widget, "text", "")):
                if not widget.disabled:
                    return widget
        return None

    def tap_text(self, text: str, turn_pages: bool = False) -> None:
        """Tap the tile or button whose label shows ``text``, turning pages to find it."""
        for _ in range(6):
            found = self.button(text)
            if found is not None:
                self.tap(found)
                return
            if not turn_pages or self.button("下一页") is None:
                break
            self.tap(self.button("下一页"))
        raise AssertionError(f"no button showing {text!r} on {self.app.manager.current}")

    def type_digits(self, digits: str) -> None:
        keypad = self.screen.ids.keypad
        for digit in digits:
            button = next(b for b in keypad.children if getattr(b, "text", "") == digit)
            self.tap(button)

    def home(self) -> None:
        self.tap(self.app.root_layout.ids.home_button)

    def screenshot(self, name: str) -> Path:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        self.pump(frames=3)
        written = Path(self.window.screenshot(name=str(OUTPUT / f"{name}.png")))
        target = OUTPUT / f"{name}.png"
        written.replace(target)
        return target


@pytest.fixture
def make_kiosk(kivy_window, camera_folder, tmp_path):
    """``make_kiosk(role, **timeouts)`` builds and shows a kiosk app; torn down after."""
    from kiosk.config import load_config
    from kiosk.demo_data import fill_store
    from kiosk.ui.kioskapp import KioskApp
    from terminal_agent.store import Store

    started = []

    def stop(kiosk):
        # dispatch (not a direct call): kv's `app` proxy forgets the app on on_stop.
        kiosk.app.close_idle_prompt()
        kiosk.app.dispatch("on_stop")
        kiosk.window.remove_widget(kiosk.app.root)

    def make(role: str = "lift", size=(1280, 800), camera=None, **extra) -> Kiosk:
        while started:
            stop(started.pop())
        folder = tmp_path / f"{role}-{size[0]}x{size[1]}"
        folder.mkdir(exist_ok=True)
        config = load_config(write_config(folder, role, camera or camera_folder, **extra))
        with Store(config.store) as store:
            short = {"lift": "L07", "square": "S01", "supermarket": "M01"}[role]
            cards = fill_store(store, role, short)
        kivy_window.size = size
        app = KioskApp(config, work_dir=folder / "work")
        root = app.build()
        app.root = root
        app.built = True
        kivy_window.add_widget(root)
        kiosk = Kiosk(app, kivy_window, folder, cards)
        started.append(kiosk)
        kiosk.pump(frames=4)
        return kiosk

    yield make
    while started:
        stop(started.pop())
