"""Whole flows from the home screen to their end, by synthetic touches on the real widgets.

Each kiosk has a real store file, a preview:// printer writing PNG and ESC/POS
files, an image folder as its camera, and sox standing in for the microphone.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from terminal_agent.store import Store

OUTPUT = Path(__file__).resolve().parent.parent / "_output" / "kiosk"


def events(kiosk, *types):
    with Store(kiosk.app.kiosk_config.store) as store:
        return [e for e in store.local_events(types or ["report.submitted"])]


def slips(kiosk):
    folder = kiosk.folder / "slips"
    return sorted(folder.glob("*.escpos")) if folder.is_dir() else []


def keep_slip(kiosk, name: str) -> None:
    pngs = sorted((kiosk.folder / "slips").glob("*.png"))
    if pngs:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        shutil.copy(pngs[-1], OUTPUT / f"slip-{name}.png")


def test_report_with_voice_note_and_photo_is_recorded_once_and_its_slip_printed(make_kiosk):
    kiosk = make_kiosk("lift", printer_mode="native")
    app = kiosk.app

    kiosk.tap_text("我要反映问题")
    assert app.manager.current == "category"
    kiosk.tap_text("电梯故障")
    kiosk.tap_text("电梯门关不上")
    kiosk.tap_text("电梯有异响")
    kiosk.tap_id("next")
    assert app.manager.current == "location"

    kiosk.tap_id("home")  # at my home: building, then unit, on the keypad
    kiosk.type_digits("7")
    kiosk.tap_id("ok")
    kiosk.type_digits("1203")
    kiosk.tap_id("ok")
    assert app.manager.current == "voice"

    kiosk.tap_id("record")
    assert kiosk.screen.state == "recording"
    kiosk.tap_id("record")  # stop
    kiosk.wait_for(lambda: kiosk.screen.state == "recorded", what="the voice note")
    kiosk.tap_id("play")
    kiosk.wait_for(lambda: "录音已保存" in kiosk.screen.ids.status.text, what="playback end")
    kiosk.screenshot("flow-voice-recorded")
    kiosk.tap_id("next")

    assert app.manager.current == "photo"
    kiosk.tap_id("take")
    kiosk.wait_for(lambda: kiosk.screen.state == "taken", what="the photo")
    kiosk.screenshot("flow-photo-taken")
    kiosk.tap_id("next")

    assert app.manager.current == "contact"
    kiosk.tap_id("phone")
    kiosk.type_digits("13800138000")
    kiosk.tap_id("ok")
    assert app.manager.current == "review"
    summary = kiosk.screen.ids.summary.text
    assert "电梯故障" in summary and "7栋 1203室" in summary and "尾号 8000" in summary
    assert "13800138000" not in summary
    kiosk.screenshot("flow-review")
    kiosk.tap_id("send")

    assert app.manager.current == "ticket"
    ticket = kiosk.screen.ids.ticket.text
    assert ticket.startswith("L07-")
    kiosk.wait_for(lambda: "已打印" in kiosk.screen.ids.print_status.text, what="the slip")
    kiosk.screenshot("flow-ticket")

    recorded = events(kiosk)
    assert len(recorded) == 1
    payload = recorded[0]["payload"]
    assert payload["ticket"] == ticket
    assert payload["category"] == "lift_fault"
    assert payload["phrases"] == ["电梯门关不上", "电梯有异响"]
    assert (payload["building"], payload["unit"]) == (7, 1203)
    assert payload["contact"] == {"kind": "phone", "card": None, "phone": "13800138000"}
    assert sorted(m["kind"] for m in payload["media"]) == ["photo", "voice"]

    printed = slips(kiosk)
    assert len(printed) == 1
    assert ticket.encode("gb18030") in printed[0].read_bytes()
    keep_slip(kiosk, "ticket")

    kiosk.tap_id("done")
    assert app.manager.current == "home"
    assert app.draft.category is None and app.draft.voice is None


def test_report_goes_on_with_a_sentence_when_microphone_and_camera_are_missing(make_kiosk):
    kiosk = make_kiosk("square", camera="/nonexistent/camera", record="")
    app = kiosk.app
    app.services.store.config_set("short_code", "S01")
    kiosk.tap_text("我要反映问题")
    kiosk.tap_text("噪音扰民")
    kiosk.tap_id("next")
    kiosk.tap_id("here")

    assert app.manager.current == "voice"
    assert "没有麦克风" in kiosk.screen.ids.status.text
    assert kiosk.screen.ids.record.disabled
    kiosk.screenshot("flow-no-microphone")
    kiosk.tap_id("next")

    kiosk.tap_id("take")
    kiosk.wait_for(lambda: kiosk.screen.state == "idle", what="the camera failure")
    assert "摄像头用不了" in kiosk.screen.ids.status.text
    kiosk.screenshot("flow-no-camera")
    kiosk.tap_id("next")

    kiosk.tap_id("card")  # contact by points card: verified by its signature
    app.services.scans.submit(kiosk.cards["2600000003"])
    kiosk.wait_for(lambda: app.manager.current == "review", what="the card")
    assert "用积分卡联系" in kiosk.screen.ids.summary.text
    kiosk.tap_id("send")
    assert app.manager.current == "ticket"
    recorded = events(kiosk)
    assert len(recorded) == 1
    assert recorded[0]["payload"]["media"] == []
    assert recorded[0]["payload"]["location"] == "square"
    assert recorded[0]["payload"]["contact"]["kind"] == "card"
    assert recorded[0]["payload"]["contact"]["card"] == kiosk.cards["2600000003"]


def test_redemption_records_one_event_and_prints_a_receipt(make_kiosk):
    kiosk = make_kiosk("supermarket", printer_mode="native")
    app = kiosk.app

    kiosk.tap_text("工作人员")
    kiosk.type_digits("1111")
    kiosk.tap_id("ok")
    assert app.manager.current == "keypad" and "密码不对" in kiosk.screen.ids.error.text
    kiosk.type_digits("2468")
    kiosk.tap_id("ok")
    assert app.manager.current == "staff"

    kiosk.tap_id("redeem")
    assert app.manager.current == "scan"
    app.services.scans.submit(kiosk.cards["2600000001"])  # the handheld scanner reads a card
    kiosk.wait_for(lambda: app.manager.current == "redeem", what="the card scan")
    assert "王*娟" in kiosk.screen.customer and "120" in kiosk.screen.customer

    kiosk.tap_text("食用油")
    kiosk.tap_text("食用油")
    kiosk.tap_text("下一页")  # the rice is on the second page of goods
    kiosk.tap_text("大米")
    kiosk.screenshot("flow-redeem-basket")
    assert kiosk.screen.total == 30 + 2 * 25
    kiosk.tap_id("confirm")

    assert app.manager.current == "message"
    receipt = kiosk.screen.ids.big.text
    kiosk.wait_for(lambda: "小票已打印" in kiosk.screen.ids.text.text, what="the receipt")
    assert "余额 40" in kiosk.screen.ids.text.text
    kiosk.screenshot("flow-redeem-done")

    redeemed = events(kiosk, "points.redeemed")
    assert len(redeemed) == 1
    payload = redeemed[0]["payload"]
    assert payload["receipt"] == receipt and payload["total"] == 80
    assert payload["staff"] == "积分超市前台"
    assert sorted((i["item"], i["quantity"]) for i in payload["items"]) == [
        ("cooking_oil_5l", 2),
        ("rice_5kg", 1),
    ]
    printed = slips(kiosk)
    assert len(printed) == 1
    data = printed[0].read_bytes()
    assert receipt.encode("gb18030") in data and "王*娟".encode("gb18030") in data
    assert "积分超市前台".encode("gb18030") in data
    assert f"/console/points/ledger?card={receipt}".encode() in data  # the receipt's QR
    keep_slip(kiosk, "receipt")

    kiosk.tap_id("ok")
    assert app.manager.current == "staff"
    kiosk.home()
    assert app.manager.current == "home" and not app.staff_signed_in


def test_idle_prompt_counts_down_then_goes_home_and_discards_the_draft(make_kiosk):
    kiosk = make_kiosk("lift", idle=1.5, countdown=1)
    app = kiosk.app
    # At home, a lift kiosk left alone shows the points stars and the notices.
    kiosk.wait_for(lambda: app.manager.current == "stars", what="the idle screen")
    assert kiosk.screen.attract
    kiosk.screenshot("flow-idle-stars")
    kiosk.tap(kiosk.screen)
    assert app.manager.current == "home"

    kiosk.tap_text("我要反映问题")
    kiosk.tap_text("电梯故障")
    kiosk.tap_text("电梯不动")
    assert app.draft.phrases == ["电梯不动"]

    kiosk.wait_for(lambda: app.idle_prompt is not None, what="the idle prompt")
    kiosk.screenshot("flow-idle-prompt")
    kiosk.tap(app.idle_prompt.ids.keep_going)  # someone is still there
    assert app.manager.current == "phrases" and app.draft.phrases == ["电梯不动"]

    kiosk.wait_for(lambda: app.idle_prompt is not None, what="the idle prompt again")
    kiosk.wait_for(lambda: app.manager.current == "home", what="the countdown")
    assert app.idle_prompt is None
    assert app.draft.category is None and app.draft.phrases == []
    assert events(kiosk, "report.submitted", "help.requested", "service.requested") == []


def test_emergency_help_asks_once_then_shows_the_numbers_and_records_the_alert(make_kiosk):
    kiosk = make_kiosk("lift")
    kiosk.tap_text("紧急求助")
    assert events(kiosk, "help.requested") == []
    kiosk.tap_id("call_help")
    screen = kiosk.screen
    assert screen.confirmed
    assert screen.property_phone == "0851-8620-1001" and screen.emergency_phone == "120"
    kiosk.screenshot("flow-help-called")
    alerts = events(kiosk, "help.requested")
    assert len(alerts) == 1 and alerts[0]["payload"]["location"] == "b07-lift-1"


def test_home_visit_request_and_track_by_keypad(make_kiosk):
    kiosk = make_kiosk("lift")
    app = kiosk.app
    kiosk.tap_text("上门服务")
    kiosk.tap_id("fetch_medicine")
    kiosk.type_digits("7")
    kiosk.tap_id("ok")
    kiosk.type_digits("502")
    kiosk.tap_id("ok")
    kiosk.type_digits("13900001111")
    kiosk.tap_id("ok")
    assert app.manager.current == "message"
    requested = events(kiosk, "service.requested")
    assert len(requested) == 1
    assert requested[0]["payload"]["service"] == "fetch_medicine"
    assert requested[0]["payload"]["unit"] == 502
    kiosk.tap_id("ok")

    kiosk.tap_text("查询办理进度")
    kiosk.tap_id("type_ticket")
    kiosk.type_digits("072612010003")
    assert kiosk.screen.shown == "L07-261201-0003"
    kiosk.tap_id("ok")
    assert app.manager.current == "track"
    assert kiosk.screen.status_words == "负责部门正在处理"


def test_a_forged_card_is_refused_with_a_sentence(make_kiosk):
    from server_sync.protocol import cards

    kiosk = make_kiosk("supermarket")
    kiosk.tap_text("我的积分")
    forged = cards.sign_card(cards.generate_private_key(), "2600000001")
    kiosk.app.services.scans.submit(forged)
    kiosk.wait_for(lambda: kiosk.screen.status_text, what="the refusal")
    assert kiosk.app.manager.current == "scan"
    assert "卡" in kiosk.screen.status_text

    kiosk.app.services.scans.submit(kiosk.cards["2600000003"])
    kiosk.wait_for(lambda: kiosk.app.manager.current == "points", what="the points")
    assert kiosk.screen.balance == "60"


def test_language_switch_shows_english_one_tap_away(make_kiosk):
    kiosk = make_kiosk("lift")
    kiosk.tap(kiosk.app.root_layout.ids.language)
    assert "Report a problem" in [t.text for t in kiosk.tiles()]
    kiosk.tap_text("Report a problem")
    assert "Lift faults" in [t.text for t in kiosk.tiles()]
    kiosk.tap(kiosk.app.root_layout.ids.language)
    assert "电梯故障" in [t.text for t in kiosk.tiles()]


def test_a_card_held_up_to_the_camera_opens_my_points(make_kiosk, tmp_path):
    import qrcode
    from PIL import Image

    camera = tmp_path / "camera-with-card"
    camera.mkdir()
    kiosk = make_kiosk("supermarket", camera=camera)
    image = qrcode.make(kiosk.cards["2600000003"], box_size=6, border=4).convert("RGB")
    framed = Image.new("RGB", (800, 600), "white")
    framed.paste(image, (100, 40))
    framed.save(camera / "card.png")

    kiosk.tap_text("我的积分")  # the scan screen starts the camera scanner
    kiosk.wait_for(
        lambda: kiosk.app.manager.current == "points",
        timeout=20,
        what="the camera to read the card",
    )
    assert kiosk.screen.balance == "60"
    kiosk.home()
    kiosk.wait_for(lambda: kiosk.app.services.scans._camera is None, what="the camera to stop")


def test_the_ticket_slips_qr_code_opens_track_my_report(make_kiosk):
    kiosk = make_kiosk("lift")
    kiosk.tap_text("查询办理进度")
    kiosk.app.services.scans.submit("http://127.0.0.1:8080/t/L07-261201-0003")
    kiosk.wait_for(lambda: kiosk.app.manager.current == "track", what="the ticket")
    assert kiosk.screen.status_words == "负责部门正在处理"


def test_round_trips_through_the_screens_leave_no_widgets_behind(make_kiosk):
    import gc

    from kivy.uix.widget import Widget

    kiosk = make_kiosk("supermarket")
    app = kiosk.app
    app.build_all()  # screens are built once; here all of them before counting
    card = kiosk.cards["2600000001"]

    def round_trip():
        app.go("category")
        app.manager.current_screen.choose("lift_fault")
        app.go("notices")
        app.go("stars")
        app.go("points", card=card)
        app.staff_signed_in = True
        app.go("redeem", card=card)
        app.go_home()
        kiosk.pump(frames=1)

    def live_widgets() -> int:
        gc.collect()
        return sum(Widget in type(o).__mro__ for o in gc.get_objects())  # not weak proxies

    for _ in range(5):
        round_trip()
    before = live_widgets()
    for _ in range(30):
        round_trip()
    assert live_widgets() <= before
