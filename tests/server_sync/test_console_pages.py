"""The fleet, notices and points pages, in Chromium and against the device API:
what a technician, the processing centre and the supermarket manager see and do."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from console_helpers import browser_login, shot
from playwright.sync_api import expect
from sqlalchemy import select

from server_sync.enrolment import create_code
from server_sync.ingest import apply_batch
from server_sync.models import Device, utcnow
from server_sync.models.console import AuditEntry
from server_sync.models.points import LedgerEntry, OverdraftFlag, PointsAccount, PointsCard
from server_sync.points.seed import seed_demo_community, seed_points

# Chromium runs against SQLite only; the HTTP-level tests cover PostgreSQL too.
pytestmark = pytest.mark.parametrize("console_server", ["sqlite"], indirect=True)


def _enrol(server, client, location="b07-lift-1", role="lift", name="7号楼1号梯"):
    with server.database.transaction() as session:
        code = create_code(session, role, location)
    body = client.post("/api/v1/devices/enroll", json={"code": code, "name": name}).json()
    return body["device_id"], {"Authorization": f"Bearer {body['token']}"}


def _heartbeat(client, headers, **extra):
    beat = {"device_time": utcnow().isoformat(), "queue_depth": 3, "oldest_unsent_age_s": 420,
            "versions": {"kiosk": "0.1.0"}, "printer": {"ok": False, "status": "缺纸"},
            "camera": {"ok": True, "status": "ok"}} | extra  # fmt: skip
    response = client.post("/api/v1/devices/heartbeat", json=beat, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_fleet_shows_silent_devices_and_carries_commands_to_them(console_server, browser):
    server = console_server
    with server.client() as client:
        live_id, live = _enrol(server, client)
        silent_id, silent = _enrol(server, client, "square", "square", "广场终端")
        _heartbeat(client, live)
        _heartbeat(client, silent, queue_depth=0)
    with server.database.transaction() as session:
        session.get(Device, silent_id).last_seen_at = utcnow() - timedelta(minutes=25)

    context, page = browser_login(browser, server, "tech")
    assert page.url.endswith("/console/fleet")
    rows = page.locator("#devices tbody tr")
    assert "S01" in rows.nth(0).inner_text()  # the silent device comes first
    assert "已 25 分钟无心跳" in rows.nth(0).inner_text()
    live_row = page.locator("#devices tr", has_text="7号楼1号梯")
    assert "无心跳" not in live_row.inner_text()
    assert "缺纸" in live_row.inner_text() and "7 分钟" in live_row.inner_text()
    expect(page.locator(".error")).to_contain_text("1 台设备超过10分钟没有心跳")

    page.select_option("#cmd-device", str(live_id))
    page.select_option("#cmd-name", "set_config")
    page.fill("#cmd-key", "idle_seconds")
    page.fill("#cmd-value", "90")
    page.click("form[action='/console/fleet/command'] button")
    expect(page.locator(".flash")).to_contain_text("命令已排队")

    with server.client() as client:
        commands = _heartbeat(client, live)["commands"]
        assert commands == [
            {"id": commands[0]["id"], "name": "set_config",
             "args": {"key": "idle_seconds", "value": 90}},
        ]  # fmt: skip
        event = {"id": str(uuid.uuid4()), "type": "command.completed",
                 "occurred_at": utcnow().isoformat(),
                 "payload": {"command_id": commands[0]["id"], "ok": True,
                             "output": "idle_seconds = 90"}}  # fmt: skip
        pushed = client.post("/api/v1/sync/events", json={"events": [event]}, headers=live)
        assert pushed.json()["results"][0]["status"] == "accepted"

    page.goto(f"{server.url}/console/fleet")
    outcome = page.locator("#commands tbody tr").first.inner_text()
    assert "已完成" in outcome and "idle_seconds = 90" in outcome

    page.select_option("#code-role", "supermarket")
    page.select_option("#code-location", "supermarket")
    page.click("form[action='/console/fleet/enrolment-code'] button")
    code = page.locator("#enrolment-code").inner_text()
    shot(page, "31-enrolment-code")
    with server.client() as client:
        enrolled = client.post("/api/v1/devices/enroll", json={"code": code, "name": "超市"})
        assert enrolled.status_code == 201 and enrolled.json()["short_code"] == "M01"
    page.goto(f"{server.url}/console/fleet")
    shot(page, "30-fleet")
    context.close()


def test_notice_published_on_the_console_reaches_the_kiosks(console_server, browser):
    server = console_server
    with server.client() as client:
        _device_id, headers = _enrol(server, client, "b03", "lift", "3号楼")
        cursor = client.get("/api/v1/sync/state", headers=headers).json()["cursor"]

    context, page = browser_login(browser, server, "dispatcher")
    page.goto(f"{server.url}/console/notices")
    page.select_option("#kind", "policy")
    page.fill("#title_zh", "冬季供暖开始")
    page.fill("#title_en", "Winter heating begins")
    page.fill("#body_zh", "12月5日起开始供暖，如有问题请扫码反映。")
    page.click("form[action='/console/notices'] button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("公告已发布")
    shot(page, "32-notices")

    with server.client() as client:
        state = client.get("/api/v1/sync/state", params={"since": cursor}, headers=headers).json()
        [notice] = state["changes"]["notices"]
        assert (notice["title_zh"], notice["kind"]) == ("冬季供暖开始", "policy")

        page.locator("#notices tr", has_text="冬季供暖开始").locator("button").click()
        expect(page.locator(".flash")).to_contain_text("公告已撤下")
        later = client.get("/api/v1/sync/state", params={"since": state["cursor"]},
                           headers=headers).json()  # fmt: skip
        assert later["changes"]["notices"] == [{"key": notice["key"], "deleted": True}]
    context.close()


def test_supermarket_manager_issues_revokes_and_prints_cards(console_server, browser):
    server = console_server
    with server.database.transaction() as session:
        seed_points(session)
        seed_demo_community(session, server.data_dir)
        account = session.scalars(select(PointsAccount).order_by(PointsAccount.id)).first()
        account_id, balance = account.id, account.balance
        # Two desks redeemed offline against the same balance: the server flagged it.
        entry = session.scalar(select(LedgerEntry).where(LedgerEntry.account_id == account_id))
        session.add(OverdraftFlag(entry_id=entry.id, account_id=account_id, what="balance",
                                  shortfall=7))  # fmt: skip

    context, page = browser_login(browser, server, "shop")
    assert page.url.endswith("/console/points/accounts")
    assert page.locator("#accounts tbody tr").count() >= 5
    shot(page, "40-points-accounts")

    page.goto(f"{server.url}/console/points/accounts/{account_id}")
    assert page.locator("#balance").inner_text() == str(balance)
    before = page.locator("#cards tbody tr").count()
    page.click("form[action$='/cards'] button[value=issue]")
    expect(page.locator(".flash")).to_contain_text("新卡已发")
    assert page.locator("#cards tbody tr").count() == before + 1

    first = page.locator("#cards tbody tr").first
    card_no = first.locator("td").nth(1).inner_text()
    first.locator("input[name=reason]").fill("遗失")
    first.locator("button[value=revoke]").click()
    expect(page.locator(".flash")).to_contain_text("卡已挂失作废")
    shot(page, "41-points-account")

    # The sheet form posts the ticked cards; fetch it with this browser session's cookies.
    csrf = page.locator("#sheet-form input[name=csrf]").get_attribute("value")
    active = page.locator("#cards input[name=card]").first.get_attribute("value")
    sheet = context.request.post(
        f"{server.url}/console/points/cards/sheet.pdf", form={"csrf": csrf, "card": active}
    )
    assert sheet.status == 200 and sheet.headers["content-type"] == "application/pdf"
    assert sheet.body()[:5] == b"%PDF-"

    page.goto(f"{server.url}/console/points/overdrafts")
    flag = page.locator("#overdrafts tbody tr").first
    expect(flag).to_contain_text("余额不足")
    flag.locator("input[name=note]").fill("已联系住户，下次领取时扣回7分")
    flag.locator("button").click()
    expect(page.locator(".flash")).to_contain_text("已处理")
    expect(page.locator("#overdrafts tbody tr").first).to_contain_text("下次领取时扣回7分")

    for path, name in (("/console/points/ledger", "42-points-ledger"),
                       ("/console/points/overdrafts", "43-points-overdrafts"),
                       ("/console/points/rules", "44-points-rules"),
                       ("/console/points/catalogue", "45-points-catalogue"),
                       ("/console/points/stars", "46-points-stars")):  # fmt: skip
        response = page.goto(f"{server.url}{path}")
        assert response.status == 200
        shot(page, name)
    assert page.locator("#stars tbody tr").count() >= 1

    page.goto(f"{server.url}/console/points/catalogue")
    row = page.locator("#catalogue tr", has_text="rice")
    stock_before = int(row.locator("td").nth(3).inner_text().split()[0])
    row.locator("input[name=change]").fill("20")
    row.locator("button").click()
    row = page.locator("#catalogue tr", has_text="rice")
    assert int(row.locator("td").nth(3).inner_text().split()[0]) == stock_before + 20
    context.close()

    with server.database.read_session() as session:
        card = session.get(PointsCard, card_no)
        assert card.status == "revoked" and card.revoke_reason == "遗失"
        actions = set(session.scalars(select(AuditEntry.action).where(
            AuditEntry.actor == "staff:shop")))  # fmt: skip
        assert {"card.issue", "card.revoke", "card.print", "stock.restock",
                "overdraft.settle"} <= actions  # fmt: skip
        assert session.scalar(select(OverdraftFlag.settled_by)) == "staff:shop"


def test_help_call_from_a_kiosk_stands_out_on_triage_until_acknowledged(console_server, browser):
    server = console_server
    event = {
        "id": str(uuid.uuid4()),
        "type": "help.requested",
        "occurred_at": utcnow().isoformat(),
        "payload": {"location": "b12-lift-2"},
    }
    assert apply_batch(server.database, None, [event])[0].status == "accepted"

    context, page = browser_login(browser, server, "dispatcher")
    alert = page.locator("#help-requests")
    assert "紧急求助 1 条" in alert.inner_text() and "b12-lift-2" in alert.inner_text()
    shot(page, "10-triage-help-call")
    alert.locator("button").click()
    expect(page.locator(".flash")).to_contain_text("有人去处理了")
    assert page.locator("#help-requests").count() == 0
    context.close()


def test_home_visit_asked_for_at_a_kiosk_is_arranged_and_marked_done(console_server, browser):
    server = console_server
    event = {
        "id": str(uuid.uuid4()),
        "type": "service.requested",
        "occurred_at": utcnow().isoformat(),
        "payload": {"service": "fetch_medicine", "location": "b07-lift-1", "building": 7,
                    "unit": 1203, "contact": {"kind": "phone", "phone": "13700001234"}},
    }  # fmt: skip
    assert apply_batch(server.database, None, [event])[0].status == "accepted"

    context, page = browser_login(browser, server, "dispatcher")
    page.goto(f"{server.url}/console/visits")
    row = page.locator("#visits tbody tr").first
    expect(row).to_contain_text("代取药品")
    expect(row).to_contain_text("1203")
    expect(row).to_contain_text("13700001234")
    shot(page, "11-home-visits")
    row.locator("button").click()
    expect(page.locator(".flash")).to_contain_text("已记为完成")
    expect(page.locator("#visits tbody")).to_contain_text("没有符合条件的记录")
    context.close()
    with server.database.read_session() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "visit.done"))
        assert entry.actor == "staff:dispatcher" and entry.detail == {"service": "fetch_medicine"}


PAGES = (
    "/console/visits",
    "/console/reports/triage", "/console/reports/weekly", "/console/reports/review",
    "/console/reports/callback", "/console/reports", "/console/analysis", "/console/fleet",
    "/console/notices", "/console/audit", "/console/staff", "/console/points/accounts",
    "/console/points/ledger", "/console/points/overdrafts", "/console/points/rules",
    "/console/points/catalogue", "/console/points/stars",
)  # fmt: skip


def test_every_page_renders_in_chinese_and_english(console_server, browser):
    server = console_server
    context, page = browser_login(browser, server, "admin")
    for lang, heading in (("en", "Daily triage"), ("zh", "每日分派")):
        page.goto(f"{server.url}/console/reports/triage?lang={lang}")
        assert page.locator("h1").inner_text().startswith(heading)
        for path in PAGES:
            response = page.goto(f"{server.url}{path}")
            assert response.status == 200, path
            assert page.locator("h1").count() == 1, path
            shot(page, f"50-{lang}-{path.strip('/').replace('/', '-')}")
    # A tablet held upright, and the analysis as it prints.
    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto(f"{server.url}/console/reports/triage")
    shot(page, "53-tablet-triage")
    page.goto(f"{server.url}/console/analysis")
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    assert page.locator("svg.chart").first.is_visible()
    shot(page, "54-analysis-print")
    page.emulate_media(media="screen")
    page.goto(f"{server.url}/console/reports/NO-SUCH-0001")
    expect(page.locator(".error")).to_contain_text("找不到这个工单")
    shot(page, "51-error-page")
    context.close()
    login_page = browser.new_page()
    login_page.goto(f"{server.url}/console/login?lang=en")
    assert login_page.locator("h1").inner_text() == "Staff sign-in"
    shot(login_page, "52-login")
    login_page.close()
