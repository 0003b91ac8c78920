"""Registers, for the lead or the session's host: who is booked, and ticking who attended."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user, login_required

from portal.auth.forms import ButtonForm
from portal.schedule import queries
from portal.schedule.blueprint import bp, visible_session_or_404
from portal.schedule.forms import AttendanceForm
from portal.schedule.models import Booking, Session
from portal.schedule.registers import mark_everyone_attended, set_attendance
from portal.schedule.rules import can_take_register
from portal.web.actions import attempt, change_then_redirect
from portal.web.authz import get_or_404
from portal.web.htmx import render, wants_fragment


def _register_session_or_404(session_id: int) -> Session:
    session, viewer = visible_session_or_404(session_id)
    if not can_take_register(viewer, session):
        abort(403)
    return session


@bp.route("/sessions/<int:session_id>/register")
@login_required
def register(session_id: int):
    session = _register_session_or_404(session_id)
    bookings = queries.register_for(session)
    return render("schedule/register.html", session=session, bookings=bookings,
                  waitlist=queries.waitlist_for(session), form=ButtonForm(),
                  attended=sum(1 for b in bookings if b.attended), absent=sum(1 for b in bookings if b.attended is False))


@bp.route("/bookings/<int:booking_id>/attendance", methods=["POST"])
@login_required
def attendance(booking_id: int):
    booking = get_or_404(Booking, booking_id)
    session = _register_session_or_404(booking.session_id)
    form = AttendanceForm()
    if form.validate_on_submit():
        value = {"yes": True, "no": False, "": None}[form.attended.data]
        error = attempt(lambda: set_attendance(current_user, booking, value)).error
    else:
        error = "That could not be recorded; reload the page and try again."
    target = f"schedule-register-{booking.id}"
    if wants_fragment(target):
        return render("schedule/register.html", "schedule/_register_row.html", target, booking=booking,
                      session=session, row_error=error, http_status=409 if error else 200)
    if error:
        flash(error, "error")
    return redirect(url_for("schedule.register", session_id=session.id) + f"#{target}", 303)


@bp.route("/sessions/<int:session_id>/register/all", methods=["POST"])
@login_required
def register_all(session_id: int):
    session = _register_session_or_404(session_id)
    return change_then_redirect(lambda: mark_everyone_attended(current_user, session),
                                url_for("schedule.register", session_id=session.id),
                                lambda count: f"{count} people marked as attended.",
                                valid=ButtonForm().validate_on_submit())
