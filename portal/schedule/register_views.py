"""Registers, for the lead or the session's host: who is booked, and ticking who attended."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user, login_required

from portal.db_types import utcnow

from portal.auth.forms import ButtonForm
from portal.schedule import queries
from portal.schedule.blueprint import bp, visible_session_or_404
from portal.schedule.forms import AttendanceForm, MarkEveryoneForm
from portal.schedule.models import Booking, Session
from portal.schedule.registers import (mark_everyone_attended, register_opens_message, set_attendance,
                                       unrecorded_bookings)
from portal.schedule.rules import can_record_attendance, can_take_register
from portal.web.actions import attempt
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
    is_open = can_record_attendance(session, utcnow())
    return render("schedule/register.html", session=session, bookings=bookings,
                  waitlist=queries.waitlist_for(session), form=ButtonForm(), register_open=is_open,
                  not_yet=None if is_open else register_opens_message(session),
                  unrecorded=sum(1 for b in bookings if b.attended is None),
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
                      session=session, row_error=error, register_open=can_record_attendance(session, utcnow()),
                      http_status=409 if error else 200)
    if error:
        flash(error, "error")
    return redirect(url_for("schedule.register", session_id=session.id) + f"#{target}", 303)


def _mark_everyone_page(session: Session, form: MarkEveryoneForm, error: str | None = None, status: int = 200):
    """The confirmation of "mark everyone attended", as a page or (htmx) in place of the register's button."""
    people = unrecorded_bookings(session)
    return render("schedule/register_all.html", "schedule/_register_all.html", f"schedule-registerall-{session.id}",
                  session=session, form=form, people=people, error=error, http_status=status,
                  not_yet=None if can_record_attendance(session, utcnow()) else register_opens_message(session))


@bp.route("/sessions/<int:session_id>/register/all")
@login_required
def confirm_register_all(session_id: int):
    return _mark_everyone_page(_register_session_or_404(session_id), MarkEveryoneForm(formdata=None))


@bp.route("/sessions/<int:session_id>/register/all", methods=["POST"])
@login_required
def register_all(session_id: int):
    """Marks everyone only with the confirmation page's number: a bare post is refused and shows that page."""
    session = _register_session_or_404(session_id)
    form = MarkEveryoneForm()
    if not form.validate_on_submit():
        return _mark_everyone_page(session, form, "Confirm on this page first: nobody has been marked yet.", 422)
    done = attempt(lambda: mark_everyone_attended(current_user, session, form.expected.data))
    if not done:
        return _mark_everyone_page(session, MarkEveryoneForm(formdata=None), done.error, 409)
    flash(f"{done.value} {'person' if done.value == 1 else 'people'} marked as attended.", "success")
    return redirect(url_for("schedule.register", session_id=session.id), 303)
