"""Conversions between stored UTC instants and the institution's wall-clock time."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from flask import current_app


def zone() -> ZoneInfo:
    """The institution's configured time zone."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def to_local(instant: datetime | None) -> datetime | None:
    """An aware UTC instant as wall-clock time in the institution's zone."""
    if instant is None:
        return None
    return instant.astimezone(zone())


def local_to_utc(wall: datetime, tz: ZoneInfo | None = None) -> datetime:
    """Wall-clock time in the institution's zone (naive) to an aware UTC instant.

    A wall time inside the autumn overlap is read as the first (summer-time) one;
    a time inside the spring gap is moved forward by the gap, as calendars do.
    """
    tz = tz or zone()
    if wall.tzinfo is not None:
        return wall.astimezone(timezone.utc)
    # fold=0 does both (PEP 495): in the overlap it picks the earlier offset, so the first of the two
    # times; in the gap it keeps the offset from before the change, so 01:30 GMT, which is 02:30 BST.
    # fold=1 there would take the later offset and land an hour before the gap instead.
    return wall.replace(tzinfo=tz, fold=0).astimezone(timezone.utc)


def format_local(instant: datetime | None, fmt: str = "%a %-d %b %Y, %H:%M") -> str:
    """Human form of an instant in the institution's zone, with the zone's abbreviation."""
    if instant is None:
        return ""
    local = to_local(instant)
    return f"{local.strftime(fmt)} {local.tzname()}"


def format_date(value: date | datetime | None, fmt: str = "%a %-d %b %Y") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return value.strftime(fmt)


def combine_local(day: date, at: time) -> datetime:
    """A date and a wall-clock time in the institution's zone, as an aware UTC instant."""
    return local_to_utc(datetime.combine(day, at))
