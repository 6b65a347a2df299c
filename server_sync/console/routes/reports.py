"""Report pages: triage, weekly, review, call-back, the department queue, search, and one
report with its whole history and media."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse
from sqlalchemy import select

from server_sync.console import queries, workflow
from server_sync.console.audit import audit
from server_sync.console.auth import posted_form, staff_page
from server_sync.console.media import UploadRefused, media_path, store_upload
from server_sync.console.web import Page, PageError
from server_sync.models import HelpRequest, MediaObject, Report, ReportHistory, utcnow
from server_sync.models.console import HistoryMedia

logger = logging.getLogger(__name__)

router = APIRouter()

LISTS = {
    "triage": ("reports", "list.triage_title", "list.triage_help"),
    "weekly": ("reports", "list.weekly_title", "list.weekly_help"),
    "review": ("review", "list.review_title", "list.review_help"),
    "callback": ("callback", "list.callback_title", "list.callback_help"),
    "queue": ("work", "list.queue_title", "list.queue_help"),
}
MAX_NOTE_FILES = 5


def _int(value: str | None, default: int = 1) -> int:
    try:
        return max(int(value or default), 1)
    except ValueError:
        return default


def _render_list(page: Page, name: str, query, **extra):
    now = utcnow()
    number = _int(page.request.query_params.get("page"))
    reports, total = queries.page_of(page.db, query, number)
    categories, departments = queries.names(page.db)
    _cap, title, help_key = LISTS.get(name, ("", "list.all_title", "list.all_help"))
    return page.render(
        "reports_list.html",
        list_name=name,
        title=page.t(title),
        help=page.t(help_key),
        reports=reports,
        total=total,
        number=number,
        pages=max((total + queries.PAGE_SIZE - 1) // queries.PAGE_SIZE, 1),
        categories=categories,
        departments=departments,
        lateness={r.id: workflow.lateness(r, now) for r in reports},
        locations=queries.location_names(page.db, {r.location for r in reports}),
        **extra,
    )


@router.get("/console/reports/triage")
def triage_list(page: Page = Depends(staff_page("reports"))):
    help_requests = page.db.scalars(
        select(HelpRequest)
        .where(HelpRequest.acknowledged_at.is_(None))
        .order_by(HelpRequest.requested_at)
    ).all()
    return _render_list(page, "triage", queries.triage(utcnow()), help_requests=help_requests)


@router.post("/console/help/{help_id}/acknowledge")
def acknowledge_help(
    help_id: int, page: Page = Depends(staff_page("reports")), _form=Depends(posted_form)
):
    """Someone has taken on an emergency call from a kiosk."""
    request = page.db.get(HelpRequest, help_id)
    if request is None:
        raise PageError(404, "error.not_found", back="/console/reports/triage")
    if request.acknowledged_at is None:
        request.acknowledged_at = utcnow()
        request.acknowledged_by = f"staff:{page.user.username}"
        audit(page, "help.acknowledge", f"help:{request.id}", location=request.location)
        page.db.commit()
    return page.redirect("/console/reports/triage", done="help_acknowledged")


@router.get("/console/reports/weekly")
def weekly_list(page: Page = Depends(staff_page("reports"))):
    return _render_list(page, "weekly", queries.weekly(utcnow()))


@router.get("/console/reports/review")
def review_list(page: Page = Depends(staff_page("review"))):
    return _render_list(page, "review", queries.awaiting_review())


@router.get("/console/reports/callback")
def callback_list(page: Page = Depends(staff_page("callback"))):
    return _render_list(page, "callback", queries.awaiting_callback())


@router.get("/console/queue")
def department_queue(page: Page = Depends(staff_page("work"))):
    department = page.user.department
    if not department:
        raise PageError(403, "error.no_department")
    return _render_list(page, "queue", queries.department_queue(department))


@router.get("/console/reports")
def all_reports(
    page: Page = Depends(staff_page("reports")),
    status: str = "",
    category: str = "",
    department: str = "",
    q: str = "",
    county: str = "",
    overdue: str = "",
):
    filters = queries.Filters(
        status=status[:20],
        category=category[:40],
        department=department[:40],
        q=q[:40],
        county=bool(county),
        overdue=bool(overdue),
    )
    return _render_list(page, "all", queries.search(filters, utcnow()), filters=filters)


def load_report(page: Page, ticket: str) -> Report:
    """The report `ticket`, if this user may see it: a handler sees only the department's."""
    report = page.db.scalar(select(Report).where(Report.ticket == ticket.upper()[:40]))
    if report is None:
        raise PageError(404, "error.no_report")
    if page.can("reports"):
        return report
    if page.can("work") and page.user.department and report.department == page.user.department:
        return report
    logger.info("%s was refused report %s", page.user.username, report.ticket)
    raise PageError(403, "error.other_department")


