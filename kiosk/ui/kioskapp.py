"""The kiosk application: header, offline banner, screens switched by name, idle prompt."""

from __future__ import annotations

import importlib
import logging
import tempfile
import time
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk.config import KioskConfig
from kiosk.i18n import Catalogue
from kiosk.services import ReportDraft, Services
from kiosk.speech import Speaker
from kiosk.ui import widgets  # noqa: F401  (registers the kv classes)

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent

# (screen name, module under kiosk.ui.screens, class)
SCREENS = [
    ("home", "home", "HomeScreen"),
    ("help", "help", "HelpScreen"),
    ("category", "category", "CategoryScreen"),
    ("phrases", "phrases", "PhrasesScreen"),
    ("location", "location", "LocationScreen"),
    ("keypad", "keypad", "KeypadScreen"),
    ("voice", "voice", "VoiceScreen"),
    ("photo", "photo", "PhotoScreen"),
    ("contact", "contact", "ContactScreen"),
    ("scan", "scan", "ScanScreen"),
    ("review", "review", "ReviewScreen"),
    ("ticket", "ticket", "TicketScreen"),
    ("track", "track", "TrackScreen"),
    ("points", "points", "PointsScreen"),
    ("stars", "stars", "StarsScreen"),
    ("notices", "notices", "NoticesScreen"),
    ("service", "service", "ServiceScreen"),
    ("message", "message", "MessageScreen"),
]
STAFF_SCREENS = [
    ("staff", "staff", "StaffScreen"),
    ("redeem", "redeem", "RedeemScreen"),
    ("rules", "rules", "RulesScreen"),
    ("close_day", "close_day", "CloseDayScreen"),
]

STAFF_SCREEN_NAMES = {name for name, _module, _cls in STAFF_SCREENS}


def load_kv(path: Path) -> None:
    """Load a .kv file once, read explicitly as UTF-8."""
    name = str(path)
    if name in Builder.files:
        return
    Builder.load_string(path.read_text(encoding="utf-8"), filename=name)


class RootLayout(BoxLayout):
    def on_touch_down(self, touch):
        App.get_running_app().touched()
        return super().on_touch_down(touch)


class IdlePrompt(ModalView):
    remaining = NumericProperty(0)


