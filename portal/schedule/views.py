"""Schedule pages: staff schedule and bookings, session pages, registers, lead management, iCal feeds."""
from __future__ import annotations

import calendar
import hashlib
from datetime import date, datetime, timedelta, timezone

from flask import Blueprint, abort, current_app, flash, make_response, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.auth.forms import ButtonForm
from portal.auth.models import User
from portal.db_types import utcnow
from portal.extensions import db
from portal.rounds.models import Round, RoundState
from portal.schedule import ical, queries, services
from portal.schedule.forms import (
    AlarmForm, AttendanceForm, BlockForm, CancelSessionForm, FeedForm, NoticeForm, SessionForm, TermForm,
)
from portal.schedule.models import (
    Audience, Booking, BookingStatus, FeedToken, OfficeHoursBlock, Session, SessionKind, SessionStatus, Term,
)
from portal.schedule.rules import can_change_booking, can_see_session, can_take_register, is_bookable
from portal.schedule.services import ScheduleError
from portal.timeutil import to_local
from portal.auth.access import lead_required
from portal.web.authz import get_or_404
from portal.web.csrf import keeps_input_on_csrf_failure
from portal.web.htmx import render, wants_fragment

bp = Blueprint("schedule", __name__, url_prefix="/schedule")

FEED_REFRESH = timedelta(hours=1)


# ---------------------------------------------------------------- template helpers

@bp.app_template_filter("termdate")
def termdate(value) -> str:
    """A date with its term week when terms are set: "Thu 18 Jan (Wk 1, HT24)"."""
    from portal.schedule.rules import term_week_label
    if value is None:
        return ""
    day = to_local(value).date() if isinstance(value, datetime) else value
    label = term_week_label(day, queries.terms())
    text = day.strftime("%a %-d %b %Y")
    return f"{day.strftime('%a %-d %b')} ({label})" if label else text


@bp.app_template_filter("localtime")
def localtime(value) -> str:
    return to_local(value).strftime("%H:%M") if value else ""


def _safe_next(default: str) -> str:
    target = request.form.get("next") or request.args.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def _webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[1]


def _feed_urls(path: str) -> dict:
    https = current_app.config["BASE_URL"].rstrip("/") + path
    return {"https": https, "webcal": _webcal(https)}


# ---------------------------------------------------------------- staff schedule

def _parse_month(value: str | None) -> date:
    today = to_local(utcnow()).date()
    if value:
        try:
            year, month = value.split("-")
            parsed = date(int(year), int(month), 1)
            if 2000 <= parsed.year <= 2100:
                return parsed
        except ValueError:
            pass
    return today.replace(day=1)


def _booking_context(session: Session, booking: Booking | None, viewer, now, positions=None) -> dict:
    notice = services.notice_hours(session.kind)
    return {
        "session": session, "booking": booking, "now": now,
        "bookable": is_bookable(session, now),
        "can_cancel": booking is not None and can_change_booking(viewer, booking, notice, now),
        "notice_hours": notice,
        "position": (positions or {}).get(booking.id) if booking is not None else None,
    }


@bp.route("/")
@login_required
def index():
    now = utcnow()
    viewer = queries.viewer_for(current_user)
    month = _parse_month(request.args.get("month"))
    view = "grid" if request.args.get("view") == "grid" else "list"
    # Read the notice rules and terms up front (both are remembered for the request), so the page costs the
    # same queries whatever it shows.
    services.all_notice_hours()
    queries.terms()
    schedule = queries.month_schedule(viewer, *queries.month_bounds(month))
    items = [_booking_context(s, schedule.bookings.get(s.id), viewer, now, schedule.positions)
             for s in schedule.sessions]
    previous_month = (month - timedelta(days=1)).replace(day=1)
    next_month = (month + timedelta(days=32)).replace(day=1)
    grid = _month_grid(month, schedule.sessions, schedule.blocks) if view == "grid" else None
    feeds = [t for t in queries.feed_tokens_of(current_user.id) if t.is_active]
    rounds = queries.feed_rounds(viewer)
    hosted = queries.hosted_sessions(current_user.id, now)
    return render(
        "schedule/index.html", month=month, view=view, items=items, blocks=schedule.blocks, grid=grid,
        previous_month=previous_month, next_month=next_month, my_bookings=queries.my_bookings(current_user.id, now),
        hosted=hosted, feeds=feeds, feed_urls=_token_urls(feeds),
        round_feeds=[(r, _feed_urls(url_for("schedule.round_feed", round_id=r.id))) for r in rounds],
        clashes=_hosted_clashes(hosted),
    )


