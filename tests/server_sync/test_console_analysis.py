"""The monthly analysis figures from reports with known outcomes, and the catalogue
that every page's text comes from."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from server_sync.console import analysis
from server_sync.console.i18n import LANGUAGES, catalogue
from server_sync.db import Database
from server_sync.models import Report

NOW = datetime(2026, 12, 20, 4, 0, tzinfo=UTC)


@pytest.fixture
def db(database_url) -> Database:
    """A fresh, migrated and seeded database: SQLite, and PostgreSQL where it runs."""
    database = Database(database_url)
    yield database
    database.dispose()


def _report(session, number, category, submitted, *, hours=None, deadline_h=24, rating=None):
    session.add(Report(
        ticket=f"T01-{submitted:%y%m%d}-{number:04d}", category=category, location="b01",
        status="closed" if rating else ("resolved" if hours is not None else "routed"),
        submitted_at=submitted, deadline_at=submitted + timedelta(hours=deadline_h),
        resolved_at=submitted + timedelta(hours=hours) if hours is not None else None,
        rating=rating,
    ))  # fmt: skip


def test_month_figures_and_share_shift(db):
    november = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
    december = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    with db.transaction() as session:
        # November: 4 reports, 3 environment, 1 noise.
        for n in range(3):
            _report(session, n + 1, "environment", november, hours=10, rating=4)
        _report(session, 4, "noise", november, hours=30)  # late
        # December: 4 reports, 1 environment, 3 training; outcomes differ.
        _report(session, 5, "environment", december, hours=2, rating=5)
        _report(session, 6, "training", december, hours=6, rating=3)
        _report(session, 7, "training", december, hours=50, deadline_h=72)
        _report(session, 8, "training", december)  # open, deadline long past
        # A report from 16:30 UTC on 30 November is 1 December in the community.
        _report(session, 9, "training", datetime(2026, 11, 30, 16, 30, tzinfo=UTC), hours=1)

    with db.read_session() as session:
        result = analysis.analyse(session, "2026-12", 2, NOW)

    nov, dec = result.figures["2026-11"], result.figures["2026-12"]
    assert (nov.reports, dec.reports) == (4, 5)
    assert dec.by_category == {"environment": 1, "training": 4}
    assert dec.completion_rate == pytest.approx(4 / 5)
    assert dec.median_hours == pytest.approx(4.0)  # of 1, 2, 6, 50 hours
    assert dec.on_time_share == pytest.approx(4 / 5)  # the open one is past its deadline
    assert dec.satisfaction == pytest.approx(4.0)
    assert nov.on_time_share == pytest.approx(3 / 4)
    assert result.shift("environment") == pytest.approx(1 / 5 - 3 / 4)
    assert result.shift("training") == pytest.approx(4 / 5 - 0)
    assert result.shift("environment", "2026-11") is None  # nothing before it to compare

    rows = analysis.to_csv(result).splitlines()
    assert rows[0].startswith("month,category,reports,share,share_shift")
    assert "2026-12,training,4,0.800,0.800,5,0.800,4.0,0.800,4.00" in rows


def test_month_range_crosses_the_year():
    assert analysis.month_range("2027-02", 4) == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert analysis.valid_month("2026-13", "2026-12") == "2026-12"
    assert analysis.valid_month("<script>", "2026-12") == "2026-12"


CONSOLE = Path(__file__).resolve().parents[2] / "server_sync" / "console"
KEY_RES = (
    re.compile(r"""(?:\bt\(|PageError\(\d+,\s*|Refused\(|WorkflowError\(|refuse\(|again\()"""
               r"""["']([a-z_]+\.[a-z_0-9.]+)["']"""),
    re.compile(r"[?&]error=([a-z_]+\.[a-z_]+)"),
)  # fmt: skip


def test_every_text_used_has_chinese_and_english():
    used = set()
    for path in [*CONSOLE.rglob("*.py"), *CONSOLE.rglob("*.html")]:
        text = path.read_text()
        used |= {key.rstrip(".") for pattern in KEY_RES for key in pattern.findall(text)}
    used = {key for key in used if not key.endswith("_")}
    entries = catalogue()
    assert len(used) > 200
    # A key ending in "." is a section completed at run time ("status." ~ status).
    sections = {key.rsplit(".", 1)[0] for key in entries}
    missing = sorted(key for key in used if key not in entries and key not in sections)
    assert missing == []
    for key, texts in entries.items():
        assert len(texts) == len(LANGUAGES) and all(text.strip() for text in texts), key
