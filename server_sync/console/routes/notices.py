"""Notices for the kiosks: write, publish, correct and withdraw.

A notice reaches the devices through the sync state's `notices` kind: saving
one records a change, and withdrawing it makes the devices delete it.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends
from sqlalchemy import select

from server_sync.console.audit import audit
from server_sync.console.auth import posted_form, staff_page
from server_sync.console.web import Page, PageError
from server_sync.models import Notice, utcnow
from server_sync.protocol.points import COMMUNITY_TZ

router = APIRouter(include_in_schema=False)

KINDS = ("policy", "news")


@router.get("/console/notices")
def notices_page(page: Page = Depends(staff_page("notices")), edit: str = ""):
    notices = page.db.scalars(select(Notice).order_by(Notice.published_at.desc())).all()
    editing = page.db.get(Notice, edit[:80]) if edit else None
    return page.render(
        "notices.html",
        notices=notices,
        editing=editing,
        kinds=KINDS,
        error=page.request.query_params.get("error"),
    )


@router.post("/console/notices")
def save_notice(page: Page = Depends(staff_page("notices")), form=Depends(posted_form)):
    fields = {
        "kind": str(form.get("kind", "news")),
        "title_zh": str(form.get("title_zh", "")).strip()[:200],
        "title_en": str(form.get("title_en", "")).strip()[:300],
        "body_zh": str(form.get("body_zh", "")).strip()[:5000],
        "body_en": str(form.get("body_en", "")).strip()[:5000],
    }
    if fields["kind"] not in KINDS or not fields["title_zh"] or not fields["body_zh"]:
        return page.redirect("/console/notices?error=notices.incomplete")
    key = str(form.get("key", "")).strip()[:80]
    if key:
        notice = page.db.get(Notice, key)
        if notice is None:
            raise PageError(404, "error.not_found", back="/console/notices")
        action = "notice.update"
    else:
        now = utcnow()
        key = f"{now.astimezone(COMMUNITY_TZ):%Y%m%d}-{secrets.token_hex(3)}"
        notice = Notice(key=key, published_at=now)
        page.db.add(notice)
        action = "notice.publish"
    for name, value in fields.items():
        setattr(notice, name, value)
    notice.withdrawn_at = None
    audit(page, action, f"notice:{key}", kind=fields["kind"], title=fields["title_zh"])
    page.db.commit()
    return page.redirect("/console/notices", done="notice_saved")


@router.post("/console/notices/{key}/withdraw")
def withdraw_notice(
    key: str, page: Page = Depends(staff_page("notices")), _form=Depends(posted_form)
):
    notice = page.db.get(Notice, key[:80])
    if notice is None:
        raise PageError(404, "error.not_found", back="/console/notices")
    notice.withdrawn_at = utcnow()
    audit(page, "notice.withdraw", f"notice:{notice.key}")
    page.db.commit()
    return page.redirect("/console/notices", done="notice_withdrawn")