def _hosted_clashes(hosted: list[Session]) -> dict:
    """Clashes of what the person hosts with anything else on at the same time (host or room)."""
    return queries.clashes_for_many([s for s in hosted if s.ends_at > utcnow()])


def _month_grid(month: date, sessions: list[Session], blocks) -> list[list[dict]]:
    by_day: dict[date, list] = {}
    for session in sessions:
        by_day.setdefault(to_local(session.starts_at).date(), []).append(session)
    block_days: dict[date, list] = {}
    for block, slots in blocks:
        for slot in slots:
            day = to_local(slot.starts_at).date()
            if block not in block_days.setdefault(day, []):
                block_days[day].append(block)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        weeks.append([{"day": day, "in_month": day.month == month.month, "sessions": by_day.get(day, []),
                       "blocks": block_days.get(day, [])} for day in week])
    return weeks


def _token_urls(tokens: list[FeedToken]) -> dict[int, dict]:
    return {t.id: _feed_urls(url_for("schedule.feed", token=t.token)) for t in tokens}


def _visible_session_or_404(session_id: int) -> tuple[Session, object]:
    session = get_or_404(Session, session_id)
    viewer = queries.viewer_for(current_user)
    if not can_see_session(viewer, session):
        abort(404)
    return session, viewer


@bp.route("/sessions/<int:session_id>")
@login_required
def session_page(session_id: int):
    session, viewer = _visible_session_or_404(session_id)
    now = utcnow()
    booking = queries.bookings_by_session(current_user.id, [session.id]).get(session.id)
    positions = queries.waitlist_positions([session.id])
    return render("schedule/session.html", **_booking_context(session, booking, viewer, now, positions),
                  can_register=can_take_register(viewer, session),
                  clashes=queries.clashes_for(session) if can_take_register(viewer, session) else [],
                  ics_url=url_for("schedule.session_ics", session_id=session.id))


def _booking_response(session: Session, viewer, message: str, error: bool):
    now = utcnow()
    booking = queries.bookings_by_session(current_user.id, [session.id]).get(session.id)
    target = f"schedule-booking-{session.id}"
    if wants_fragment(target):
        positions = queries.waitlist_positions([session.id])
        return render("schedule/session.html", "schedule/_booking.html", target,
                      **_booking_context(session, booking, viewer, now, positions),
                      message=message, message_error=error, http_status=409 if error else 200,
                      headers={"HX-Trigger": "schedule-bookings-changed"})
    flash(message, "error" if error else "success")
    return redirect(_safe_next(url_for("schedule.session_page", session_id=session.id)), 303)