class KioskApp(App):
    lang = StringProperty("zh_CN")
    online = BooleanProperty(True)
    staff_signed_in = BooleanProperty(False)
    current_title = StringProperty("")
    services = ObjectProperty(None)

    def __init__(self, config: KioskConfig, work_dir: Path | None = None, **kwargs):
        super().__init__(**kwargs)
        self.kiosk_config = config
        self.catalogue = Catalogue(config.language)
        self.lang = config.language
        self.work_dir = Path(work_dir or tempfile.mkdtemp(prefix="ymt-kiosk-"))
        self.draft = ReportDraft()
        self.speaker = Speaker(config.read_aloud, config.voice)
        self.last_touch = time.monotonic()
        self.idle_prompt: IdlePrompt | None = None
        self._countdown_ends = 0.0
        self.title = "Yimatong"

    # ------------------------------------------------------------ language

    def tr(self, text: str, _lang: str | None = None) -> str:
        """The UI text in the current language; kv passes ``app.lang`` to rebind on a switch."""
        return self.catalogue.tr(text)

    def on_lang(self, _app, value):
        self.catalogue.language = value

    def toggle_language(self):
        self.lang = "en" if self.lang == "zh_CN" else "zh_CN"
        self.screen.refresh()
        self.speak_prompt()

    # ------------------------------------------------------------ building

    def deliver(self, fn) -> None:
        """Run ``fn`` on the UI thread at the next frame (safe from worker threads)."""
        Clock.schedule_once(lambda _dt: fn(), 0)

    def build(self):
        self.services = Services(self.kiosk_config, self.deliver, self.work_dir)
        load_kv(HERE / "widgets.kv")
        load_kv(HERE / "kioskapp.kv")
        root = RootLayout()
        self.manager: ScreenManager = root.ids.manager
        self.manager.transition = NoTransition()
        self._unbuilt = {
            name: (module, cls)
            for name, module, cls in SCREENS
            + (STAFF_SCREENS if self.kiosk_config.staff_mode else [])
        }
        self._build_screen("home")
        self.root_layout = root
        self.clock_events = [
            Clock.schedule_interval(self._check_idle, 0.25),
            Clock.schedule_interval(self._check_online, 5),
            Clock.schedule_interval(self._poll_wedge, 0.02),
        ]
        Window.bind(on_textinput=self._on_textinput, on_key_down=self._on_key_down)
        self._check_online(0)
        self.go("home")
        # The home screen shows first; the other screens are built once, one per frame.
        self.clock_events.append(Clock.schedule_interval(self._build_next, 0))
        return root

    def _build_screen(self, name: str):
        module_name, class_name = self._unbuilt.pop(name)
        module = importlib.import_module(f"kiosk.ui.screens.{module_name}")
        load_kv(Path(module.__file__).with_suffix(".kv"))
        screen = getattr(module, class_name)(name=name, app=self)
        self.manager.add_widget(screen)
        return screen

    def _build_next(self, _dt):
        if not self._unbuilt:
            return False
        self._build_screen(next(iter(self._unbuilt)))
        return None

    def build_all(self) -> None:
        """Build every screen now (tests and benchmarks that walk them all)."""
        while self._unbuilt:
            self._build_screen(next(iter(self._unbuilt)))

    def on_stop(self):
        for event in getattr(self, "clock_events", []):
            event.cancel()
        Window.unbind(on_textinput=self._on_textinput, on_key_down=self._on_key_down)
        for screen in self.manager.screens:
            screen.shutdown()
        self.speaker.stop()
        if self.services:
            self.services.close()

    def icon_path(self, group: str, name: str) -> str:
        from kiosk.ui.icons import icon_path

        return icon_path(group, name)

    def printer_sentence(self, outcome) -> str:
        """What a failed print means, in the current language, with what to do next."""
        text = outcome.message_zh if self.lang == "zh_CN" else outcome.message_en
        return text or self.tr("The slip could not be printed. Please ask the staff for help.")

    def refusal_sentence(self, outcome) -> str:
        return outcome.message("zh" if self.lang == "zh_CN" else "en")

    # ------------------------------------------------------------ navigation

    @property
    def screen(self):
        return self.manager.current_screen

    def go(self, name: str, **options) -> None:
        """Show screen ``name``; ``options`` are handed to its ``setup``."""
        if name in STAFF_SCREEN_NAMES and not self.staff_signed_in:
            log.warning("staff screen %s asked for without the staff PIN", name)
            name, options = "home", {}
        if name in self._unbuilt:
            self._build_screen(name)
        screen = self.manager.get_screen(name)
        screen.setup(**options)
        self.manager.current = name
        self.current_title = screen.title
        if name == "home":
            self.staff_signed_in = False
        self.speak_prompt()

    def go_home(self, *_args) -> None:
        """Back to the start, forgetting whatever the last person entered."""
        self.close_idle_prompt()
        self.draft = ReportDraft()
        for screen in self.manager.screens:
            screen.reset()
        self.go("home")

    def speak_prompt(self, *_args) -> None:
        self.speaker.say(self.tr(self.screen.prompt), self.lang)

    # ------------------------------------------------------------ handheld scanner

    def _on_textinput(self, _window, text):
        self.touched()
        return self.services.scans.keyboard.detector.feed_text(text, time.monotonic())

    def _on_key_down(self, _window, key, *_args):
        from kiosk.scanner import ENTER_KEYS

        if key in ENTER_KEYS:
            return self.services.scans.keyboard.detector.feed_enter(time.monotonic())
        return False

    def _poll_wedge(self, _dt):
        self.services.scans.keyboard.detector.poll(time.monotonic())

    # ------------------------------------------------------------ idle and offline

    def touched(self) -> None:
        self.last_touch = time.monotonic()

    def _check_idle(self, _dt) -> None:
        now = time.monotonic()
        if self.idle_prompt is not None:
            left = max(0, int(self._countdown_ends - now + 0.999))
            self.idle_prompt.remaining = left
            if now >= self._countdown_ends:
                log.info("nobody answered the idle prompt; back to the home screen")
                self.go_home()
            return
        if now - self.last_touch < self.kiosk_config.idle_seconds:
            return
        name = self.manager.current
        if name == "home":
            if self.kiosk_config.role in ("lift", "square"):
                self.go("stars", attract=True)
            self.last_touch = now
            return
        if name == "stars" and self.screen.attract:
            return
        self._open_idle_prompt(now)

    def _open_idle_prompt(self, now: float) -> None:
        self.idle_prompt = IdlePrompt(auto_dismiss=False)
        self._countdown_ends = now + self.kiosk_config.countdown_seconds
        self.idle_prompt.remaining = int(self.kiosk_config.countdown_seconds + 0.999)
        self.idle_prompt.open()
        self.speaker.say(self.tr("Are you still there? Tap to continue."), self.lang)

    def keep_going(self) -> None:
        self.close_idle_prompt()
        self.touched()

    def close_idle_prompt(self) -> None:
        if self.idle_prompt is not None:
            self.idle_prompt.dismiss(animation=False)
            self.idle_prompt = None

    def _check_online(self, _dt) -> None:
        """Every few seconds: the agent's view of the server, and technicians' commands."""
        try:
            self.online = self.services.online() is not False
            self.services.printer.run_commands()
        except Exception:  # the store is busy or locked; try again next time
            log.debug("sync status or commands unavailable", exc_info=True)


def run(config: KioskConfig) -> None:
    app = KioskApp(config)
    Window.clearcolor = (0.96, 0.96, 0.94, 1)
    app.run()
