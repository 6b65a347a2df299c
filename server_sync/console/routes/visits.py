"""Home-visit requests from the kiosks (pay bills, fetch medicine, social security):
the open ones for the processing centre to arrange, each marked done when it is."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import select

from server_sync.console import queries
from server_sync.console.audit import audit
from server_sync.console.auth import posted_form, staff_page
from server_sync.console.web import Page, PageError
from server_sync.models import ServiceRequest, utcnow

router = APIRouter(include_in_schema=False)

RECENTLY_DONE = 30


@router.get("/console/visits")
def visits_page(page: Page = Depends(staff_page("reports"))):
    open_requests = page.db.scalars(
        select(ServiceRequest)
        .where(ServiceRequest.done_at.is_(None))
        .order_by(ServiceRequest.requested_at)
    ).all()
    done = page.db.scalars(
        select(ServiceRequest)
        .where(ServiceRequest.done_at.is_not(None))
        .order_by(ServiceRequest.done_at.desc())
        .limit(RECENTLY_DONE)
    ).all()
    keys = {r.location for r in [*open_requests, *done]}
    return page.render(
        "visits.html",
        open_requests=open_requests,
        done=done,
        locations=queries.location_names(page.db, keys),
    )


@router.post("/console/visits/{request_id}/done")
def visit_done(
    request_id: int, page: Page = Depends(staff_page("reports")), _form=Depends(posted_form)
):
    request = page.db.get(ServiceRequest, request_id)
    if request is None:
        raise PageError(404, "error.not_found", back="/console/visits")
    if request.done_at is None:
        request.done_at = utcnow()
        request.status = "done"
        audit(page, "visit.done", f"visit:{request.id}", service=request.service)
        page.db.commit()
    return page.redirect("/console/visits", done="visit_done")
