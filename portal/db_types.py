"""Column types shared by every feature: UTC timestamps that come back timezone-aware, enums stored by value."""
from __future__ import annotations

import enum
from datetime import datetime, timezone

from sqlalchemy.types import DateTime, TypeDecorator


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC; refuses naive datetimes on the way in."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def utcnow() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(timezone.utc)


def str_enum(enum_class):
    """An enum column stored as its string values (portable: no native PostgreSQL enum type)."""
    from sqlalchemy import Enum

    return Enum(enum_class, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class LabelledEnum(str, enum.Enum):
    """A string enum whose members carry the label people read: ``SELECTED = "selected", "Selected"``.

    A member given only its value is labelled from it ("not_selected" -> "Not selected"). Stored by
    value through `str_enum`, so a label can change without a migration.
    """

    def __new__(cls, value: str, label: str | None = None):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label or value.replace("_", " ").capitalize()
        return member

    @property
    def label(self) -> str:
        return self._label
