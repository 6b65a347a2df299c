"""Who may see and change what on the console, and forms that are refused."""

from __future__ import annotations

from console_helpers import csrf_of, jpeg_bytes, login
from sqlalchemy import select

from server_sync.models import Report
from server_sync.models.console import AuditEntry


def test_signed_out_visitor_is_sent_to_the_login_page(console_server):
    with console_server.client() as client:
        response = client.get("/console/reports/triage")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login?next=%2Fconsole%2Freports")


def test_handler_cannot_open_or_change_another_departments_report(console_server):
    ticket = console_server.submit("noise", text="楼上装修到半夜")  # routed to the police
    with console_server.client() as client:
        assert login(client, "property").status_code == 303
        page = client.get(f"/console/reports/{ticket}")
        assert page.status_code == 403
        assert "这个工单属于其他部门" in page.text
        assert "楼上装修到半夜" not in page.text

        own = console_server.submit("housing_repair")
        token = csrf_of(client.get(f"/console/reports/{own}").text)
        refused = client.post(f"/console/reports/{ticket}/accept", data={"csrf": token})
        assert refused.status_code == 403
        assert client.get("/console/reports/triage").status_code == 403  # not a dispatcher
    with console_server.database.read_session() as session:
        assert session.scalar(select(Report.status).where(Report.ticket == ticket)) == "routed"


def test_each_role_is_kept_to_its_own_pages(console_server):
    expectations = {
        "tech": {"/console/fleet": 200, "/console/reports": 403, "/console/points/accounts": 403},
        "shop": {"/console/points/accounts": 200, "/console/fleet": 403, "/console/audit": 403},
        "dispatcher": {"/console/reports/triage": 200, "/console/audit": 403,
                       "/console/reports/review": 403, "/console/staff": 403},
        "supervisor": {"/console/audit": 200, "/console/reports/review": 200,
                       "/console/reports/callback": 403, "/console/notices": 403},
    }  # fmt: skip
    for username, pages in expectations.items():
        with console_server.client() as client:
            login(client, username)
            seen = {path: client.get(path).status_code for path in pages}
        assert seen == pages, username


def test_form_without_its_csrf_token_is_refused_and_changes_nothing(console_server):
    ticket = console_server.submit("environment")
    with console_server.client() as client:
        login(client, "dispatcher")
        token = csrf_of(client.get(f"/console/reports/{ticket}").text)
        wrong = token[:-2] + ("xx" if not token.endswith("xx") else "yy")
        for data in (
            {"department": "property", "note": "试试"},
            {"department": "property", "note": "试试", "csrf": wrong},
        ):
            response = client.post(f"/console/reports/{ticket}/route", data=data)
            assert response.status_code == 403
            assert "表单已过期" in response.text
    with console_server.client() as stranger:
        # A token from another session is no good either.
        login(stranger, "admin")
        response = stranger.post(
            f"/console/reports/{ticket}/route",
            data={"department": "property", "note": "x", "csrf": token},
        )
        assert response.status_code == 403
    with console_server.database.read_session() as session:
        report = session.scalar(select(Report).where(Report.ticket == ticket))
        assert report.department == "sanitation"
        assert (
            session.scalar(select(AuditEntry).where(AuditEntry.target == f"report:{ticket}"))
            is None
        )


def test_photo_that_is_not_an_image_is_refused(console_server):
    ticket = console_server.submit("housing_repair")
    with console_server.client() as client:
        login(client, "property")
        token = csrf_of(client.get(f"/console/reports/{ticket}").text)
        client.post(f"/console/reports/{ticket}/accept", data={"csrf": token})
        fake = ("cleared.jpg", b"<?php system($_GET['x']); ?>" + b" " * 100, "image/jpeg")
        response = client.post(
            f"/console/reports/{ticket}/resolve",
            data={"csrf": token, "note": "已修好"},
            files={"photos": fake},
        )
        assert response.status_code == 303
        assert "error=upload.not_media" in response.headers["location"]
        page = client.get(response.headers["location"])
        assert "这个文件不是照片、语音或视频" in page.text

        good = client.post(
            f"/console/reports/{ticket}/resolve",
            data={"csrf": token, "note": "已修好"},
            files={"photos": ("fixed.jpg", jpeg_bytes(), "image/jpeg")},
        )
        assert "done=report_resolve" in good.headers["location"]
    with console_server.database.read_session() as session:
        assert session.scalar(select(Report.status).where(Report.ticket == ticket)) == "resolved"


def test_handler_cannot_play_media_of_another_department(console_server):
    ticket = console_server.submit("housing_repair")
    with console_server.client() as client:
        login(client, "property")
        token = csrf_of(client.get(f"/console/reports/{ticket}").text)
        client.post(
            f"/console/reports/{ticket}/note",
            data={"csrf": token, "note": "现场照片"},
            files={"photos": ("site.jpg", jpeg_bytes((1, 2, 3)), "image/jpeg")},
        )
        html = client.get(f"/console/reports/{ticket}").text
        sha = html.split('src="/console/media/')[1][:64]
        assert client.get(f"/console/media/{sha}").headers["content-type"] == "image/jpeg"
    with console_server.client() as client:
        login(client, "sanitation")
        assert client.get(f"/console/media/{sha}").status_code == 403


def test_login_is_refused_for_a_while_after_repeated_wrong_passwords(console_server):
    with console_server.client() as client:
        statuses = [login(client, "supervisor", "wrong-password").status_code for _ in range(5)]
        assert statuses == [401] * 5
        blocked = login(client, "supervisor")  # the right password, too late
        assert blocked.status_code == 429
        assert "尝试次数太多" in blocked.text
    with console_server.client() as client:
        assert login(client, "dispatcher").status_code == 303  # others are not affected


def test_logout_ends_the_session(console_server):
    with console_server.client() as client:
        login(client, "tech")
        token = csrf_of(client.get("/console/fleet").text)
        assert client.post("/console/logout", data={"csrf": token}).status_code == 303
        assert client.get("/console/fleet").status_code == 303


def test_control_characters_in_an_address_or_a_form_never_reach_the_database(console_server):
    with console_server.client() as client:
        login(client, "dispatcher")
        assert client.get("/console/reports", params={"q": "L07\x00"}).status_code == 400
        assert client.get("/r/b03%00").status_code == 400
        refused = client.get("/open311/v2/requests.json", params={"service_code": "x\x00"})
        assert refused.status_code == 400 and refused.json()[0]["code"] == 400

        ticket = console_server.submit("environment")
        token = csrf_of(client.get(f"/console/reports/{ticket}").text)
        response = client.post(
            f"/console/reports/{ticket}/note", data={"csrf": token, "note": "清\x00理\x07完毕"}
        )
        assert "done=report_note" in response.headers["location"]
        assert "清理完毕" in client.get(f"/console/reports/{ticket}").text
