"""The report workflow as the console drives it: route, accept, note, resolve, review,
call back, flag for the county. Each step writes a history row (who, when, why)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from server_sync.models import Category, Department, Report, ReportHistory, utcnow
from server_sync.models.console import HistoryMedia

OPEN_STATUSES = ("submitted", "routed", "accepted")
DONE_STATUSES = ("resolved", "reviewed", "closed")


class WorkflowError(ValueError):
    """A step that does not fit the report's state; `key` names the catalogue message."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Lateness:
    overdue: bool
    hours: int  # how late (overdue) or how long is left, rounded down to whole hours


def lateness(report: Report, now: datetime) -> Lateness | None:
    """How late an unfinished report is, or how long it has left; None without a deadline."""
    if report.deadline_at is None:
        return None
    end = report.resolved_at or now
    delta = end - report.deadline_at
    if delta > timedelta(0):
        return Lateness(True, int(delta.total_seconds() // 3600))
    return Lateness(False, int(-delta.total_seconds() // 3600))


def _step(
    report: Report,
    actor: str,
    status_to: str,
    note: str,
    *,
    department: str | None = None,
    now: datetime | None = None,
) -> ReportHistory:
    now = now or utcnow()
    row = ReportHistory(
        at=now,
        status_from=report.status,
        status_to=status_to,
        actor=actor,
        department=department,
        note=note,
    )
    report.history.append(row)
    report.status = status_to
    report.updated_at = now
    return row


def attach(session: Session, row: ReportHistory, media: Sequence[tuple[str, str]]) -> None:
    session.flush()
    for sha, kind in media:
        session.add(HistoryMedia(history_id=row.id, sha256=sha, kind=kind))


def route(session: Session, report: Report, department_key: str, reason: str, actor: str):
    """Send a report to a department; a department other than the category's needs a reason."""
    if report.status not in ("submitted", "routed", "accepted"):
        raise WorkflowError("workflow.not_routable")
    department = session.get(Department, department_key)
    if department is None:
        raise WorkflowError("workflow.no_department")
    category = session.get(Category, report.category)
    default = category.department if category else None
    reason = reason.strip()
    if department.key != default and not reason:
        raise WorkflowError("workflow.reason_needed")
    if department.key == report.department and report.status != "submitted":
        raise WorkflowError("workflow.same_department")
    if report.deadline_at is None and category is not None:
        report.deadline_at = report.submitted_at + timedelta(hours=category.deadline_hours)
    report.department = department.key
    return _step(report, actor, "routed", reason, department=department.key)


def accept(report: Report, actor: str, note: str = "") -> ReportHistory:
    if report.status != "routed":
        raise WorkflowError("workflow.not_acceptable")
    return _step(report, actor, "accepted", note, department=report.department)


def add_note(report: Report, actor: str, note: str) -> ReportHistory:
    if not note.strip():
        raise WorkflowError("workflow.note_empty")
    return _step(report, actor, report.status, note.strip(), department=report.department)


def resolve(report: Report, actor: str, note: str) -> ReportHistory:
    if report.status != "accepted":
        raise WorkflowError("workflow.not_resolvable")
    if not note.strip():
        raise WorkflowError("workflow.resolution_needed")
    row = _step(report, actor, "resolved", note.strip(), department=report.department)
    report.resolved_at = row.at
    return row


def review(report: Report, actor: str, approved: bool, note: str) -> ReportHistory:
    """A supervisor's review: approve the resolution, or send it back to the department."""
    if report.status != "resolved":
        raise WorkflowError("workflow.not_reviewable")
    if approved:
        return _step(report, actor, "reviewed", note.strip(), department=report.department)
    if not note.strip():
        raise WorkflowError("workflow.reason_needed")
    report.resolved_at = None
    return _step(report, actor, "accepted", note.strip(), department=report.department)


def call_back(
    report: Report, actor: str, reached: bool, rating: int | None, comment: str
) -> ReportHistory:
    """The call to the resident: with a rating the report closes; otherwise a note is kept."""
    if report.status not in ("resolved", "reviewed"):
        raise WorkflowError("workflow.not_callable")
    if not reached:
        return _step(report, actor, report.status, f"call-back: not reached. {comment}".strip())
    if rating is None or not 1 <= rating <= 5:
        raise WorkflowError("workflow.rating_needed")
    report.rating = rating
    report.rating_comment = comment.strip()[:500]
    row = _step(report, actor, "closed", f"call-back: rated {rating} of 5. {comment}".strip())
    report.closed_at = row.at
    return row


def flag_county(report: Report, actor: str, flagged: bool, reason: str) -> ReportHistory:
    if not reason.strip():
        raise WorkflowError("workflow.reason_needed")
    report.county = flagged
    prefix = "county coordination: on" if flagged else "county coordination: off"
    return _step(report, actor, report.status, f"{prefix}. {reason.strip()}")
