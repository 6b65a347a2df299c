"""The processing centre's day in Chromium: triage and routing by a dispatcher, a
department handler accepting and resolving with a photo, a supervisor's review,
the call-back, and the monthly analysis showing what was put in."""

from __future__ import annotations

import re

import pytest
from console_helpers import browser_login, image_width, jpeg_bytes, shot
from playwright.sync_api import expect
from sqlalchemy import select

from server_sync.models import Report
from server_sync.models.console import AuditEntry, HistoryMedia

# Chromium runs against SQLite only; the HTTP-level tests cover PostgreSQL too.
pytestmark = pytest.mark.parametrize("console_server", ["sqlite"], indirect=True)


def test_report_goes_from_triage_to_closed_through_every_role(console_server, browser, tmp_path):
    server = console_server
    ticket = server.submit("environment", location="b07-lift-1", text="楼道垃圾三天没人清理")
    other = server.submit("noise", location="b03")

    # The dispatcher sees both new reports on the daily triage and re-routes one.
    context, page = browser_login(browser, server, "dispatcher")
    page.goto(f"{server.url}/console/reports/triage")
    assert page.locator("h1").inner_text().startswith("每日分派")
    row = page.locator("tr", has_text=ticket)
    assert row.count() == 1 and page.locator("tr", has_text=other).count() == 1
    expect(row).to_contain_text("环境卫生")
    shot(page, "01-triage")

    row.locator("select[name=department]").select_option("property")
    row.locator("input[name=note]").fill("")
    row.locator("button[type=submit]").click()
    # Another department than the category's needs a reason.
    expect(page.locator(".error")).to_contain_text("请写明原因")
    page.goto(f"{server.url}/console/reports/triage")
    row = page.locator("tr", has_text=ticket)
    row.locator("select[name=department]").select_option("property")
    row.locator("input[name=note]").fill("垃圾堆在物业负责的设备间门口")
    row.locator("button[type=submit]").click()
    expect(page.locator(".flash")).to_contain_text("已派单")
    expect(page.locator("dl.facts")).to_contain_text("物业服务中心")
    shot(page, "02-report-routed")
    context.close()

    # The property handler finds it in the department queue, accepts and resolves with a photo.
    context, page = browser_login(browser, server, "property")
    assert page.url.endswith("/console/queue")
    assert page.locator("tr", has_text=ticket).count() == 1
    assert page.locator("tr", has_text=other).count() == 0  # noise belongs to the police
    shot(page, "03-department-queue")
    page.click(f"text={ticket}")
    page.click("form[action$='/accept'] button")
    expect(page.locator("h1")).to_contain_text("处理中")
    photo = tmp_path / "cleared.jpg"
    photo.write_bytes(jpeg_bytes((40, 160, 60)))
    page.fill("#resolve-note", "已清运，并提醒保洁每天检查")
    page.set_input_files("#resolve-photos", str(photo))
    page.click("form[action$='/resolve'] button")
    expect(page.locator("h1")).to_contain_text("已办结")
    history = page.locator("ol.history")
    assert "已清运" in history.inner_text()
    image = history.locator("img")
    assert image.count() == 1
    assert image_width(page, image) == 64
    shot(page, "04-report-resolved-with-photo")
    context.close()

    # The supervisor approves the resolution.
    context, page = browser_login(browser, server, "supervisor")
    assert page.url.endswith("/console/reports/review")
    page.click(f"text={ticket}")
    page.fill("#review-note", "照片清楚，处理到位")
    page.click("form[action$='/review'] button[value=approve]")
    expect(page.locator("h1")).to_contain_text("已审核")
    shot(page, "05-report-reviewed")
    context.close()

    # The dispatcher calls the resident back and records the rating.
    context, page = browser_login(browser, server, "dispatcher")
    page.goto(f"{server.url}/console/reports/callback")
    shot(page, "06-callback-list")
    page.click(f"text={ticket}")
    page.select_option("#rating", "4")
    page.fill("#callback-note", "满意，希望以后及时一些")
    page.click("form[action$='/callback'] button")
    expect(page.locator("h1")).to_contain_text("已关闭")
    expect(page.locator("dl.facts")).to_contain_text("★★★★☆")
    shot(page, "07-report-closed")

    # The month's analysis counts both reports, one done, rated 4.
    page.goto(f"{server.url}/console/analysis")
    assert page.locator("#kpi-reports").inner_text() == "2"
    assert page.locator("#kpi-completion").inner_text() == "50%"
    assert page.locator("#kpi-satisfaction").inner_text() == "4.0 / 5"
    # The one resolved report was on time; the open one is not yet due.
    assert page.locator("#kpi-on-time").inner_text() == "100%"
    assert page.locator("svg.chart").count() == 3
    environment_row = page.locator("#categories-table tr", has_text="环境卫生")
    assert re.search(r"\b1\s+50%", environment_row.inner_text())
    shot(page, "08-analysis")
    csv_link = page.locator("a", has_text="CSV")
    with page.expect_download() as download:
        csv_link.click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert ",environment,1,0.500," in text
    context.close()

    with server.database.read_session() as session:
        report = session.scalar(select(Report).where(Report.ticket == ticket))
        assert (report.status, report.department, report.rating) == ("closed", "property", 4)
        steps = [h.status_to for h in report.history]
        assert steps == ["submitted", "routed", "routed", "accepted", "resolved", "reviewed",
                         "closed"]  # fmt: skip
        assert session.scalar(select(HistoryMedia.kind)) == "photo"
        actions = [
            (a.actor, a.action)
            for a in session.scalars(
                select(AuditEntry).where(AuditEntry.target == f"report:{ticket}")
            )
        ]
    assert actions == [
        ("staff:dispatcher", "report.route"),
        ("staff:property", "report.accept"),
        ("staff:property", "report.resolve"),
        ("staff:supervisor", "report.review"),
        ("staff:dispatcher", "report.callback"),
    ]


def test_supervisor_reads_the_audit_log(console_server, browser):
    server = console_server
    ticket = server.submit("lift_fault")
    context, page = browser_login(browser, server, "admin")
    page.goto(f"{server.url}/console/reports/{ticket}")
    page.fill("#county-note", "电梯更换需要县住建局审批")
    page.click("form[action$='/county'] button")
    expect(page.locator("h1")).to_contain_text("需县级协调")
    context.close()

    context, page = browser_login(browser, server, "supervisor")
    page.goto(f"{server.url}/console/audit?target={ticket}")
    row = page.locator("#audit tbody tr").first
    assert "staff:admin" in row.inner_text() and "report.county" in row.inner_text()
    shot(page, "09-audit-log")
    context.close()
