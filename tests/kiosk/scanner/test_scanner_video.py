"""Cards held up to the camera, from video files OpenCV writes: each reported exactly once."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest

from kiosk.scanner.camera import CameraScanner, FrameScanner
from kiosk.scanner.frames import FrameReader
from kiosk.scanner.scan import ScanKind, ScanSource
from kiosk.scanner.synthetic import Look, background, frame_with

SIZE = (640, 480)
FPS = 15.0


def appearance(text, look, backdrop, seed, *, enter=6, stay=14, leave=6, gap=6, missed=()):
    """Frames of one code sliding in from the left, held with a shaky hand, sliding out
    to the right, then an empty scene. ``missed`` are stay frames blurred past reading."""
    frames = []
    x_held = look.center[0]
    path = (
        [(-0.3 + (x_held + 0.3) * i / enter, 14) for i in range(enter)]
        + [(x_held + 0.01 * np.sin(i), 0) for i in range(stay)]
        + [(x_held + (1.3 - x_held) * (i + 1) / leave, 14) for i in range(leave)]
    )
    for i, (x, motion) in enumerate(path):
        blur = 40 if (i - enter) in missed else motion
        shown = replace(look, center=(x, look.center[1]), motion=max(look.motion, blur))
        frames.append(frame_with([text], [shown], SIZE, seed=seed + i, backdrop=backdrop))
    frames += [frame_with([], [], SIZE, seed=seed + 99, backdrop=backdrop)] * gap
    return frames


@pytest.fixture(scope="module")
def scene():
    return background(SIZE, np.random.default_rng(7))


@pytest.fixture(scope="module")
def queue_video(write_video, make_card, scene):
    """Five residents show their cards in turn, each under a different camera trouble;
    the third holds the card so shakily that three frames in the middle are unreadable."""
    cards = [make_card(f"00000000{n:02d}") for n in (11, 12, 13, 14, 15)]
    looks = [
        Look(code_px=170),
        Look(code_px=170, defocus=1.3),
        Look(code_px=150, noise=14.0, tilt=0.25, angle=15),
        Look(code_px=170, light=0.25, noise=4.0),
        Look(code_px=190, glare=0.45, angle=-10),
    ]
    frames = []
    for n, (card, look) in enumerate(zip(cards, looks, strict=True)):
        missed = (5, 6, 7) if n == 2 else ()
        frames += appearance(card, look, scene, seed=100 * n, missed=missed)
    return write_video("queue.avi", frames, FPS), cards


def run_camera(path, classifier, **reader_options):
    scans = []
    reader = FrameReader(str(path), lockstep=True, **reader_options)
    scanner = CameraScanner(reader, classifier, on_scan=scans.append).start()
    scanner.join(timeout=60)
    scanner.stop()
    return scans, reader


def test_each_card_in_the_queue_is_reported_once_in_order(queue_video, classifier):
    path, cards = queue_video
    scans, reader = run_camera(path, classifier)
    assert [s.text for s in scans] == cards
    assert all(s.ok and s.kind == ScanKind.CARD and s.source == ScanSource.CAMERA for s in scans)
    assert [s.card_no for s in scans] == [f"00000000{n}" for n in (11, 12, 13, 14, 15)]
    assert reader.health.reason == "camera_ended"


def test_card_shown_again_after_leaving_is_reported_again(
    write_video, make_card, classifier, scene
):
    card = make_card("0000000021")
    frames = appearance(card, Look(code_px=170), scene, seed=1, gap=12)
    frames += appearance(card, Look(code_px=170, center=(0.4, 0.5)), scene, seed=2)
    scans, _ = run_camera(write_video("twice.avi", frames, FPS), classifier)
    assert [s.card_no for s in scans] == ["0000000021", "0000000021"]
    assert scans[1].detail["frame_t"] - scans[0].detail["frame_t"] > 1.0


def test_card_held_still_for_long_is_reported_again_only_after_the_repeat_time(
    make_card, classifier, scene
):
    """Frame times, not decoding speed, decide: 9 s held in view at 15 fps, repeat after 5 s."""
    from kiosk.scanner.dedup import Deduplicator
    from kiosk.scanner.frames import Frame

    card = make_card("0000000031")
    image = frame_with([card], [Look(code_px=170)], SIZE, seed=3, backdrop=scene)
    frames = [Frame(i + 1, i / FPS, image) for i in range(int(9 * FPS))]
    scanner = FrameScanner(classifier, dedup=Deduplicator(gone_after=0.6, repeat_after=5.0))
    scans = scanner.scan_frames(frames)
    assert [round(s.detail["frame_t"], 1) for s in scans] == [0.0, 5.0]


def test_two_cards_in_one_frame_are_both_reported(make_card, classifier, scene):
    from kiosk.scanner.frames import Frame

    first, second = make_card("0000000041"), make_card("0000000042")
    looks = [Look(code_px=150, center=(0.28, 0.5)), Look(code_px=150, center=(0.72, 0.5))]
    image = frame_with([first, second], looks, SIZE, seed=4, backdrop=scene)
    scans = FrameScanner(classifier).scan_frames([Frame(1, 0.0, image), Frame(2, 0.07, image)])
    assert sorted(s.card_no for s in scans) == ["0000000041", "0000000042"]


def test_forged_card_on_camera_is_reported_once_with_its_reason(
    write_video, make_card, classifier, scene
):
    real = make_card("0000000051")
    forged = real[:30] + ("x" if real[30] != "x" else "y") + real[31:]
    frames = appearance(forged, Look(code_px=170), scene, seed=5)
    scans, _ = run_camera(write_video("forged.avi", frames, FPS), classifier)
    assert [(s.kind, s.ok, s.reason) for s in scans] == [("card", False, "card_forged")]
    assert "伪造" in scans[0].message_zh


def test_ticket_barcode_on_camera_is_a_ticket(make_card, classifier, scene):
    from kiosk.scanner.frames import Frame

    image = frame_with(
        ["L07-261203-0012"], [Look(code_px=420)], SIZE, seed=6, backdrop=scene, fmt="code128"
    )
    scans = FrameScanner(classifier).scan_frames([Frame(1, 0.0, image)])
    assert [(s.kind, s.ticket, s.symbology) for s in scans] == [
        ("ticket", "L07-261203-0012", "code128")
    ]


def test_folder_of_images_is_read_in_name_order(tmp_path, make_card, classifier, scene):
    cards = [make_card("0000000061"), make_card("0000000062")]
    names = iter(range(100))
    for card in cards:
        for frame in appearance(
            card, Look(code_px=170), scene, seed=7, enter=2, leave=2, stay=4, gap=4
        ):
            cv2.imwrite(str(tmp_path / f"frame-{next(names):03d}.png"), frame)
    (tmp_path / "notes.txt").write_text("not an image")
    scans, reader = run_camera(tmp_path, classifier)
    assert [s.card_no for s in scans] == ["0000000061", "0000000062"]
    assert reader.health.reason == "camera_ended"


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((0, 0, 3), np.uint8),
        np.zeros((4, 4), np.uint8),
        np.zeros((480, 640, 3), np.float32),
        np.zeros((480, 640, 2), np.uint8),
        None,
    ],
)
def test_frames_that_are_not_pictures_give_no_scans_and_no_errors(image, classifier):
    from kiosk.scanner.frames import Frame

    assert FrameScanner(classifier).scan_frames([Frame(1, 0.0, image)]) == []


def test_greyscale_and_four_channel_frames_are_read(make_card, classifier, scene):
    from kiosk.scanner.frames import Frame

    card = make_card("0000000071")
    image = frame_with([card], [Look(code_px=170)], SIZE, seed=8, backdrop=scene)
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    bgra = cv2.cvtColor(image, cv2.COLOR_BGR2BGRA)
    for n, frame in enumerate((grey, bgra)):
        scans = FrameScanner(classifier).scan_frames([Frame(1, float(n), frame)])
        assert [s.card_no for s in scans] == ["0000000071"]


def test_kiosk_camera_scanner_checks_cards_with_the_store_and_records_camera_health(
    tmp_path, write_video, public_key, make_card, scene
):
    from kiosk.scanner.camera import camera_scanner_for
    from terminal_agent.store import Store

    store = Store(tmp_path / "device.db")
    store.apply_state(
        {
            "cursor": "1",
            "changes": {
                "keys": [{"key": "card", "public_key": public_key}],
                "revoked_cards": [{"key": "0000000082"}],
            },
        }
    )
    frames = appearance(make_card("0000000081"), Look(code_px=170), scene, seed=9)
    frames += appearance(make_card("0000000082"), Look(code_px=170), scene, seed=10)
    scans = []
    scanner = camera_scanner_for(
        store, str(write_video("store.avi", frames, FPS)), scans.append, lockstep=True
    ).start()
    scanner.join(timeout=60)
    scanner.stop()
    assert [(s.card_no, s.ok, s.reason) for s in scans] == [
        ("0000000081", True, None),
        ("0000000082", False, "card_revoked"),
    ]
    assert store.health()["camera"]["detail"]["reason"] == "camera_ended"


def test_looping_demo_video_reports_its_card_once_each_time_round(
    write_video, make_card, classifier, scene
):
    card = make_card("0000000091")
    frames = appearance(card, Look(code_px=170), scene, seed=11, enter=1, stay=3, leave=1, gap=2)
    reader = FrameReader(str(write_video("loop.avi", frames, 30.0)), loop=True, lockstep=True)
    scanner = FrameScanner(classifier)
    scans = []
    reader.start()
    try:
        for frame in reader.frames(timeout=10):
            scans += scanner.scan_frame(frame)
            if frame.seq >= 3 * len(frames):
                break
    finally:
        reader.stop()
    assert [s.card_no for s in scans] == ["0000000091"] * 3


def test_unknown_decoding_pass_is_named_when_the_chain_is_set():
    from kiosk.scanner.decode import Decoder

    with pytest.raises(ValueError, match="zx_everything"):
        Decoder(("zx_small", "zx_everything"))


def test_technician_check_reads_a_demo_video_and_names_each_code(tmp_path, capsys, make_card):
    from kiosk.scanner.__main__ import main

    video = tmp_path / "demo.avi"
    card = make_card("0000000101")
    codes = [card, "L07-261203-0012", "wxp://f2f0abc"]
    assert main(["--write-demo", str(video), "--hold", "0.7", *codes]) == 0
    capsys.readouterr()
    assert main(["--source", str(video)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1:3] for line in lines[:3]] == [
        ["card", "card_no_key"],  # no store given, so no key to check it with
        ["ticket", "ok"],
        ["url", "payment_code"],
    ]
    assert lines[-1].startswith("camera camera_ended")


def test_technician_check_of_a_missing_camera_says_so_and_fails(capsys):
    from kiosk.scanner.__main__ import main

    assert main(["--source", "/dev/video63", "--seconds", "0.2", "--lang", "zh"]) == 1
    assert "无法打开摄像头" in capsys.readouterr().out
