"""The monthly analysis: volume per category, completion, time to resolve, share on
time, satisfaction, and how each category's share of all reports moves.

Months are calendar months in the community's time. A report belongs to the
month it was submitted in; its outcome (resolved, on time, rating) is counted
there, as it stands now.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from server_sync.models import Report
from server_sync.protocol.points import COMMUNITY_TZ

# A category's share this month is compared with its mean share over this many months before.
SHIFT_BASELINE_MONTHS = 3


@dataclass
class MonthFigures:
    month: str
    reports: int = 0
    completed: int = 0
    on_time: int = 0
    due: int = 0  # resolved, or past the deadline unresolved: the base of the on-time share
    hours: list[float] = field(default_factory=list)
    ratings: list[int] = field(default_factory=list)
    by_category: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.reports if self.reports else None

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.due if self.due else None

    @property
    def median_hours(self) -> float | None:
        return statistics.median(self.hours) if self.hours else None

    @property
    def satisfaction(self) -> float | None:
        return sum(self.ratings) / len(self.ratings) if self.ratings else None

    def share(self, category: str) -> float:
        return self.by_category.get(category, 0) / self.reports if self.reports else 0.0


@dataclass
class Analysis:
    months: list[str]
    figures: dict[str, MonthFigures]
    categories: list[str]

    @property
    def last(self) -> MonthFigures:
        return self.figures[self.months[-1]]

    def shift(self, category: str, month: str | None = None) -> float | None:
        """Share in `month` minus the mean share of the months before it (up to three)."""
        month = month or self.months[-1]
        index = self.months.index(month)
        before = [
            self.figures[m] for m in self.months[max(index - SHIFT_BASELINE_MONTHS, 0) : index]
        ]
        before = [f for f in before if f.reports]
        if not before:
            return None
        baseline = sum(f.share(category) for f in before) / len(before)
        return self.figures[month].share(category) - baseline


def month_key(value: datetime) -> str:
    return value.astimezone(COMMUNITY_TZ).strftime("%Y-%m")


def month_range(end: str, count: int) -> list[str]:
    """`count` months ending with `end` ("2026-12"), oldest first."""
    year, month = (int(p) for p in end.split("-"))
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return months[::-1]


def _month_start(month: str) -> datetime:
    year, mon = (int(p) for p in month.split("-"))
    return datetime(year, mon, 1, tzinfo=COMMUNITY_TZ)


def _add_month(month: str) -> str:
    year, mon = (int(p) for p in month.split("-"))
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


def _month_expression(dialect: str):
    """The community-time month ("2026-12") of a report's submission, computed in SQL."""
    if dialect == "postgresql":
        local = func.timezone("Asia/Shanghai", Report.submitted_at)
        return func.to_char(local, "YYYY-MM")
    return func.strftime("%Y-%m", Report.submitted_at, "+8 hours")


def _hours_expression(dialect: str):
    if dialect == "postgresql":
        return func.extract("epoch", Report.resolved_at - Report.submitted_at) / 3600.0
    return (func.julianday(Report.resolved_at) - func.julianday(Report.submitted_at)) * 24.0


def analyse(session: Session, end: str, count: int, now: datetime) -> Analysis:
    """The figures for `count` months ending with `end`, aggregated in the database.

    Only the resolution times for the medians come back row by row, as plain numbers.
    """
    months = month_range(end, count)
    start, stop = _month_start(months[0]), _month_start(_add_month(months[-1]))
    figures = {m: MonthFigures(m) for m in months}
    dialect = session.get_bind().dialect.name
    month = _month_expression(dialect).label("month")
    window = (Report.submitted_at >= start, Report.submitted_at < stop)
    resolved = Report.resolved_at.is_not(None)
    has_deadline = Report.deadline_at.is_not(None)
    one = literal(1)

    rows = session.execute(
        select(
            month,
            Report.category,
            func.count(),
            func.sum(case((resolved, one), else_=0)),
            func.sum(
                case(
                    (and_(resolved, has_deadline, Report.resolved_at <= Report.deadline_at), one),
                    else_=0,
                )
            ),
            func.sum(
                case((and_(has_deadline, or_(resolved, Report.deadline_at < now)), one), else_=0)
            ),
        )
        .where(*window)
        .group_by(month, Report.category)
    )
    seen: set[str] = set()
    for month_key_, category, reports, completed, on_time, due in rows:
        figure = figures.get(month_key_)
        if figure is None:
            continue
        seen.add(category)
        figure.reports += reports
        figure.by_category[category] += reports
        figure.completed += completed or 0
        figure.on_time += on_time or 0
        figure.due += due or 0

    for month_key_, rating, how_many in session.execute(
        select(month, Report.rating, func.count())
        .where(*window, Report.rating.is_not(None))
        .group_by(month, Report.rating)
    ):
        if month_key_ in figures:
            figures[month_key_].ratings.extend([rating] * how_many)

    for month_key_, hours in session.execute(
        select(month, _hours_expression(dialect)).where(*window, resolved)
    ):
        if month_key_ in figures:
            figures[month_key_].hours.append(float(hours))
    return Analysis(months, figures, sorted(seen))


def current_month(now: datetime) -> str:
    return month_key(now)


def valid_month(value: str, fallback: str) -> str:
    try:
        year, month = (int(p) for p in value.split("-"))
        date(year, month, 1)
    except (ValueError, TypeError):
        return fallback
    return f"{year:04d}-{month:02d}" if 2000 <= year <= 2999 else fallback


def to_csv(analysis: Analysis) -> str:
    """One row per month and category, with the month's figures beside each."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "month",
            "category",
            "reports",
            "share",
            "share_shift",
            "month_reports",
            "completion_rate",
            "median_hours_to_resolve",
            "on_time_share",
            "satisfaction",
        ]
    )

    def fmt(value: float | None, digits: int = 3) -> str:
        return "" if value is None else f"{value:.{digits}f}"

    for month in analysis.months:
        f = analysis.figures[month]
        for category in analysis.categories:
            writer.writerow(
                [
                    month,
                    category,
                    f.by_category.get(category, 0),
                    fmt(f.share(category)),
                    fmt(analysis.shift(category, month)),
                    f.reports,
                    fmt(f.completion_rate),
                    fmt(f.median_hours, 1),
                    fmt(f.on_time_share),
                    fmt(f.satisfaction, 2),
                ]
            )
    return out.getvalue()
