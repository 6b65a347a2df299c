"""Seed the reference data (and, for a demo, a made-up community) from assets/seed.

`seed_reference` reads ``reference.toml`` (departments, categories, locations)
and ``notices.toml``; running it again updates what it wrote and never deletes
what staff added. `seed_demo` adds the points rules, catalogue and the demo
community, a few reports in every status, and a console user.
"""

from __future__ import annotations

import logging
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import (
    Category,
    Department,
    Location,
    Notice,
    Report,
    ReportHistory,
    StaffUser,
    utcnow,
)

log = logging.getLogger(__name__)

SEED_DIR = Path(__file__).resolve().parent.parent / "assets" / "seed"


class SeedError(ValueError):
    """A seed file is missing or wrong; the message names the file and the problem."""


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DepartmentRow(_Row):
    key: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    name_zh: str
    name_en: str
    phone: str = ""


class CategoryRow(_Row):
    key: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    name_zh: str
    name_en: str
    department: str
    deadline_hours: int = Field(default=24, ge=1, le=24 * 60)
    icon: str = ""
    county: bool = False
    phrases_zh: list[str] = Field(default_factory=list)
    phrases_en: list[str] = Field(default_factory=list)


class LocationRow(_Row):
    key: str = Field(pattern=r"^[a-z0-9_-]{1,80}$")
    name_zh: str
    name_en: str
    building: int | None = None


class Buildings(_Row):
    first: int = Field(ge=1)
    last: int = Field(ge=1)
    lifts: int = Field(default=1, ge=0, le=9)
    lifts_by_building: dict[str, int] = Field(default_factory=dict)


class ReferenceFile(_Row):
    department: list[DepartmentRow]
    category: list[CategoryRow]
    buildings: Buildings | None = None
    location: list[LocationRow] = Field(default_factory=list)


class NoticeRow(_Row):
    key: str = Field(pattern=r"^[a-z0-9_-]{1,80}$")
    kind: str = Field(pattern="^(policy|news)$")
    published_at: datetime
    title_zh: str
    title_en: str = ""
    body_zh: str = ""
    body_en: str = ""


class NoticesFile(_Row):
    notice: list[NoticeRow] = Field(default_factory=list)


