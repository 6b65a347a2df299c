"""Reference data every device mirrors: categories, departments, locations, notices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Department(Base):
    __tablename__ = "departments"
    __sync_kind__ = "departments"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(40), default="")

    def sync_key(self) -> str:
        return self.key

    def sync_row(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "phone": self.phone,
        }


class Category(Base):
    """A kind of report, routed by default to one department within a deadline."""

    __tablename__ = "categories"
    __sync_kind__ = "categories"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120))
    department: Mapped[str] = mapped_column(ForeignKey("departments.key"))
    deadline_hours: Mapped[int] = mapped_column(default=24)
    icon: Mapped[str] = mapped_column(String(60), default="")
    phrases_zh: Mapped[list[Any]] = mapped_column(default=list)
    phrases_en: Mapped[list[Any]] = mapped_column(default=list)
    position: Mapped[int] = mapped_column(default=0)
    # Matters the community cannot settle alone and must raise with the county.
    county: Mapped[bool] = mapped_column(default=False)

    def sync_key(self) -> str:
        return self.key

    def sync_row(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "department": self.department,
            "deadline_hours": self.deadline_hours,
            "icon": self.icon,
            "phrases_zh": list(self.phrases_zh),
            "phrases_en": list(self.phrases_en),
            "position": self.position,
        }


class Location(Base):
    __tablename__ = "locations"
    __sync_kind__ = "locations"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120))
    building: Mapped[int | None] = mapped_column(default=None)

    def sync_key(self) -> str:
        return self.key

    def sync_row(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "building": self.building,
        }


class Notice(Base):
    """A policy or news item shown on the kiosks; withdrawn notices leave the devices."""

    __tablename__ = "notices"
    __sync_kind__ = "notices"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="news")
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    body_zh: Mapped[str] = mapped_column(Text, default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)

    def sync_key(self) -> str:
        return self.key

    def sync_row(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "body_zh": self.body_zh,
            "body_en": self.body_en,
            "published_at": self.published_at.isoformat(),
        }