@bp.route("/sessions/<int:session_id>/book", methods=["POST"])
@login_required
def book(session_id: int):
    session, viewer = _visible_session_or_404(session_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        return _booking_response(session, viewer, "That could not be done; reload the page and try again.", True)
    try:
        booking = services.book_session(current_user, session)
        db.session.commit()
    except ScheduleError as exc:
        db.session.rollback()
        return _booking_response(session, viewer, exc.message, True)
    except IntegrityError:
        db.session.rollback()
        return _booking_response(session, viewer, "You already have a booking on this session.", True)
    if booking.status == BookingStatus.BOOKED:
        message = f"Booked: {session.display_title}. A calendar invitation is on its way by email."
    else:
        message = f"{session.display_title} is full, so you are on the waitlist. You will get the first place that frees up."
    return _booking_response(session, queries.viewer_for(current_user), message, False)


@bp.route("/sessions/<int:session_id>/cancel-booking", methods=["POST"])
@login_required
def cancel_booking(session_id: int):
    session, viewer = _visible_session_or_404(session_id)
    form = ButtonForm()
    booking = db.session.scalar(select(Booking).where(Booking.session_id == session.id,
                                                      Booking.user_id == current_user.id))
    if not form.validate_on_submit():
        return _booking_response(session, viewer, "That could not be done; reload the page and try again.", True)
    if booking is None or booking.status == BookingStatus.CANCELLED:
        return _booking_response(session, viewer, "You have no booking on this session to cancel.", True)
    was_waitlisted = booking.status == BookingStatus.WAITLISTED
    try:
        services.cancel_booking(current_user, booking)
        db.session.commit()
    except ScheduleError as exc:
        db.session.rollback()
        return _booking_response(session, viewer, exc.message, True)
    message = "You have left the waitlist." if was_waitlisted else "Your booking is cancelled."
    return _booking_response(session, queries.viewer_for(current_user), message, False)


# ---------------------------------------------------------------- office hours (staff)

@bp.route("/office-hours/<int:block_id>")
@login_required
def block_page(block_id: int):
    block = get_or_404(OfficeHoursBlock, block_id)
    viewer = queries.viewer_for(current_user)
    now = utcnow()
    slots = [s for s in block.sessions if can_see_session(viewer, s)]
    if not slots:
        abort(404)
    mine = queries.bookings_by_session(current_user.id, [s.id for s in slots])
    days: dict[date, list] = {}
    for slot in slots:
        if slot.ends_at <= now - timedelta(days=1):
            continue
        days.setdefault(to_local(slot.starts_at).date(), []).append(_booking_context(slot, mine.get(slot.id), viewer, now))
    future = [s for s in slots if s.status == SessionStatus.SCHEDULED and s.starts_at > now]
    waiting = [e for e in queries.block_waitlist(block.id)]
    on_waitlist = any(e.user_id == current_user.id for e in waiting)
    held = sum(1 for b in mine.values() if b.status == BookingStatus.BOOKED and b.session.status == SessionStatus.SCHEDULED)
    return render("schedule/block.html", block=block, days=days, full=bool(future) and all(s.is_full for s in future),
                  on_waitlist=on_waitlist, waiting_count=len(waiting), held=held,
                  can_register=can_take_register(viewer, slots[0]), waiting=waiting if can_take_register(viewer, slots[0]) else [])


@bp.route("/office-hours/<int:block_id>/waitlist", methods=["POST"])
@login_required
def block_waitlist(block_id: int):
    block = get_or_404(OfficeHoursBlock, block_id)
    viewer = queries.viewer_for(current_user)
    if not any(can_see_session(viewer, s) for s in block.sessions):
        abort(404)
    form = ButtonForm()
    leave = request.form.get("action") == "leave"
    if not form.validate_on_submit():
        flash("That could not be done; reload the page and try again.", "error")
        return redirect(url_for("schedule.block_page", block_id=block.id), 303)
    try:
        if leave:
            services.leave_block_waitlist(current_user, block)
        else:
            services.join_block_waitlist(current_user, block)
        db.session.commit()
    except (ScheduleError, IntegrityError) as exc:
        db.session.rollback()
        flash(getattr(exc, "message", "You are already on the waitlist."), "error")
    else:
        flash("You have left the waitlist." if leave else
              "You are on the waitlist: the first slot that frees up is yours, and we will email you.", "success")
    return redirect(url_for("schedule.block_page", block_id=block.id), 303)


# ---------------------------------------------------------------- registers (lead or host)

def _register_session_or_404(session_id: int) -> Session:
    session, viewer = _visible_session_or_404(session_id)
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
    error = None
    if form.validate_on_submit():
        value = {"yes": True, "no": False, "": None}[form.attended.data]
        try:
            services.set_attendance(current_user, booking, value)
            db.session.commit()
        except ScheduleError as exc:
            db.session.rollback()
            error = exc.message
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
    form = ButtonForm()
    if form.validate_on_submit():
        count = services.mark_everyone_attended(current_user, session)
        db.session.commit()
        flash(f"{count} people marked as attended.", "success")
    else:
        flash("That could not be done; reload the page and try again.", "error")
    return redirect(url_for("schedule.register", session_id=session.id), 303)


# ---------------------------------------------------------------- lead: management

def _round_choices():
    rounds = db.session.scalars(select(Round).where(Round.state != RoundState.ARCHIVED).order_by(Round.opens_at.desc()))
    return [("", "No particular round")] + [(str(r.id), r.name) for r in rounds]


def _host_choices():
    people = db.session.execute(select(User.id, User.name, User.email).where(User.is_active_account.is_(True))
                                .order_by(User.name)).all()
    return [("", "No host")] + [(str(p.id), f"{p.name} ({p.email})") for p in people]


def _prepare(form):
    form.round_id.choices = _round_choices()
    form.host_id.choices = _host_choices()
    return form


@bp.route("/manage")
@lead_required
def manage():
    now = utcnow()
    past = request.args.get("when") == "past"
    kind = request.args.get("kind") or ""
    kind_value = SessionKind(kind) if kind in {k.value for k in SessionKind} else None
    sessions = queries.management_list(now, include_past=past, kind=kind_value)
    return render("schedule/manage.html", sessions=sessions, clashes=queries.clashes_among(sessions), past=past,
                  kind=kind_value.value if kind_value else "", kinds=list(SessionKind))


def _session_input(form: SessionForm) -> services.SessionInput:
    starts_at, ends_at = services.local_times(form.day.data, form.start_time.data, form.end_time.data,
                                              form.all_day.data, form.end_day.data)
    return services.SessionInput(
        kind=SessionKind(form.kind.data), title=form.title.data.strip(), description=form.description.data or "",
        starts_at=starts_at, ends_at=ends_at, all_day=form.all_day.data, location=(form.location.data or "").strip(),
        online_url=(form.online_url.data or "").strip(), capacity=form.capacity.data,
        audience=Audience(form.audience.data), round_id=form.round_id.data, host_id=form.host_id.data,
        series_number=form.series_number.data, series_total=form.series_total.data,
    )


def _attach_error(form, exc: ScheduleError) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    if field is None:
        field = form.title
    field.errors = list(field.errors) + [exc.message]


def _flash_clashes(clashes) -> None:
    for clash in clashes:
        flash(f"Warning: {clash.message}", "warning")


@bp.route("/manage/new", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@lead_required
def new_session():
    form = _prepare(SessionForm())
    if form.validate_on_submit():
        try:
            created = services.create_sessions(current_user, _session_input(form), form.repeat_weeks.data or 1)
            clashes = [c for s in created for c in queries.clashes_for(s)]
            db.session.commit()
        except ScheduleError as exc:
            db.session.rollback()
            _attach_error(form, exc)
        else:
            flash(f"{len(created)} session{'s' if len(created) > 1 else ''} added.", "success")
            _flash_clashes(clashes)
            return redirect(url_for("schedule.session_page", session_id=created[0].id), 303)
    status = 422 if form.errors else 200
    return render("schedule/session_form.html", form=form, session=None, http_status=status)


def _end_day(session: Session) -> date | None:
    start = to_local(session.starts_at).date()
    last = (to_local(session.ends_at) - timedelta(days=1 if session.all_day else 0)).date()
    return last if last > start else None


@bp.route("/manage/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@lead_required
def edit_session(session_id: int):
    session = get_or_404(Session, session_id)
    if request.method == "GET":
        local_start, local_end = to_local(session.starts_at), to_local(session.ends_at)
        form = _prepare(SessionForm(data={
            "kind": session.kind.value, "title": session.title, "description": session.description,
            "day": local_start.date(), "all_day": session.all_day,
            "start_time": None if session.all_day else local_start.time(),
            "end_time": None if session.all_day or session.ends_at == session.starts_at else local_end.time(),
            "end_day": _end_day(session),
            "location": session.location, "online_url": session.online_url, "capacity": session.capacity,
            "audience": session.audience.value, "round_id": session.round_id, "host_id": session.host_id,
            "series_number": session.series_number, "series_total": session.series_total,
        }))
    else:
        form = _prepare(SessionForm())
    if session.status == SessionStatus.CANCELLED and request.method == "POST":
        flash("A cancelled session cannot be changed.", "error")
        return redirect(url_for("schedule.session_page", session_id=session.id), 303)
    if form.validate_on_submit():
        try:
            clashes = services.update_session(current_user, session, _session_input(form))
            db.session.commit()
        except ScheduleError as exc:
            db.session.rollback()
            _attach_error(form, exc)
        else:
            flash("Session saved. Anyone booked has been sent the updated invitation.", "success")
            _flash_clashes(clashes)
            return redirect(url_for("schedule.session_page", session_id=session.id), 303)
    status = 422 if form.errors else 200
    return render("schedule/session_form.html", form=form, session=session, http_status=status)


@bp.route("/manage/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@lead_required
def cancel_session(session_id: int):
    session = get_or_404(Session, session_id)
    form = CancelSessionForm()
    if form.validate_on_submit():
        try:
            services.cancel_session(current_user, session, form.reason.data or "")
            db.session.commit()
        except ScheduleError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            flash("Session cancelled. Everyone booked has been told, and calendars will show it as cancelled.",
                  "success")
        return redirect(url_for("schedule.session_page", session_id=session.id), 303)
    return render("schedule/cancel_session.html", form=form, session=session,
                  booked=len(queries.register_for(session)), http_status=400 if form.errors else 200)


@bp.route("/manage/office-hours/new", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@lead_required
def new_block():
    form = _prepare(BlockForm())
    if form.validate_on_submit():
        try:
            block = services.create_office_hours_block(current_user, services.BlockInput(
                title=form.title.data.strip(), description=form.description.data or "", first_day=form.first_day.data,
                start_time=form.start_time.data.strftime("%H:%M"), end_time=form.end_time.data.strftime("%H:%M"),
                weeks=form.weeks.data, slot_minutes=form.slot_minutes.data, per_person=form.per_person.data,
                location=(form.location.data or "").strip(), online_url=(form.online_url.data or "").strip(),
                audience=Audience(form.audience.data), round_id=form.round_id.data, host_id=form.host_id.data,
            ))
            clashes = [c for s in block.sessions for c in queries.clashes_for(s)]
            db.session.commit()
        except ScheduleError as exc:
            db.session.rollback()
            _attach_error(form, exc)
        else:
            flash(f"Office hours added: {len(block.sessions)} slots.", "success")
            _flash_clashes(clashes[:5])
            return redirect(url_for("schedule.block_page", block_id=block.id), 303)
    return render("schedule/block_form.html", form=form, http_status=422 if form.errors else 200)


@bp.route("/manage/settings", methods=["GET"])
@lead_required
def settings():
    return _settings_page(TermForm(), NoticeForm())


def _settings_page(term_form, notice_form, status=200):
    terms = db.session.scalars(select(Term).order_by(Term.starts_on)).all()
    return render("schedule/settings.html", term_form=term_form, notice_form=notice_form, terms=terms,
                  notices=services.all_notice_hours(), button=ButtonForm(), http_status=status)


@bp.route("/manage/terms", methods=["POST"])
@keeps_input_on_csrf_failure
@lead_required
def add_term():
    form = TermForm()
    if form.validate_on_submit():
        try:
            services.add_term(current_user, form.name.data, form.starts_on.data, form.weeks.data)
            db.session.commit()
        except ScheduleError as exc:
            db.session.rollback()
            _attach_error_to(form, exc, form.name)
        else:
            flash(f"Term {form.name.data} added.", "success")
            return redirect(url_for("schedule.settings"), 303)
    return _settings_page(form, NoticeForm(formdata=None), 422)


def _attach_error_to(form, exc, default_field):
    field = getattr(form, exc.field, None) if exc.field else None
    field = field or default_field
    field.errors = list(field.errors) + [exc.message]


@bp.route("/manage/terms/<int:term_id>/delete", methods=["POST"])
@lead_required
def delete_term(term_id: int):
    term = get_or_404(Term, term_id)
    if ButtonForm().validate_on_submit():
        services.delete_term(current_user, term)
        db.session.commit()
        flash("Term removed.", "success")
    return redirect(url_for("schedule.settings"), 303)


@bp.route("/manage/notice", methods=["POST"])
@lead_required
def set_notice():
    form = NoticeForm()
    if form.validate_on_submit():
        try:
            services.set_notice_hours(current_user, SessionKind(form.kind.data), form.hours.data)
            db.session.commit()
        except ScheduleError as exc:
            db.session.rollback()
            _attach_error_to(form, exc, form.hours)
        else:
            flash("Minimum notice saved.", "success")
            return redirect(url_for("schedule.settings"), 303)
    return _settings_page(TermForm(formdata=None), form, 422)


# ---------------------------------------------------------------- my feeds

@bp.route("/feeds")
@login_required
def feeds():
    return _feeds_page(FeedForm())


def _feed_scopes(viewer) -> list[tuple[str, str]]:
    scopes = [("personal", "Everything of mine (bookings, my cohort's programme, what I host)")]
    cohort_rounds = db.session.scalars(select(Round).where(Round.id.in_(viewer.cohort_rounds))).all() \
        if viewer.cohort_rounds else []
    scopes += [(f"cohort-{r.id}", f"The cohort programme of {r.name}") for r in cohort_rounds]
    return scopes


def _feeds_page(form, status=200):
    viewer = queries.viewer_for(current_user)
    form.scope.choices = _feed_scopes(viewer)
    tokens = queries.feed_tokens_of(current_user.id)
    active = [t for t in tokens if t.is_active]
    return render("schedule/feeds.html", form=form, tokens=tokens, urls=_token_urls(active),
                  alarm_forms={t.id: AlarmForm(formdata=None, alarm_minutes=t.alarm_minutes) for t in active},
                  button=ButtonForm(), http_status=status,
                  round_feeds=[(r, _feed_urls(url_for("schedule.round_feed", round_id=r.id)))
                               for r in queries.feed_rounds(viewer)])


@bp.route("/feeds", methods=["POST"])
@keeps_input_on_csrf_failure
@login_required
def create_feed():
    form = FeedForm()
    viewer = queries.viewer_for(current_user)
    form.scope.choices = _feed_scopes(viewer)
    if form.validate_on_submit():
        scope, round_id = form.scope.data or "personal", None
        if scope.startswith("cohort-"):
            scope, round_id = "cohort", int(scope.split("-", 1)[1]) if scope.split("-", 1)[1].isdigit() else -1
        try:
            services.create_feed_token(current_user, form.label.data or "", scope, round_id)
            db.session.commit()
        except ScheduleError as exc:
            db.session.rollback()
            form.scope.errors = [exc.message]
        else:
            flash("Your new calendar link is ready below. Subscribe to it once; your calendar keeps itself up to date.",
                  "success")
            return redirect(url_for("schedule.feeds"), 303)
    return _feeds_page(form, 422)


def _my_token_or_404(token_id: int) -> FeedToken:
    token = get_or_404(FeedToken, token_id)
    if token.user_id != current_user.id:
        abort(404)
    return token


def _feed_token_action(token_id: int, service, done: str):
    """Revoke or regenerate one of the person's own feed links, then back to the feeds page."""
    token = _my_token_or_404(token_id)
    if ButtonForm().validate_on_submit():
        try:
            service(current_user, token)
            db.session.commit()
            flash(done.format(label=token.label), "success")
        except ScheduleError as exc:
            db.session.rollback()
            flash(exc.message, "error")
    return redirect(url_for("schedule.feeds"), 303)


@bp.route("/feeds/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_feed(token_id: int):
    return _feed_token_action(token_id, services.revoke_feed_token,
                              "“{label}” is revoked: calendars using that link stop updating.")


@bp.route("/feeds/<int:token_id>/regenerate", methods=["POST"])
@login_required
def regenerate_feed(token_id: int):
    return _feed_token_action(token_id, services.regenerate_feed_token,
                              "“{label}” has a new link; the old one no longer works. Subscribe to the new one.")


@bp.route("/feeds/<int:token_id>/alarm", methods=["POST"])
@login_required
def feed_alarm(token_id: int):
    token = _my_token_or_404(token_id)
    form = AlarmForm()
    if form.validate_on_submit() and token.is_active:
        try:
            services.set_feed_alarm(current_user, token, form.alarm_minutes.data)
            db.session.commit()
            flash("Reminder setting saved; calendars pick it up at their next refresh.", "success")
        except ScheduleError as exc:
            db.session.rollback()
            flash(exc.message, "error")
    else:
        flash("Choose one of the reminder times offered.", "error")
    return redirect(url_for("schedule.feeds"), 303)


# ---------------------------------------------------------------- iCal responses

def _calendar_response(events: list[ical.CalendarEvent], *, name: str, filename: str, alarm: int | None = None,
                       method: str = "PUBLISH", refresh: timedelta | None = FEED_REFRESH, private: bool = True):
    """text/calendar with an ETag and Last-Modified computed from the events, answering 304 when unchanged."""
    fingerprint = hashlib.sha256(repr((name, alarm, method, current_app.config["TIMEZONE"], [
        (e.uid, e.sequence, e.status, e.starts_at, e.ends_at, e.summary, e.location, e.description,
         e.last_modified) for e in events])).encode()).hexdigest()[:32]
    modified = max((e.last_modified for e in events if e.last_modified), default=None)
    if modified is not None:
        modified = modified.astimezone(timezone.utc).replace(microsecond=0)
    not_modified = False
    if request.if_none_match:
        not_modified = request.if_none_match.contains(fingerprint)
    elif request.if_modified_since and modified is not None:
        not_modified = modified <= request.if_modified_since
    if not_modified:
        response = make_response("", 304)
    else:
        body = ical.build_calendar(events, tzid=current_app.config["TIMEZONE"], name=name, method=method,
                                   alarm_minutes=alarm, refresh=refresh)
        response = make_response(body)
        response.headers["Content-Type"] = "text/calendar; charset=utf-8"
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.set_etag(fingerprint)
    if modified is not None:
        response.last_modified = modified
    response.headers["Cache-Control"] = ("private" if private else "public") + ", max-age=0, must-revalidate"
    return response


def _events(sessions) -> list[ical.CalendarEvent]:
    base = current_app.config["BASE_URL"]
    return [ical.event_from_session(s, base) for s in sessions]


@bp.route("/sessions/<int:session_id>.ics")
@login_required
def session_ics(session_id: int):
    session, _viewer = _visible_session_or_404(session_id)
    slug = "".join(c if c.isalnum() else "-" for c in session.title.lower()).strip("-")[:40] or "session"
    return _calendar_response(_events([session]), name=session.display_title, filename=f"{slug}.ics",
                              refresh=None)


@bp.route("/feed/<token>.ics")
def feed(token: str):
    """A personal or cohort feed, found by its secret token alone (calendar apps send no cookies)."""
    feed_token = queries.active_feed_token(token)
    if feed_token is None:
        abort(404)
    now = utcnow()
    owner = feed_token.user
    if not owner.is_active_account:
        abort(404)
    if feed_token.scope == "cohort":
        viewer = queries.viewer_for(owner)
        if not (viewer.is_lead or feed_token.round_id in viewer.cohort_rounds):
            abort(404)
        events = _events(queries.cohort_feed_sessions(feed_token.round_id, now))
        name = f"{feed_token.round.name}: cohort programme"
    else:
        events = _events(queries.personal_feed_sessions(owner, now))
        for provider in ical.FEED_PROVIDERS:
            events.extend(provider(owner))
        name = f"{current_app.config['SCHEME_NAME']}: {owner.name}"
    services.touch_feed(feed_token, now)
    db.session.commit()
    return _calendar_response(events, name=name, filename="calendar.ics", alarm=feed_token.alarm_minutes)


@bp.route("/rounds/<int:round_id>/public.ics")
def round_feed(round_id: int):
    """The public feed of a round: its intro sessions and deadlines (no sign-in: anyone may subscribe)."""
    round_ = db.session.get(Round, round_id)
    if round_ is None or round_.state == RoundState.DRAFT:
        abort(404)
    events = _events(queries.public_round_sessions(round_.id, utcnow()))
    return _calendar_response(events, name=f"{round_.name}: intro sessions and deadlines", filename="round.ics",
                              private=False)
