"""Apply the supermarket's points events: awards, deductions, redemptions, reversals.

The work is done by `server_sync.points.ledger`; this module turns its refusals
into `Rejected` with the English sentence, which the device shows to staff.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from server_sync.models import Device
from server_sync.points import ledger
from server_sync.protocol import Event, PointsAwarded, PointsRedeemed, PointsReversed

from . import Rejected, handler

log = logging.getLogger(__name__)


def _device_id(device: Device | None) -> int | None:
    """The sending device, which must be a supermarket kiosk: only staff there keep points."""
    if device is None or device.role != "supermarket":
        where = "the phone page" if device is None else f"a {device.role} kiosk"
        raise Rejected(
            f"points entries are only taken from the points supermarket's kiosks, not from "
            f"{where}; check which device this is enrolled as"
        )
    return device.id


def _apply(apply, device: Device | None, event: Event, payload, **extra: Any) -> dict[str, Any]:
    """Run one ledger operation for an event; a ledger refusal becomes a readable rejection."""
    try:
        return apply(
            event_id=str(event.id),
            occurred_at=event.occurred_at,
            payload=payload,
            device_id=_device_id(device),
            **extra,
        )
    except ledger.PointsRefused as refusal:
        log.info("%s %s refused: %s", event.type, event.id, refusal.refusal.code)
        raise Rejected(refusal.refusal.en) from None


@handler("points.awarded")
@handler("points.deducted")
def apply_points_rule(
    session: Session, device: Device | None, event: Event, payload: PointsAwarded
) -> dict[str, Any]:
    return _apply(
        partial(ledger.apply_rule_event, session), device, event, payload, event_type=event.type
    )


@handler("points.redeemed")
def apply_points_redeemed(
    session: Session, device: Device | None, event: Event, payload: PointsRedeemed
) -> dict[str, Any]:
    return _apply(partial(ledger.apply_redemption, session), device, event, payload)


@handler("points.reversed")
def apply_points_reversed(
    session: Session, device: Device | None, event: Event, payload: PointsReversed
) -> dict[str, Any]:
    return _apply(partial(ledger.apply_reversal, session), device, event, payload)
