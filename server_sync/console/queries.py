"""The report lists the processing centre works from, as SQLAlchemy queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from server_sync.models import Category, Department, Location, Report

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    status: str = ""
    category: str = ""
    department: str = ""
    q: str = ""
    county: bool = False
    overdue: bool = False


def triage(now: datetime) -> Select:
    """New reports not yet routed, and routed ones nobody has accepted, soonest deadline first."""
    return (
        select(Report)
        .where(Report.status.in_(("submitted", "routed")))
        .order_by(Report.deadline_at.is_(None).desc(), Report.deadline_at, Report.id)
    )


def weekly(now: datetime) -> Select:
    """Everything still open that came in more than seven days ago, oldest first."""
    return (
        select(Report)
        .where(Report.status.in_(("submitted", "routed", "accepted")))
        .where(Report.submitted_at < now - timedelta(days=7))
        .order_by(Report.submitted_at, Report.id)
    )


def awaiting_review() -> Select:
    return select(Report).where(Report.status == "resolved").order_by(Report.resolved_at)


def awaiting_callback() -> Select:
    return select(Report).where(Report.status == "reviewed").order_by(Report.updated_at)


def department_queue(department: str) -> Select:
    return (
        select(Report)
        .where(Report.department == department)
        .where(Report.status.in_(("routed", "accepted")))
        .order_by(Report.deadline_at, Report.id)
    )


def search(filters: Filters, now: datetime) -> Select:
    query = select(Report)
    if filters.status:
        query = query.where(Report.status == filters.status)
    if filters.category:
        query = query.where(Report.category == filters.category)
    if filters.department:
        query = query.where(Report.department == filters.department)
    if filters.county:
        query = query.where(Report.county.is_(True))
    if filters.overdue:
        query = query.where(
            Report.status.in_(("submitted", "routed", "accepted")), Report.deadline_at < now
        )
    if filters.q:
        needle = filters.q.strip().upper()
        query = query.where(
            or_(Report.ticket.startswith(needle), Report.location.startswith(filters.q.strip()))
        )
    return query.order_by(Report.submitted_at.desc(), Report.id.desc())


def page_of(session: Session, query: Select, page: int) -> tuple[list[Report], int]:
    """One page of a list and the number of rows in the whole list."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(query.limit(PAGE_SIZE).offset(max(page - 1, 0) * PAGE_SIZE)).all()
    return list(rows), total or 0


def names(session: Session) -> tuple[dict[str, Category], dict[str, Department]]:
    """Categories and departments by key, for showing names in lists."""
    categories = {c.key: c for c in session.scalars(select(Category).order_by(Category.position))}
    departments = {d.key: d for d in session.scalars(select(Department).order_by(Department.key))}
    return categories, departments


def location_names(session: Session, keys: set[str]) -> dict[str, Location]:
    if not keys:
        return {}
    return {x.key: x for x in session.scalars(select(Location).where(Location.key.in_(keys)))}
