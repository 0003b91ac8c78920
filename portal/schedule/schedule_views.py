"""Everyone's schedule pages: the month (list or grid), a session's page, and booking or cancelling a place."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required

from portal.auth.forms import ButtonForm
from portal.db_types import utcnow
from portal.schedule import queries
from portal.schedule.blueprint import booking_context, bp, visible_session_or_404
from portal.schedule.bookings import book_session, cancel_booking as cancel_a_booking
from portal.schedule.clashes import clashes_for, clashes_for_many
from portal.schedule.links import round_feed_links
from portal.schedule.models import BookingStatus, Session
from portal.schedule.month_grid import clamp_month, month_grid, month_range, month_start, parse_month
from portal.schedule.notice import all_notice_hours
from portal.schedule.round_deadlines import round_deadlines
from portal.schedule.rules import can_take_register
from portal.timeutil import to_local
from portal.web.actions import STALE_FORM, attempt
from portal.web.htmx import render, wants_fragment
from portal.web.redirects import next_or


@bp.route("/")
@login_required
def index():
    now = utcnow()
    viewer = queries.viewer_for(current_user)
    month = parse_month(request.args.get("month"))
    view = "grid" if request.args.get("view") == "grid" else "list"
    # Months run from just before the first thing on the schedule to just after the last; a month beyond
    # (an old bookmark, a typed URL) is sent to the nearest one, so no link leads on forever.
    deadlines = round_deadlines(viewer, now)
    earliest, latest = month_range([*queries.schedule_span(viewer), *(d.closes_at for d in deadlines)],
                                   to_local(now).date())
    if clamp_month(month, earliest, latest) != month:
        return redirect(url_for("schedule.index", month=clamp_month(month, earliest, latest).strftime("%Y-%m"),
                                view=view), 303)
    # Read the notice rules and terms up front (both are remembered for the request), so the page costs the
    # same queries whatever it shows.
    all_notice_hours()
    queries.terms()
    start, end = queries.month_bounds(month)
    schedule = queries.month_schedule(viewer, start, end)
    month_deadlines = [d for d in deadlines if start <= d.closes_at < end]
    items = [booking_context(s, schedule.bookings.get(s.id), viewer, now, schedule.positions)
             for s in schedule.sessions]
    # A round's closing time sits in the list at its moment, after any session starting then.
    items += [{"deadline": d} for d in month_deadlines]
    items.sort(key=lambda item: ((item["deadline"].closes_at, 1) if "deadline" in item
                                 else (item["session"].starts_at, 0)))
    previous_month = month_start(month, -1) if month > earliest else None
    next_month = month_start(month, 1) if month < latest else None
    grid = month_grid(month, schedule.sessions, schedule.blocks, month_deadlines) if view == "grid" else None
    feeds = [t for t in queries.feed_tokens_of(current_user.id) if t.is_active]
    rounds = queries.feed_rounds(viewer)
    hosted = queries.hosted_sessions(current_user.id, now)
    return render(
        "schedule/index.html", month=month, view=view, items=items, blocks=schedule.blocks, grid=grid,
        previous_month=previous_month, next_month=next_month, my_bookings=queries.my_bookings(current_user.id, now),
        hosted=hosted, feeds=feeds,
        round_feeds=[(r, round_feed_links(r.id)) for r in rounds],
        clashes=_hosted_clashes(hosted),
    )


def _hosted_clashes(hosted: list[Session]) -> dict:
    """Clashes of what the person hosts with anything else on at the same time (host or room)."""
    return clashes_for_many([s for s in hosted if s.ends_at > utcnow()])


@bp.route("/sessions/<int:session_id>")
@login_required
def session_page(session_id: int):
    session, viewer = visible_session_or_404(session_id)
    now = utcnow()
    booking = queries.bookings_by_session(current_user.id, [session.id]).get(session.id)
    positions = queries.waitlist_positions([session.id])
    return render("schedule/session.html", **booking_context(session, booking, viewer, now, positions),
                  can_register=can_take_register(viewer, session),
                  clashes=clashes_for(session) if can_take_register(viewer, session) else [],
                  ics_url=url_for("schedule.session_ics", session_id=session.id))


def _booking_response(session: Session, viewer, message: str, error: bool):
    """The booking box again (htmx, 409 on a refusal) or, for a plain form, a flash and back to where it was."""
    now = utcnow()
    booking = queries.bookings_by_session(current_user.id, [session.id]).get(session.id)
    target = f"schedule-booking-{session.id}"
    if wants_fragment(target):
        positions = queries.waitlist_positions([session.id])
        return render("schedule/session.html", "schedule/_booking.html", target,
                      **booking_context(session, booking, viewer, now, positions),
                      message=message, message_error=error, http_status=409 if error else 200,
                      headers={"HX-Trigger": "schedule-bookings-changed"})
    flash(message, "error" if error else "success")
    return redirect(next_or(url_for("schedule.session_page", session_id=session.id)), 303)


@bp.route("/sessions/<int:session_id>/book", methods=["POST"])
@login_required
def book(session_id: int):
    session, viewer = visible_session_or_404(session_id)
    if not ButtonForm().validate_on_submit():
        return _booking_response(session, viewer, STALE_FORM, True)
    done = attempt(lambda: book_session(current_user, session),
                   duplicate="You already have a booking on this session.")
    if not done:
        return _booking_response(session, viewer, done.error, True)
    if done.value.status == BookingStatus.BOOKED:
        message = f"Booked: {session.display_title}. A calendar invitation is on its way by email."
    else:
        message = f"{session.display_title} is full, so you are on the waitlist. You will get the first place that frees up."
    return _booking_response(session, queries.viewer_for(current_user), message, False)


@bp.route("/sessions/<int:session_id>/cancel-booking", methods=["POST"])
@login_required
def cancel_booking(session_id: int):
    session, viewer = visible_session_or_404(session_id)
    form = ButtonForm()
    booking = queries.booking_of(current_user.id, session.id)
    if not form.validate_on_submit():
        return _booking_response(session, viewer, STALE_FORM, True)
    if booking is None or booking.status == BookingStatus.CANCELLED:
        return _booking_response(session, viewer, "You have no booking on this session to cancel.", True)
    was_waitlisted = booking.status == BookingStatus.WAITLISTED
    done = attempt(lambda: cancel_a_booking(current_user, booking))
    if not done:
        return _booking_response(session, viewer, done.error, True)
    message = "You have left the waitlist." if was_waitlisted else "Your booking is cancelled."
    return _booking_response(session, queries.viewer_for(current_user), message, False)
