"""The server's database models, one module per area.

Importing this package imports every module in it, so a new area (a new
``models/<area>.py``) is registered with `Base.metadata`, and so with Alembic,
without editing this file.
"""

from __future__ import annotations

import importlib
import pkgutil

from .base import Base, UTCDateTime, utcnow
from .changes import Change, record_change, record_changes
from .devices import ROLE_LETTERS, ROLES, ConfigValue, Device, DeviceCommand, EnrolmentCode
from .events import EventLog, EventRejection, MediaObject
from .reference import Category, Department, Location, Notice
from .reports import REPORT_STATUSES, HelpRequest, Report, ReportHistory, ServiceRequest
from .users import STAFF_ROLES, StaffUser


def _import_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


_import_all()

__all__ = [
    "REPORT_STATUSES",
    "ROLES",
    "ROLE_LETTERS",
    "STAFF_ROLES",
    "Base",
    "Category",
    "Change",
    "ConfigValue",
    "Department",
    "Device",
    "DeviceCommand",
    "EnrolmentCode",
    "EventLog",
    "EventRejection",
    "HelpRequest",
    "Location",
    "MediaObject",
    "Notice",
    "Report",
    "ReportHistory",
    "ServiceRequest",
    "StaffUser",
    "UTCDateTime",
    "record_change",
    "record_changes",
    "utcnow",
]
