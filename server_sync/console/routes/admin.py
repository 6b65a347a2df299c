"""Administration: the audit log, staff accounts and Open311 client keys."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import func, select

from server_sync.console import open311
from server_sync.console.audit import audit
from server_sync.console.auth import posted_form, staff_page
from server_sync.console.web import Page, PageError
from server_sync.models import STAFF_ROLES, Department, StaffUser, utcnow
from server_sync.models.console import AuditEntry, Open311Client
from server_sync.staff import create_user

router = APIRouter(include_in_schema=False)

AUDIT_PAGE = 100


@router.get("/console/audit")
def audit_page(
    page: Page = Depends(staff_page("audit")),
    actor: str = "",
    action: str = "",
    target: str = "",
    p: str = "1",
):
    query = select(AuditEntry)
    if actor:
        query = query.where(AuditEntry.actor.contains(actor[:80]))
    if action:
        query = query.where(AuditEntry.action.startswith(action[:60]))
    if target:
        query = query.where(AuditEntry.target.contains(target[:120]))
    number = max(int(p), 1) if p.isdigit() else 1
    total = page.db.scalar(select(func.count()).select_from(query.subquery())) or 0
    entries = page.db.scalars(
        query.order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE).offset((number - 1) * AUDIT_PAGE)
    ).all()
    return page.render(
        "audit.html",
        entries=entries,
        total=total,
        number=number,
        pages=max((total + AUDIT_PAGE - 1) // AUDIT_PAGE, 1),
        filters={"actor": actor, "action": action, "target": target},
    )


@router.get("/console/staff")
def staff_list(page: Page = Depends(staff_page("staff"))):
    users = page.db.scalars(select(StaffUser).order_by(StaffUser.role, StaffUser.username)).all()
    departments = page.db.scalars(select(Department).order_by(Department.key)).all()
    clients = page.db.scalars(select(Open311Client).order_by(Open311Client.id)).all()
    return page.render(
        "staff.html",
        users=users,
        departments=departments,
        roles=STAFF_ROLES,
        clients=clients,
        error=page.request.query_params.get("error"),
        new_key=None,
    )


@router.post("/console/staff")
def add_staff(page: Page = Depends(staff_page("staff")), form=Depends(posted_form)):
    username = str(form.get("username", "")).strip().lower()[:40]
    role = str(form.get("role", ""))
    department = str(form.get("department", "")) or None
    try:
        create_user(
            page.db,
            username,
            str(form.get("password", ""))[:200],
            role=role,
            department=department if role == "department" else None,
            display_name=str(form.get("display_name", "")).strip()[:80],
        )
    except ValueError:
        page.db.rollback()
        return page.redirect("/console/staff?error=staff.invalid")
    audit(page, "staff.create", f"staff:{username}", role=role, department=department)
    page.db.commit()
    return page.redirect("/console/staff", done="staff_created")


@router.post("/console/staff/{user_id}/active")
def toggle_staff(
    user_id: int, page: Page = Depends(staff_page("staff")), form=Depends(posted_form)
):
    user = page.db.get(StaffUser, user_id)
    if user is None:
        raise PageError(404, "error.not_found", back="/console/staff")
    if user.id == page.user.id:
        return page.redirect("/console/staff?error=staff.not_yourself")
    user.active = form.get("active") == "on"
    audit(page, "staff.active" if user.active else "staff.disable", f"staff:{user.username}")
    page.db.commit()
    return page.redirect("/console/staff", done="staff_updated")


@router.post("/console/open311/clients")
def add_open311_client(page: Page = Depends(staff_page("open311")), form=Depends(posted_form)):
    name = str(form.get("name", "")).strip()[:80]
    if not name:
        return page.redirect("/console/staff?error=open311.name_needed")
    key = open311.create_client(page.db, name, f"staff:{page.user.username}")
    audit(page, "open311.client", f"open311:{name}")
    page.db.commit()
    users = page.db.scalars(select(StaffUser).order_by(StaffUser.role, StaffUser.username)).all()
    departments = page.db.scalars(select(Department).order_by(Department.key)).all()
    clients = page.db.scalars(select(Open311Client).order_by(Open311Client.id)).all()
    # The key is shown on this response only; the server keeps its hash.
    return page.render(
        "staff.html",
        users=users,
        departments=departments,
        roles=STAFF_ROLES,
        clients=clients,
        error=None,
        new_key=key,
    )


@router.post("/console/open311/clients/{client_id}/revoke")
def revoke_open311_client(
    client_id: int, page: Page = Depends(staff_page("open311")), _form=Depends(posted_form)
):
    client = page.db.get(Open311Client, client_id)
    if client is None:
        raise PageError(404, "error.not_found", back="/console/staff")
    client.revoked_at = client.revoked_at or utcnow()
    audit(page, "open311.revoke", f"open311:{client.name}")
    page.db.commit()
    return page.redirect("/console/staff", done="open311_revoked")
