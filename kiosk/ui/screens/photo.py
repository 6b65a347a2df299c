"""Report a problem, step 5 (optional): a photo from the kiosk camera after a countdown."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import NumericProperty, StringProperty

from kiosk.i18n import N_
from kiosk.photo import CameraView, take_photo
from kiosk.ui.widgets import KioskScreen


def frame_texture(image, texture=None):
    """A camera frame (OpenCV BGR) as a Kivy texture, scaled down for the preview."""
    import cv2
    from kivy.graphics.texture import Texture

    height, width = image.shape[:2]
    if width > 640:
        image = cv2.resize(image, (640, int(height * 640 / width)))
        height, width = image.shape[:2]
    if texture is None or tuple(texture.size) != (width, height):
        texture = Texture.create(size=(width, height), colorfmt="bgr")
        texture.flip_vertical()
    texture.blit_buffer(image.tobytes(), colorfmt="bgr", bufferfmt="ubyte")
    return texture


class PhotoScreen(KioskScreen):
    state = StringProperty("idle")  # idle | counting | taking | taken
    status = StringProperty("")
    countdown = NumericProperty(0)
    image = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = N_("Show us with a photo")
        self.prompt = N_(
            "You can add a photo. Hold the problem up to the camera. This is optional."
        )
        self.has_draft = True
        self._event = None
        self._count = 0
        self._view = CameraView(self.app.kiosk_config.camera_source)
        self._preview = None
        self._last_image = None

    def on_enter(self, *_args):
        if self.state != "taken":
            self._start_preview()

    def _start_preview(self):
        self._last_image = None
        if self._preview is None and self._view.start():
            self._preview = Clock.schedule_interval(self._show_preview, 0.2)

    def on_leave(self, *_args):
        self._stop_preview()

    def _stop_preview(self):
        if self._preview is not None:
            self._preview.cancel()
            self._preview = None
        self._view.stop()

    def _show_preview(self, _dt):
        image = self._view.newest()
        if image is not None:
            self._last_image = image
            self.ids.live.texture = frame_texture(image, self.ids.live.texture)
            self.ids.live.canvas.ask_update()  # same texture, new pixels: redraw

    def setup(self, **options):
        photo = self.app.draft.photo
        self.state = "taken" if photo else "idle"
        self.image = str(photo) if photo else ""
        self.status = N_("Your photo is kept.") if photo else ""

    def reset(self):
        if self._event:
            self._event.cancel()
        self._stop_preview()
        self.state, self.image, self.status = "idle", "", ""

    def shutdown(self):
        if self._preview is not None:
            self._preview.cancel()
            self._preview = None
        self._view.stop(wait=True)

    def take(self):
        if self.state in ("counting", "taking"):
            return
        self.app.draft.photo = None
        self.image = ""
        self._start_preview()
        self.countdown = self.app.kiosk_config.photo_countdown_seconds
        self.state = "counting"
        self.status = N_("Hold still...")
        self._event = Clock.schedule_interval(self._tick, 1)
        if self.countdown <= 0:
            self._tick(0)

    def _tick(self, _dt):
        if self.countdown > 1:
            self.countdown -= 1
            return
        self._event.cancel()
        self.countdown = 0
        self.state = "taking"
        self._show_preview(0)
        image, self._last_image = self._last_image, None
        self._stop_preview()
        self._count += 1
        out = self.app.work_dir / f"photo-{self._count}.jpg"
        # The picture the resident saw last, else one taken now (no live view running).
        take_photo(
            self.app.kiosk_config.camera_source, out, self._taken, self.app.deliver, image=image
        )

    def _taken(self, path, problem):
        if self.state != "taking":
            return
        if path is None:
            self.state = "idle"
            self.status = problem
        else:
            self.app.draft.photo = path
            self.image = str(path)
            self.ids.preview.reload()
            self.state = "taken"
            self.status = N_("Your photo is kept.")
        self.app.speaker.say(self.tr(self.status), self.app.lang)
