"""The phone pages behind the QR posters: `/r/{location}` to report, `/t/{ticket}` to follow.

Whatever a phone sends is checked: the form needs its CSRF token, the body has
a size limit before it is read, each file is recognised from its bytes, and an
address may send only a few reports in a while. A report goes in as a
`report.submitted` event through the same path as a kiosk's, with a ticket
from the server's own `WEB` sequence.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server_sync.console.auth import client_address, posted_form, public_page
from server_sync.console.media import UploadRefused, store_upload
from server_sync.console.ratelimit import RateLimiter
from server_sync.console.web import Page, PageError
from server_sync.ingest import apply_batch
from server_sync.models import Category, Location, Report, ReportHistory, utcnow
from server_sync.models.console import TicketSequence
from server_sync.protocol import ResultStatus, new_event_id
from server_sync.protocol.points import COMMUNITY_TZ
from server_sync.protocol.tickets import format_ticket, parse_ticket

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

WEB_CODE = "WEB"
# Three photos of 8 MB, a voice note and a video fit; anything larger is refused unread.
MAX_BODY_BYTES = 100 * 1024 * 1024
MAX_PHOTOS = 3
PHONE_RE = re.compile(r"^[0-9+\-]{5,20}$")
# Reports and ratings per address: enough for a family sharing Wi-Fi, too few for a flood.
REPORT_LIMIT, REPORT_WINDOW_S = 6, 15 * 60
RATE_LIMIT, RATE_WINDOW_S = 10, 15 * 60
# Tickets this phone has made, kept in its session so that only it can rate them.
KEEP_TICKETS = 10
STEPS = ("submitted", "routed", "accepted", "resolved", "reviewed", "closed")


def _limiter(page: Page, name: str, limit: int, window: float) -> RateLimiter:
    state = page.request.app.state
    attr = f"phone_{name}_limiter"
    if not hasattr(state, attr):
        setattr(state, attr, RateLimiter(limit, window))
    return getattr(state, attr)


def next_server_ticket(database, code: str, now: datetime) -> str:
    """The next ticket from the server's own sequence for `code` on today's community date."""
    day = now.astimezone(COMMUNITY_TZ).date()
    for _attempt in range(3):
        try:
            with database.transaction() as session:
                row = session.scalar(
                    select(TicketSequence)
                    .where(TicketSequence.code == code, TicketSequence.day == f"{day:%y%m%d}")
                    .with_for_update()
                )
                if row is None:
                    row = TicketSequence(code=code, day=f"{day:%y%m%d}", last=0)
                    session.add(row)
                row.last += 1
                seq = row.last
            return format_ticket(code, day, seq)
        except IntegrityError:
            continue  # another request created today's row at the same moment
    raise RuntimeError("could not take a ticket number")


def _location(page: Page, key: str) -> Location:
    location = page.db.get(Location, key[:80])
    if location is None:
        raise PageError(404, "phone.no_location")
    return location


def _categories(page: Page) -> list[Category]:
    return list(page.db.scalars(select(Category).order_by(Category.position, Category.key)))


@router.get("/r/{location_key}")
def report_form(location_key: str, page: Page = Depends(public_page)):
    location = _location(page, location_key)
    return page.render(
        "phone_report.html", location=location, categories=_categories(page), error=None, form={}
    )


def phone_guard(page: Page = Depends(public_page)) -> str:
    """Refuse an oversized body or a flooding address before the body is read; the address."""
    declared = page.request.headers.get("content-length", "")
    if not declared.isdigit():
        raise PageError(411, "phone.length_needed")
    if int(declared) > MAX_BODY_BYTES:
        raise PageError(413, "upload.too_large")
    address = client_address(page.request)
    if _limiter(page, "report", REPORT_LIMIT, REPORT_WINDOW_S).blocked(address):
        logger.info("phone report refused: too many from %s", address)
        raise PageError(429, "phone.too_many")
    return address


@router.post("/r/{location_key}")
def submit_report(
    location_key: str,
    page: Page = Depends(public_page),
    address: str = Depends(phone_guard),
    form=Depends(posted_form),
):
    # The body has been read before the first query: on SQLite a writing session holds
    # the write lock from its first statement, and a slow phone must not hold it.
    limiter = _limiter(page, "report", REPORT_LIMIT, REPORT_WINDOW_S)
    location = _location(page, location_key)

    def again(key: str, status: int = 422):
        values = {"category": str(form.get("category", "")), "text": str(form.get("text", ""))}
        return page.render(
            "phone_report.html",
            status=status,
            location=location,
            categories=_categories(page),
            error=page.t(key),
            form=values,
        )

    category = page.db.get(Category, str(form.get("category", ""))[:40])
    if category is None:
        return again("phone.choose_category")
    text = str(form.get("text", "")).strip()
    if len(text) > 2000:
        return again("phone.text_too_long")
    phone = re.sub(r"[\s()]", "", str(form.get("phone", "")))[:40]
    if phone and not PHONE_RE.match(phone):
        return again("phone.bad_phone")

    settings = page.request.app.state.settings
    store = page.request.app.state.media
    media: list[dict[str, str]] = []
    try:
        photos = [f for f in form.getlist("photos") if getattr(f, "filename", None)]
        if len(photos) > MAX_PHOTOS:
            raise UploadRefused("upload.too_many")
        uploads = [(f, "photo") for f in photos]
        for field, kind in (("voice", "voice"), ("video", "video")):
            item = form.get(field)
            if getattr(item, "filename", None):
                uploads.append((item, kind))
        for upload, kind in uploads:
            limit = settings.media_limit(kind)
            data = upload.file.read(limit + 1)
            sha, kind = store_upload(page.db, store, data, kind, limit)
            media.append({"sha256": sha, "kind": kind})
        page.db.commit()
    except UploadRefused as exc:
        page.db.rollback()
        return again(exc.key, 415 if exc.key in ("upload.not_media", "upload.wrong_kind") else 413)
    if not text and not media:
        return again("phone.say_something")

    limiter.hit(address)
    now = utcnow()
    ticket = next_server_ticket(page.request.app.state.database, WEB_CODE, now)
    event = {
        "id": str(new_event_id()),
        "type": "report.submitted",
        "occurred_at": now.isoformat(),
        "payload": {
            "ticket": ticket,
            "category": category.key,
            "location": location.key,
            "building": location.building,
            "text": text,
            "media": media,
            "contact": {"kind": "phone", "phone": phone} if phone else {"kind": "anonymous"},
        },
    }
    result = apply_batch(page.request.app.state.database, None, [event])[0]
    if result.status != ResultStatus.ACCEPTED:
        logger.warning("phone report %s not accepted: %s", ticket, result.reason)
        return again("phone.failed", 500)
    logger.info("phone report %s (%s) at %s", ticket, category.key, location.key)
    mine = [ticket, *[t for t in page.session.get("t", []) if t != ticket]][:KEEP_TICKETS]
    page.session["t"] = mine
    page._dirty = True
    return page.redirect(f"/t/{ticket}", done="phone_sent")


def _ticket_report(page: Page, ticket: str) -> Report:
    parsed = parse_ticket(ticket[:40])
    report = None
    if parsed is not None:
        report = page.db.scalar(select(Report).where(Report.ticket == str(parsed)))
    if report is None:
        raise PageError(404, "phone.no_ticket")
    return report


@router.get("/t/{ticket}")
def ticket_page(ticket: str, page: Page = Depends(public_page)):
    report = _ticket_report(page, ticket)
    category = page.db.get(Category, report.category)
    # Only the dates of each step: notes may name people, so they stay on the console.
    reached: dict[str, datetime] = {}
    for status, at in page.db.execute(
        select(ReportHistory.status_to, ReportHistory.at)
        .where(ReportHistory.report_id == report.id)
        .order_by(ReportHistory.id)
    ):
        reached.setdefault(status, at)
    can_rate = (
        report.status in ("resolved", "reviewed")
        and report.rating is None
        and report.ticket in page.session.get("t", [])
    )
    return page.render(
        "phone_ticket.html",
        report=report,
        category=category,
        steps=STEPS,
        reached=reached,
        can_rate=can_rate,
        error=page.request.query_params.get("error"),
    )


@router.post("/t/{ticket}/rate")
def rate_report(ticket: str, page: Page = Depends(public_page), form=Depends(posted_form)):
    report = _ticket_report(page, ticket)
    back = f"/t/{report.ticket}"
    if report.ticket not in page.session.get("t", []):
        raise PageError(403, "phone.not_yours", back=back)
    limiter = _limiter(page, "rate", RATE_LIMIT, RATE_WINDOW_S)
    if not limiter.hit(client_address(page.request)):
        raise PageError(429, "phone.too_many", back=back)
    rating = str(form.get("rating", ""))
    if rating not in ("1", "2", "3", "4", "5"):
        return page.redirect(f"{back}?error=phone.choose_rating")
    event = {
        "id": str(new_event_id()),
        "type": "report.rated",
        "occurred_at": utcnow().isoformat(),
        "payload": {
            "ticket": report.ticket,
            "rating": int(rating),
            "comment": str(form.get("comment", "")).strip()[:500],
        },
    }
    page.db.rollback()  # release the read before the rating is written
    result = apply_batch(page.request.app.state.database, None, [event])[0]
    if result.status != ResultStatus.ACCEPTED:
        logger.info("rating for %s refused: %s", report.ticket, result.reason)
        return page.redirect(f"{back}?error=phone.rate_refused")
    return page.redirect(back, done="phone_rated")
