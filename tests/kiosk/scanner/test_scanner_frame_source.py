"""Where frames come from, and what the kiosk hears when the camera is missing or fails."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from kiosk.scanner.frames import FrameReader, SourceSpec
from terminal_agent.store import Store


@pytest.mark.parametrize(
    "setting,kind,target",
    [
        ("0", "camera", 0),
        (" 2 ", "camera", 2),
        ("/dev/video1", "camera", "/dev/video1"),
        ("/dev/v4l/by-id/usb-cam-video-index0", "camera", "/dev/v4l/by-id/usb-cam-video-index0"),
        ("rtsp://10.0.0.5:554/stream1", "stream", "rtsp://10.0.0.5:554/stream1"),
        ("http://10.0.0.5/mjpeg", "stream", "http://10.0.0.5/mjpeg"),
    ],
)
def test_camera_settings_are_understood(setting, kind, target):
    assert SourceSpec.parse(setting) == SourceSpec(kind, target)


def test_folder_and_file_settings_are_understood(tmp_path):
    video = tmp_path / "demo.avi"
    video.write_bytes(b"")
    assert SourceSpec.parse(str(tmp_path)) == SourceSpec("folder", str(tmp_path))
    assert SourceSpec.parse(f"folder:{tmp_path}") == SourceSpec("folder", str(tmp_path))
    assert SourceSpec.parse(str(video)) == SourceSpec("file", str(video))


def test_unset_camera_gives_a_sentence_not_an_exception():
    reader = FrameReader("").start()
    assert reader.health.ok is False
    assert reader.health.reason == "camera_not_configured"
    assert "camera" in reader.health.message_en and "摄像头" in reader.health.message_zh
    assert reader.latest(timeout=0.01) is None
    reader.stop()


def test_wrong_camera_path_names_the_setting_to_fix(tmp_path):
    reader = FrameReader(str(tmp_path / "missing.mp4")).start()
    assert (reader.health.ok, reader.health.reason) == (False, "camera_bad_config")
    assert "missing.mp4" in reader.health.detail["error"]
    reader.stop()


def test_missing_camera_is_reported_and_retried_with_growing_backoff():
    """A real V4L2 open of a device this machine does not have."""
    retries = []
    retried = threading.Event()

    def record(health):
        if "retry_in_s" in health.detail:
            retries.append(health.detail["retry_in_s"])
        if len(retries) >= 3:
            retried.set()

    reader = FrameReader("/dev/video63", backoff=(0.01, 0.03), on_health=record).start()
    try:
        assert retried.wait(10)
    finally:
        reader.stop()
    assert reader.health.ok is False and reader.health.reason == "camera_open_failed"
    assert retries[:3] == [0.01, 0.02, 0.03]  # doubling, up to the ceiling


class UnpluggedCamera:
    """A capture that gives frames, then fails as an unplugged USB camera does."""

    opened = 0

    def __init__(self, frames_before_failure):
        UnpluggedCamera.opened += 1
        self.left = frames_before_failure

    def isOpened(self):  # noqa: N802 - the cv2.VideoCapture interface
        return True

    def read(self):
        if self.left <= 0:
            return False, None
        self.left -= 1
        return True, np.full((48, 64, 3), 128, np.uint8)

    def get(self, prop):
        return 0.0

    def release(self):
        pass


def test_camera_that_stops_sending_is_reported_and_reconnected():
    UnpluggedCamera.opened = 0
    healths = []
    back = threading.Event()

    def record(health):
        healths.append((health.ok, health.reason))
        if UnpluggedCamera.opened >= 2 and health.ok:
            back.set()

    reader = FrameReader(
        "0", backoff=(0.01, 0.01), on_health=record, opener=lambda spec, w, h: UnpluggedCamera(3)
    ).start()
    try:
        assert back.wait(10)
        assert reader.latest(timeout=5) is not None
    finally:
        reader.stop()
    assert healths[0] == (True, "camera_ok")
    assert (False, "camera_read_failed") in healths


def test_reader_keeps_only_the_newest_frame(write_video):
    """A consumer that is slower than the camera gets the latest frame, not a backlog."""
    frames = [np.full((48, 64, 3), i * 4 % 256, np.uint8) for i in range(60)]
    path = write_video("fast.avi", frames, fps=200.0)
    reader = FrameReader(str(path)).start()
    try:
        pause = threading.Event()
        for _ in range(400):  # a slow consumer: it looks only after the file has ended
            if reader.finished:
                break
            pause.wait(0.05)
        newest = reader.latest(0, timeout=1)
        behind = reader.latest(newest.seq, timeout=0.05)
    finally:
        reader.stop()
    assert newest.seq == 60  # the newest frame is kept...
    assert behind is None  # ...and none of the 59 older ones queued behind it


def test_camera_health_is_stored_for_the_heartbeat(tmp_path):
    store = Store(tmp_path / "device.db")
    reader = FrameReader(
        "/dev/video63", backoff=(0.01, 0.01), on_health=lambda health: health.report_to(store)
    ).start()
    try:
        failed = threading.Event()
        for _ in range(200):
            if store.health().get("camera", {}).get("ok") is False:
                failed.set()
                break
            failed.wait(0.05)
    finally:
        reader.stop()
    camera = store.health()["camera"]
    assert camera["ok"] is False
    assert camera["status"].startswith("The camera cannot be opened")
    assert camera["detail"]["reason"] == "camera_open_failed"
    assert camera["detail"]["message_zh"].startswith("无法打开摄像头")


@pytest.fixture
def http_server(tmp_path):
    """A real HTTP server on 127.0.0.1 serving ``tmp_path``, standing in for an IP camera."""
    import functools
    import http.server

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, tmp_path
    server.shutdown()
    server.server_close()


def test_network_stream_is_read_and_a_dropped_stream_is_reconnected(http_server, write_video):
    server, folder = http_server
    frames = [np.full((48, 64, 3), i * 8 % 256, np.uint8) for i in range(20)]
    video = write_video("cam.avi", frames, fps=25.0)
    (folder / "cam.avi").write_bytes(video.read_bytes())
    url = f"http://127.0.0.1:{server.server_address[1]}/cam.avi"
    reasons = []
    reconnected = threading.Event()

    def record(health):
        reasons.append(health.reason)
        if reasons.count("camera_ok") >= 2:
            reconnected.set()

    reader = FrameReader(url, backoff=(0.01, 0.01), on_health=record).start()
    try:
        frame = reader.latest(timeout=10)
        assert reconnected.wait(20)
    finally:
        reader.stop()
    assert reader.spec.kind == "stream"
    assert frame is not None and frame.image.shape == (48, 64, 3)
    # The stream ends after 20 frames, as a dropped connection does: reported, then reopened.
    assert reasons[:2] == ["camera_ok", "camera_read_failed"]


def test_camera_paths_and_stable_links_open_by_index(tmp_path):
    from kiosk.scanner.frames import camera_index

    link = tmp_path / "usb-Generic_USB_Camera-video-index0"
    link.symlink_to("/dev/video3")
    assert camera_index(0) == 0
    assert camera_index("/dev/video12") == 12
    assert camera_index(str(link)) == 3
