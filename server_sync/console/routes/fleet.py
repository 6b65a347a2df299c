"""The fleet page: every device's health, enrolment codes, and commands with outcomes."""

from __future__ import annotations

import json
from datetime import timedelta

from fastapi import APIRouter, Depends
from sqlalchemy import select

from server_sync.console.audit import audit
from server_sync.console.auth import posted_form, staff_page
from server_sync.console.web import Page, PageError
from server_sync.enrolment import create_code
from server_sync.models import ROLES, Device, DeviceCommand, EnrolmentCode, Location, utcnow

router = APIRouter(include_in_schema=False)

SILENT_AFTER = timedelta(minutes=10)
COMMANDS = ("sync_now", "set_config", "print_test_page", "upload_logs")
RECENT_COMMANDS = 30


def device_rows(page: Page) -> list[dict]:
    """What the fleet table shows for each device that is not retired."""
    now = utcnow()
    rows = []
    for device in page.db.scalars(
        select(Device).where(Device.retired_at.is_(None)).order_by(Device.short_code)
    ):
        health = device.health or {}
        silent_for = now - device.last_seen_at if device.last_seen_at else None
        rows.append(
            {
                "device": device,
                "silent": silent_for is None or silent_for > SILENT_AFTER,
                "silent_minutes": int(silent_for.total_seconds() // 60) if silent_for else None,
                "queue_depth": health.get("queue_depth"),
                "rejected": health.get("rejected"),
                "oldest_unsent_min": (
                    round(health["oldest_unsent_age_s"] / 60)
                    if isinstance(health.get("oldest_unsent_age_s"), int | float)
                    else None
                ),
                "printer": health.get("printer") or {},
                "camera": health.get("camera") or {},
                "version": ", ".join(
                    f"{k} {v}" for k, v in (health.get("versions") or {}).items()
                ),
            }
        )
    rows.sort(key=lambda r: (not r["silent"], r["device"].short_code))
    return rows


@router.get("/console/fleet")
def fleet_page(page: Page = Depends(staff_page("fleet"))):
    commands = page.db.execute(
        select(DeviceCommand, Device.short_code)
        .join(Device, Device.id == DeviceCommand.device_id)
        .order_by(DeviceCommand.id.desc())
        .limit(RECENT_COMMANDS)
    ).all()
    codes = page.db.scalars(
        select(EnrolmentCode)
        .where(EnrolmentCode.used_at.is_(None), EnrolmentCode.expires_at > utcnow())
        .order_by(EnrolmentCode.created_at.desc())
    ).all()
    locations = page.db.scalars(select(Location).order_by(Location.key)).all()
    return page.render(
        "fleet.html",
        rows=device_rows(page),
        commands=commands,
        codes=codes,
        locations=locations,
        roles=ROLES,
        command_names=COMMANDS,
        new_code=None,
        error=page.request.query_params.get("error"),
    )


@router.post("/console/fleet/enrolment-code")
def new_enrolment_code(page: Page = Depends(staff_page("fleet")), form=Depends(posted_form)):
    role, location = str(form.get("role", "")), str(form.get("location", ""))[:80]
    try:
        code = create_code(page.db, role, location, created_by=f"staff:{page.user.username}")
    except ValueError:
        return page.redirect("/console/fleet?error=fleet.bad_code_request")
    audit(page, "device.enrolment_code", f"location:{location}", role=role)
    page.db.commit()
    # The code is shown once, on this response, and never stored in clear.
    return page.render("enrolment_code.html", code=code, role=role, location=location)


@router.post("/console/fleet/command")
def send_command(page: Page = Depends(staff_page("fleet")), form=Depends(posted_form)):
    name = str(form.get("name", ""))
    device_id = str(form.get("device", ""))
    device = page.db.get(Device, int(device_id)) if device_id.isdigit() else None
    if device is None or device.retired_at is not None:
        raise PageError(404, "fleet.no_device", back="/console/fleet")
    if name not in COMMANDS:
        return page.redirect("/console/fleet?error=fleet.bad_command")
    args: dict = {}
    if name == "set_config":
        key = str(form.get("key", "")).strip()[:80]
        raw = str(form.get("value", "")).strip()[:2000]
        if not key:
            return page.redirect("/console/fleet?error=fleet.config_key_needed")
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw  # a plain word is taken as text
        args = {"key": key, "value": value}
    command = DeviceCommand(
        device_id=device.id, name=name, args=args, created_by=f"staff:{page.user.username}"
    )
    page.db.add(command)
    page.db.flush()
    audit(page, "device.command", f"device:{device.short_code}", command=name, args=args or None)
    page.db.commit()
    return page.redirect("/console/fleet", done="command_queued")
