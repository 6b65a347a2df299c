"""Write and read the console's audit log: every change, who made it and when."""

from __future__ import annotations

import logging
from typing import Any

from server_sync.models.console import AuditEntry

logger = logging.getLogger(__name__)


def audit(page: Any, action: str, target: str = "", **detail: Any) -> AuditEntry:
    """Add an audit entry in the page's transaction (committed with the change itself)."""
    user = getattr(page, "user", None)
    request = getattr(page, "request", None)
    entry = AuditEntry(
        actor=f"staff:{user.username}" if user else "anonymous",
        role=user.role if user else "",
        action=action,
        target=target,
        detail={k: v for k, v in detail.items() if v is not None},
        address=request.client.host if request is not None and request.client else "",
    )
    page.db.add(entry)
    logger.info("%s %s %s", entry.actor, action, target)
    return entry


def audit_as(session: Any, actor: str, action: str, target: str = "", **detail: Any) -> None:
    """An audit entry for a change made by something other than a signed-in user."""
    session.add(AuditEntry(actor=actor, action=action, target=target, detail=detail))