def _load(path: Path, model: type[BaseModel]) -> Any:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise SeedError(f"seed file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(f"seed file {path} is not valid TOML: {exc}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SeedError(f"seed file {path}: {where}: {first['msg']}") from None


def building_locations(spec: Buildings) -> list[LocationRow]:
    """Each building and each of its lifts as a location."""
    rows = []
    for number in range(spec.first, spec.last + 1):
        rows.append(
            LocationRow(
                key=f"b{number:02d}",
                name_zh=f"{number}号楼",
                name_en=f"Building {number}",
                building=number,
            )
        )
        for lift in range(1, spec.lifts_by_building.get(str(number), spec.lifts) + 1):
            rows.append(
                LocationRow(
                    key=f"b{number:02d}-lift-{lift}",
                    name_zh=f"{number}号楼{lift}号电梯",
                    name_en=f"Building {number}, lift {lift}",
                    building=number,
                )
            )
    return rows


def _upsert(session: Session, model, key: str, values: dict[str, Any]) -> bool:
    row = session.get(model, key)
    if row is None:
        session.add(model(key=key, **values))
        return True
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
    return False


def seed_reference(session: Session, seed_dir: Path = SEED_DIR) -> dict[str, int]:
    """Write departments, categories, locations and notices; returns how many of each."""
    reference = _load(seed_dir / "reference.toml", ReferenceFile)
    notices = _load(seed_dir / "notices.toml", NoticesFile)
    departments = {row.key for row in reference.department}
    for row in reference.category:
        if row.department not in departments:
            raise SeedError(
                f"seed file {seed_dir / 'reference.toml'}: category {row.key} names "
                f"department {row.department!r}, which is not listed"
            )

    for row in reference.department:
        _upsert(session, Department, row.key, row.model_dump(exclude={"key"}))
    session.flush()
    for position, row in enumerate(reference.category, start=1):
        _upsert(
            session, Category, row.key, row.model_dump(exclude={"key"}) | {"position": position}
        )
    locations = building_locations(reference.buildings) if reference.buildings else []
    locations += reference.location
    for row in locations:
        _upsert(session, Location, row.key, row.model_dump(exclude={"key"}))
    for row in notices.notice:
        values = row.model_dump(exclude={"key"})
        values["published_at"] = row.published_at.astimezone(UTC)
        _upsert(session, Notice, row.key, values)
    session.flush()
    counts = {
        "departments": len(reference.department),
        "categories": len(reference.category),
        "locations": len(locations),
        "notices": len(notices.notice),
    }
    log.info("reference seed: %s", counts)
    return counts


# Demo reports: (ticket suffix, category, location, phrase index, status, days ago).
DEMO_REPORTS = [
    (1, "lift_fault", "b07-lift-1", 0, "routed", 0),
    (2, "utilities", "b07", 1, "accepted", 1),
    (3, "housing_repair", "b03", 0, "routed", 4),
    (4, "environment", "square", 0, "resolved", 2),
    (5, "noise", "b12", 1, "closed", 9),
    (6, "safety_hazard", "b12-lift-2", 1, "submitted", 0),
    (7, "policy_question", "office", 0, "reviewed", 6),
    (8, "dispute_mediation", "b03", 0, "accepted", 3),
    (9, "training", "supermarket", 0, "routed", 1),
    (10, "supervision_complaint", "office", 1, "resolved", 5),
]
LIFECYCLE = ["submitted", "routed", "accepted", "resolved", "reviewed", "closed"]


def seed_demo_reports(session: Session) -> int:
    """Reports from an imaginary kiosk `D01`, one in each stage of the lifecycle."""
    created = 0
    now = utcnow()
    for number, category_key, location, phrase, status, days_ago in DEMO_REPORTS:
        submitted = now - timedelta(days=days_ago, hours=number)
        ticket = f"D01-{submitted:%y%m%d}-{number:04d}"
        if session.scalar(select(Report.id).where(Report.ticket == ticket)) is not None:
            continue
        category = session.get(Category, category_key)
        if category is None:
            raise SeedError(f"demo report {ticket}: category {category_key} is not seeded")
        report = Report(
            ticket=ticket,
            category=category.key,
            location=location,
            phrases=[category.phrases_zh[phrase]] if category.phrases_zh else [],
            text="",
            status="submitted",
            county=category.county,
            submitted_at=submitted,
            received_at=submitted,
            updated_at=submitted,
        )
        report.history.append(
            ReportHistory(at=submitted, status_to="submitted", actor="device:D01", note="demo")
        )
        previous = "submitted"
        at = submitted
        for step in LIFECYCLE[1 : LIFECYCLE.index(status) + 1]:
            at = at + timedelta(hours=2)
            if step == "routed":
                report.department = category.department
                report.deadline_at = submitted + timedelta(hours=category.deadline_hours)
            if step == "closed":
                report.rating = 5
                report.closed_at = at
            if step == "resolved":
                report.resolved_at = at
            report.history.append(
                ReportHistory(
                    at=at,
                    status_from=previous,
                    status_to=step,
                    actor="staff:demo",
                    department=report.department,
                    note="demo",
                )
            )
            previous = step
        report.status = status
        report.updated_at = at
        session.add(report)
        created += 1
    session.flush()
    return created


DEMO_USER = ("admin", "yimatong-demo")


def seed_demo(session: Session, data_dir: Path, seed_dir: Path = SEED_DIR) -> dict[str, Any]:
    """Everything `seed --demo` writes; safe to run twice."""
    from server_sync.points.seed import seed_demo_community
    from server_sync.staff import create_user

    summary: dict[str, Any] = dict(seed_reference(session, seed_dir))
    summary.update(seed_demo_community(session, data_dir, seed_dir))
    summary["demo_reports"] = seed_demo_reports(session)
    username, password = DEMO_USER
    if session.scalar(select(StaffUser).where(StaffUser.username == username)) is None:
        create_user(session, username, password, role="admin", display_name="Demo administrator")
    summary["console_user"] = f"{username} / {password}"
    return summary
