"""Apply `command.completed`: the outcome of a technician's command on a device."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from server_sync.models import Device, DeviceCommand, utcnow
from server_sync.protocol import CommandCompleted, Event

from . import Rejected, handler

log = logging.getLogger(__name__)


@handler("command.completed")
def apply_command_completed(
    session: Session, device: Device | None, event: Event, payload: CommandCompleted
) -> dict[str, Any]:
    command = session.get(DeviceCommand, payload.command_id)
    if command is None or device is None or command.device_id != device.id:
        raise Rejected(f"command {payload.command_id} was not sent to this device")
    if command.status in ("done", "failed"):
        raise Rejected(f"command {payload.command_id} is already {command.status}")
    command.status = "done" if payload.ok else "failed"
    command.ok = payload.ok
    command.output = payload.output
    command.completed_at = utcnow()
    log.info(
        "command %d (%s) on %s: %s", command.id, command.name, device.short_code, command.status
    )
    return {"command": command.id, "status": command.status}
