"""What each staff role may see and do on the console.

The role names are the staff model's (`server_sync.models.users.STAFF_ROLES`):
`dispatcher` works in the processing centre (triage, routing, call-backs).
"""

from __future__ import annotations

# One capability per kind of page or action; a route asks for one.
CAPABILITIES: dict[str, frozenset[str]] = {
    "admin": frozenset(
        {
            "reports",
            "route",
            "callback",
            "review",
            "work",
            "analysis",
            "points",
            "points_admin",
            "fleet",
            "notices",
            "audit",
            "staff",
            "open311",
        }
    ),
    "dispatcher": frozenset({"reports", "route", "callback", "analysis", "notices"}),
    "supervisor": frozenset({"reports", "review", "analysis", "audit"}),
    "department": frozenset({"work"}),
    "supermarket": frozenset({"points", "points_admin"}),
    "technician": frozenset({"fleet"}),
}

# The page each role lands on after signing in.
HOME: dict[str, str] = {
    "admin": "/console/reports/triage",
    "dispatcher": "/console/reports/triage",
    "supervisor": "/console/reports/review",
    "department": "/console/queue",
    "supermarket": "/console/points/accounts",
    "technician": "/console/fleet",
}

# Navigation: (capability, path, catalogue key).
NAVIGATION = (
    ("reports", "/console/reports/triage", "nav.triage"),
    ("work", "/console/queue", "nav.queue"),
    ("reports", "/console/reports/weekly", "nav.weekly"),
    ("review", "/console/reports/review", "nav.review"),
    ("callback", "/console/reports/callback", "nav.callback"),
    ("reports", "/console/reports", "nav.all_reports"),
    ("reports", "/console/visits", "nav.visits"),
    ("analysis", "/console/analysis", "nav.analysis"),
    ("points", "/console/points/accounts", "nav.points"),
    ("fleet", "/console/fleet", "nav.fleet"),
    ("notices", "/console/notices", "nav.notices"),
    ("audit", "/console/audit", "nav.audit"),
    ("staff", "/console/staff", "nav.staff"),
)


def can(role: str | None, capability: str) -> bool:
    return capability in CAPABILITIES.get(role or "", frozenset())


def navigation(role: str | None) -> list[tuple[str, str]]:
    return [(path, key) for cap, path, key in NAVIGATION if can(role, cap)]
