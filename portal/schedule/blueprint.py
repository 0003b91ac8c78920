"""The schedule blueprint, its template filters, and what its pages share.

Shared: the session a person may see (else 404) and what a session's booking box shows.
"""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort
from flask_login import current_user

from portal.schedule import queries
from portal.schedule.models import Booking, Session
from portal.schedule.notice import notice_hours
from portal.schedule.rules import (booking_refusal, can_change_booking, can_see_session, hosts_office_hours,
                                   is_bookable, term_week_label)
from portal.timeutil import to_local
from portal.web.authz import get_or_404

bp = Blueprint("schedule", __name__, url_prefix="/schedule")


@bp.app_template_filter("termdate")
def termdate(value) -> str:
    """A date with its term week when terms are set: "Thu 18 Jan (Wk 1, HT24)"."""
    if value is None:
        return ""
    day = to_local(value).date() if isinstance(value, datetime) else value
    label = term_week_label(day, queries.terms())
    text = day.strftime("%a %-d %b %Y")
    return f"{day.strftime('%a %-d %b')} ({label})" if label else text


@bp.app_template_filter("localtime")
def localtime(value) -> str:
    return to_local(value).strftime("%H:%M") if value else ""


def visible_session_or_404(session_id: int) -> tuple[Session, object]:
    """The session and the signed-in viewer, or 404 when it does not exist or is not theirs to see."""
    session = get_or_404(Session, session_id)
    viewer = queries.viewer_for(current_user)
    if not can_see_session(viewer, session):
        abort(404)
    return session, viewer


def booking_context(session: Session, booking: Booking | None, viewer, now, positions=None) -> dict:
    """What the booking box of a session shows (templates/schedule/_booking.html)."""
    notice = notice_hours(session.kind)
    bookable = is_bookable(session, now) and not hosts_office_hours(viewer, session)
    return {
        "session": session, "booking": booking, "now": now,
        "bookable": bookable,
        # Why there is no Book button, so it never just vanishes (at the start time, say); deadlines and
        # cancelled sessions say so themselves.
        "closed_reason": (booking_refusal(viewer, session, now) if not bookable and session.bookable_kind
                          and not session.is_cancelled else None),
        "hosting": hosts_office_hours(viewer, session),
        "can_cancel": booking is not None and can_change_booking(viewer, booking, notice, now),
        "notice_hours": notice,
        "position": (positions or {}).get(booking.id) if booking is not None else None,
    }