@router.get("/console/reports/{ticket}")
def report_page(ticket: str, page: Page = Depends(staff_page())):
    report = load_report(page, ticket)
    history = page.db.scalars(
        select(ReportHistory)
        .where(ReportHistory.report_id == report.id)
        .order_by(ReportHistory.id)
    ).all()
    attached: dict[int, list[HistoryMedia]] = {}
    for item in page.db.scalars(
        select(HistoryMedia).where(HistoryMedia.history_id.in_([h.id for h in history]))
    ):
        attached.setdefault(item.history_id, []).append(item)
    categories, departments = queries.names(page.db)
    return page.render(
        "report.html",
        report=report,
        history=history,
        attached=attached,
        categories=categories,
        departments=departments,
        late=workflow.lateness(report, utcnow()),
        locations=queries.location_names(page.db, {report.location}),
        error=page.request.query_params.get("error"),
    )


def _uploads(page: Page, form) -> list[tuple[str, str]]:
    files = [f for f in form.getlist("photos") if getattr(f, "filename", None)]
    if len(files) > MAX_NOTE_FILES:
        raise UploadRefused("upload.too_many")
    settings = page.request.app.state.settings
    media_store = page.request.app.state.media
    stored = []
    for upload in files:
        data = upload.file.read(settings.max_photo_bytes + 1)
        stored.append(store_upload(page.db, media_store, data, "photo", settings.max_photo_bytes))
    return stored


@router.post("/console/reports/{ticket}/{action}")
def report_action(
    ticket: str, action: str, page: Page = Depends(staff_page()), form=Depends(posted_form)
):
    report = load_report(page, ticket)
    actor = f"staff:{page.user.username}"
    text = str(form.get("note", ""))[:2000]
    back = f"/console/reports/{report.ticket}"
    before = {"status": report.status, "department": report.department, "county": report.county}

    def need(capability: str) -> None:
        if not page.can(capability):
            raise PageError(403, "error.forbidden", back=back)

    try:
        if action == "route":
            need("route")
            workflow.route(page.db, report, str(form.get("department", "")), text, actor)
        elif action == "accept":
            need("work")
            workflow.accept(report, actor, text)
        elif action == "note":
            if not (page.can("work") or page.can("route")):
                raise PageError(403, "error.forbidden", back=back)
            media = _uploads(page, form)
            row = workflow.add_note(report, actor, text or "—" if media else text)
            workflow.attach(page.db, row, media)
        elif action == "resolve":
            need("work")
            media = _uploads(page, form)
            row = workflow.resolve(report, actor, text)
            workflow.attach(page.db, row, media)
        elif action == "review":
            need("review")
            workflow.review(report, actor, form.get("decision") == "approve", text)
        elif action == "callback":
            need("callback")
            rating = form.get("rating")
            workflow.call_back(
                report,
                actor,
                form.get("reached") == "yes",
                int(rating) if str(rating or "").isdigit() else None,
                text,
            )
        elif action == "county":
            need("route")
            workflow.flag_county(report, actor, form.get("flag") == "on", text)
        else:
            raise PageError(404, "error.not_found")
    except (workflow.WorkflowError, UploadRefused) as exc:
        page.db.rollback()
        return page.redirect(f"{back}?error={exc.key}")

    after = {"status": report.status, "department": report.department, "county": report.county}
    audit(
        page,
        f"report.{action}",
        f"report:{report.ticket}",
        before=before,
        after=after,
        note=text[:200] or None,
    )
    page.db.commit()
    # A handler who has just resolved goes back to the queue; others stay on the report.
    return page.redirect(back, done=f"report_{action}")


@router.get("/console/media/{sha256}")
def media_file(sha256: str, page: Page = Depends(staff_page())):
    media = page.db.get(MediaObject, sha256.lower()[:64])
    if media is None:
        raise PageError(404, "error.not_found")
    if not page.can("reports"):
        _check_department_media(page, media.sha256)
    path = media_path(page.request.app.state.media, media.sha256)
    if not path.exists():
        raise PageError(404, "error.not_found")
    return FileResponse(path, media_type=media.content_type, headers={"Cache-Control": "private"})


def _check_department_media(page: Page, sha: str) -> None:
    """A handler may play media only of the department's own reports."""
    department = page.user.department if page.can("work") else None
    if department:
        on_note = page.db.scalar(
            select(HistoryMedia.id)
            .join(ReportHistory, ReportHistory.id == HistoryMedia.history_id)
            .join(Report, Report.id == ReportHistory.report_id)
            .where(HistoryMedia.sha256 == sha, Report.department == department)
            .limit(1)
        )
        if on_note:
            return
        # Limitation: the resident's media sits in a JSON list on the report, so this scans the
        # department's reports in Python; fine for thousands, an index table would scale.
        candidates = page.db.scalars(select(Report.media).where(Report.department == department))
        if any(any(m.get("sha256") == sha for m in media or []) for media in candidates):
            return
    raise PageError(403, "error.forbidden")
