"""Console staff accounts: creating them and hashing their passwords (argon2id)."""

from __future__ import annotations

import logging
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import STAFF_ROLES, Department, StaffUser

log = logging.getLogger(__name__)

USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{1,39}$")
MIN_PASSWORD = 8

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` matches the stored hash; False for a wrong or unreadable hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than the hasher's current ones."""
    return _hasher.check_needs_rehash(password_hash)


def create_user(
    session: Session,
    username: str,
    password: str,
    *,
    role: str,
    department: str | None = None,
    display_name: str = "",
) -> StaffUser:
    """A new staff user; ValueError with a sentence when a field is wrong."""
    if not USERNAME_RE.match(username):
        raise ValueError(
            "a username is 2 to 40 lower-case letters, digits, dots, dashes or underscores, "
            "starting with a letter"
        )
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    if role not in STAFF_ROLES:
        raise ValueError(f"role must be one of {', '.join(STAFF_ROLES)}")
    if role == "department" and not department:
        raise ValueError("a department handler needs --department")
    if department and session.get(Department, department) is None:
        raise ValueError(f"department {department!r} does not exist; run the seed first")
    if session.scalar(select(StaffUser.id).where(StaffUser.username == username)) is not None:
        raise ValueError(f"user {username} already exists")
    user = StaffUser(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        department=department,
    )
    session.add(user)
    session.flush()
    log.info("staff user %s created with role %s", username, role)
    return user
