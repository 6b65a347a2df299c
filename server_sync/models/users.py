"""Staff who sign in to the console."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

# admin: everything; dispatcher: the processing centre's dispatchers (triage, routing,
# call-backs); supervisor: reviews resolutions and reads the audit log; department: a
# department's handler; supermarket: points desk; technician: fleet.
STAFF_ROLES = ("admin", "dispatcher", "supervisor", "department", "supermarket", "technician")


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(80), default="")
    # argon2id hash (argon2-cffi's PasswordHasher); never the password.
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    department: Mapped[str | None] = mapped_column(ForeignKey("departments.key"), default=None)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)
