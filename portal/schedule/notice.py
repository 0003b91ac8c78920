"""Minimum notice per kind of session: how long before the start people may still change a booking themselves."""
from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import select

from portal.audit.services import record
from portal.extensions import db
from portal.schedule.errors import ScheduleError
from portal.schedule.models import KindNotice, SessionKind

DEFAULT_NOTICE_HOURS = {
    SessionKind.INTRO: 2,
    SessionKind.WORKSHOP: 24,
    SessionKind.OFFICE_HOURS: 24,
    SessionKind.DEADLINE: 0,
    SessionKind.OTHER: 0,
}


def notice_hours(kind: SessionKind) -> int:
    """Hours before a session after which people can no longer change their booking themselves."""
    return all_notice_hours()[kind]


def all_notice_hours() -> dict[SessionKind, int]:
    """Notice for every kind (one query, remembered for the rest of the request)."""
    if has_request_context() and hasattr(request, "_schedule_notice"):
        return request._schedule_notice
    rows = {row.kind: row.hours for row in db.session.scalars(select(KindNotice))}
    hours = {kind: rows.get(kind, DEFAULT_NOTICE_HOURS[kind]) for kind in SessionKind}
    if has_request_context():
        request._schedule_notice = hours
    return hours


def set_notice_hours(actor, kind: SessionKind, hours: int) -> KindNotice:
    """Set the minimum notice for a kind. Side effects: audit 'schedule.notice_set'."""
    if hours < 0 or hours > 24 * 30:
        raise ScheduleError("Notice must be between 0 and 720 hours.", "hours")
    row = db.session.get(KindNotice, kind)
    if row is None:
        row = KindNotice(kind=kind, hours=hours)
        db.session.add(row)
    row.hours = hours
    if has_request_context() and hasattr(request, "_schedule_notice"):
        del request._schedule_notice
    record(actor, "schedule.notice_set", None, summary=f"{kind.label}: {hours} hours notice")
    return row
