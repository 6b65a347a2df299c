"""Staff mode at the supermarket kiosk: award, deduct, reverse, reprint, close the day."""

from __future__ import annotations

from terminal_agent.store import Store


def events(kiosk, *types):
    with Store(kiosk.app.kiosk_config.store) as store:
        return store.local_events(types)


def sign_in(kiosk):
    kiosk.tap_text("工作人员")
    kiosk.type_digits("2468")
    kiosk.tap_id("ok")
    assert kiosk.app.manager.current == "staff"


def test_award_by_rule_for_several_cards_then_reverse_reprint_and_close_the_day(make_kiosk):
    kiosk = make_kiosk("supermarket")
    app = kiosk.app
    sign_in(kiosk)

    kiosk.tap_id("award")
    kiosk.tap_text("巡逻", turn_pages=True)
    assert app.manager.current == "scan"
    for card_no in ("2600000001", "2600000003", "2600000003"):
        app.services.scans.submit(kiosk.cards[card_no])
        kiosk.wait_for(lambda: kiosk.screen.status_text, what="the scan answer")
        last = kiosk.screen.status_text
        kiosk.screen.status_text = ""
    assert "已经扫过" in last  # the same card twice is taken once
    kiosk.screenshot("flow-award-scanned")
    kiosk.tap_id("done")
    assert app.manager.current == "message"
    assert "2 张卡中已记录 2 张" in kiosk.screen.ids.text.text
    awarded = events(kiosk, "points.awarded")
    assert sorted(e["payload"]["rule"] for e in awarded) == ["patrol", "patrol"]
    kiosk.tap_id("ok")

    kiosk.tap_id("redeem")
    app.services.scans.submit(kiosk.cards["2600000002"])
    kiosk.wait_for(lambda: app.manager.current == "redeem", what="the card")
    kiosk.tap_text("洗衣粉", turn_pages=True)
    kiosk.tap_id("confirm")
    receipt = kiosk.screen.ids.big.text
    kiosk.wait_for(lambda: "小票已打印" in kiosk.screen.ids.text.text, what="the receipt")
    kiosk.tap_id("ok")

    kiosk.tap_id("reverse")
    app.services.scans.submit(kiosk.cards["2600000002"])
    kiosk.wait_for(lambda: app.manager.current == "keypad", what="the receipt keypad")
    letter, digits = receipt[0], receipt[1:].replace("-", "")
    kiosk.tap_text(letter)
    kiosk.type_digits(digits)
    assert kiosk.screen.shown == receipt
    kiosk.tap_id("ok")
    assert app.manager.current == "message"
    assert "退回 5 分" in kiosk.screen.ids.text.text
    reversed_ = events(kiosk, "points.reversed")
    assert len(reversed_) == 1
    kiosk.tap_id("ok")

    printed_before = len(list((kiosk.folder / "slips").glob("*.png")))
    kiosk.tap_id("reprint")
    kiosk.wait_for(lambda: app.manager.current == "message", what="the reprint")
    assert "已补打" in kiosk.screen.ids.text.text
    kiosk.tap_id("ok")

    kiosk.tap_id("close_day")
    summary = kiosk.screen.ids.summary.text
    assert "兑换：1 笔，共 5 分" in summary and "撤销：1 笔" in summary
    assert "加分：2 笔，共 20 分" in summary
    kiosk.screenshot("flow-close-day")
    kiosk.tap_id("print_close")
    kiosk.wait_for(lambda: "日结单已打印" in kiosk.screen.ids.status.text, what="the close")
    assert len(list((kiosk.folder / "slips").glob("*.png"))) >= printed_before + 1


def test_a_technicians_test_page_is_printed_and_reported(make_kiosk):
    kiosk = make_kiosk("supermarket")
    store = kiosk.app.services.store
    assert store.receive_command(41, "print_test_page", {})
    kiosk.app.services.printer.run_commands()
    kiosk.wait_for(lambda: not store.pending_commands("kiosk"), what="the test page")
    completed = events(kiosk, "command.completed")
    assert [(e["payload"]["command_id"], e["payload"]["ok"]) for e in completed] == [(41, True)]


def test_offline_banner_shows_when_the_agent_reports_the_server_unreachable(make_kiosk):
    kiosk = make_kiosk("lift")
    banner = kiosk.app.root_layout.ids.banner
    assert banner.opacity == 0
    kiosk.app.services.store.state_set("online", False)
    kiosk.app._check_online(0)
    kiosk.pump()
    assert banner.opacity == 1 and banner.height > 0
    kiosk.screenshot("flow-offline-banner")
    kiosk.tap_text("我要反映问题")  # every flow keeps working
    assert kiosk.app.manager.current == "category"


def test_staff_screens_need_the_pin(make_kiosk):
    kiosk = make_kiosk("supermarket")
    kiosk.app.go("redeem", card=kiosk.cards["2600000001"])
    assert kiosk.app.manager.current == "home"
    assert not kiosk.app.staff_signed_in
    assert events(kiosk, "points.redeemed") == []
