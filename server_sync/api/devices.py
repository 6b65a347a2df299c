"""Enrolment and heartbeats: POST /devices/enroll, POST /devices/heartbeat."""

from __future__ import annotations

import logging
from datetime import timedelta

from fastapi import APIRouter, Depends
from pydantic import ValidationError
from sqlalchemy import or_, select

from server_sync.db import Database
from server_sync.enrolment import EnrolmentError, enrol
from server_sync.models import Device, DeviceCommand, utcnow
from server_sync.protocol import (
    Command,
    EnrollRequest,
    EnrollResponse,
    Heartbeat,
    HeartbeatResponse,
)

from .deps import current_device, get_database
from .errors import ApiError, error_responses

log = logging.getLogger(__name__)

router = APIRouter(prefix="/devices", tags=["devices"])

# A command sent but not reported done is sent again after this long, in case
# the heartbeat answer that carried it was lost; devices skip ids they ran.
RESEND_AFTER = timedelta(minutes=10)


@router.post(
    "/enroll",
    response_model=EnrollResponse,
    status_code=201,
    responses=error_responses(403, 422),
)
def enroll(request: EnrollRequest, database: Database = Depends(get_database)) -> EnrollResponse:
    try:
        with database.transaction() as session:
            enrolment = enrol(session, request.code, request.name)
            device = enrolment.device
            response = EnrollResponse(
                device_id=device.id,
                short_code=device.short_code,
                token=enrolment.token,
                role=device.role,
                location=device.location,
            )
    except EnrolmentError as exc:
        raise ApiError(403, exc.code, exc.message) from None
    return response


@router.post(
    "/heartbeat",
    response_model=HeartbeatResponse,
    responses=error_responses(401, 422),
)
def heartbeat(
    beat: Heartbeat,
    device: Device = Depends(current_device),
    database: Database = Depends(get_database),
) -> HeartbeatResponse:
    now = utcnow()
    commands: list[Command] = []
    with database.transaction() as session:
        row = session.get(Device, device.id)
        row.health = beat.model_dump(mode="json") | {"received_at": now.isoformat()}
        row.last_seen_at = now
        due = session.scalars(
            select(DeviceCommand)
            .where(
                DeviceCommand.device_id == device.id,
                or_(
                    DeviceCommand.status == "pending",
                    (DeviceCommand.status == "sent")
                    & (DeviceCommand.sent_at < now - RESEND_AFTER),
                ),
            )
            .order_by(DeviceCommand.id)
        )
        for command in due:
            try:
                commands.append(Command(id=command.id, name=command.name, args=command.args))
            except ValidationError:
                command.status = "failed"
                command.output = f"the device does not know the command {command.name!r}"
                log.warning("command %d for %s is not valid", command.id, device.short_code)
                continue
            command.status = "sent"
            command.sent_at = now
    return HeartbeatResponse(server_time=now, commands=commands)
