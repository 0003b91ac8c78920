"""The lead's schedule pages: the session list, sessions and office-hours blocks, and the settings.

Adding, changing and cancelling sessions, adding office-hours blocks, terms and minimum notice.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import flash, redirect, request, url_for
from flask_login import current_user

from portal.auth.access import lead_required
from portal.auth.forms import ButtonForm
from portal.db_types import utcnow
from portal.schedule import queries
from portal.schedule.blueprint import bp
from portal.schedule.clashes import clashes_among, clashes_for
from portal.schedule.forms import BlockForm, CancelSessionForm, ManageFilterForm, NoticeForm, SessionForm, TermForm
from portal.schedule.models import Audience, Session, SessionKind, SessionStatus, Term
from portal.schedule.notice import all_notice_hours, set_notice_hours
from portal.schedule.office_hours import BlockInput, create_office_hours_block
from portal.schedule.sessions import (
    SessionInput, cancel_session as cancel_a_session, create_sessions, local_times, update_session,
)
from portal.schedule.terms import add_term as add_a_term, delete_term as delete_a_term
from portal.timeutil import to_local
from portal.web.actions import attempt, change_then_redirect
from portal.web.authz import get_or_404
from portal.web.csrf import keeps_input_on_csrf_failure
from portal.web.htmx import render


def _prepare(form, session: Session | None = None):
    """The round and host choices of a session or office-hours form: live rounds and active people, plus the
    session's own round and host when they are no longer among them, so that saving it keeps them."""
    rounds = [(str(r.id), r.name) for r in queries.live_rounds()]
    hosts = [(str(p.id), f"{p.name} ({p.email})") for p in queries.possible_hosts()]
    if session is not None and session.round is not None and str(session.round_id) not in dict(rounds):
        rounds.append((str(session.round_id), session.round.name))
    if session is not None and session.host is not None and str(session.host_id) not in dict(hosts):
        hosts.append((str(session.host_id), f"{session.host.name} ({session.host.email})"))
    form.round_id.choices = [("", "No particular round")] + rounds
    form.host_id.choices = [("", "No host")] + hosts
    return form


def _form_page(form, template: str, change, success, destination, **context):
    """A lead's session or office-hours form. On a valid post, `change(form)` runs as one unit of work and
    gives (what it made or changed, its clashes); a refusal goes on the field it names, else the title.
    When kept: `success(it)` flashed, a warning per clash, and 303 to `destination(it)` (both read after the
    commit). Otherwise the form again, 422 when it has errors."""
    if form.validate_on_submit():
        done = attempt(lambda: change(form), form=form, field="title")
        if done:
            changed, clashes = done.value
            flash(success(changed), "success")
            for clash in clashes:
                flash(f"Warning: {clash.message}", "warning")
            return redirect(destination(changed), 303)
    return render(template, form=form, http_status=422 if form.errors else 200, **context)


@bp.route("/manage")
@lead_required
def manage():
    now = utcnow()
    filters = ManageFilterForm(request.args)
    past = filters.value("when") == "past"
    kind = filters.value("kind")
    sessions = queries.management_list(now, include_past=past, kind=SessionKind(kind) if kind else None)
    return render("schedule/manage.html", sessions=sessions, clashes=clashes_among(sessions), past=past,
                  filters=filters)


# ---------------------------------------------------------------- sessions

def _session_input(form: SessionForm) -> SessionInput:
    starts_at, ends_at = local_times(form.day.data, form.start_time.data, form.end_time.data,
                                     form.all_day.data, form.end_day.data)
    return SessionInput(
        kind=SessionKind(form.kind.data), title=form.title.data.strip(), description=form.description.data or "",
        starts_at=starts_at, ends_at=ends_at, all_day=form.all_day.data, location=(form.location.data or "").strip(),
        online_url=(form.online_url.data or "").strip(), capacity=form.capacity.data,
        audience=Audience(form.audience.data), round_id=form.round_id.data, host_id=form.host_id.data,
        series_number=form.series_number.data, series_total=form.series_total.data,
    )


def _add_sessions(form: SessionForm):
    """The sessions the form adds, and their clashes (read before the commit)."""
    created = create_sessions(current_user, _session_input(form), form.repeat_weeks.data or 1)
    return created, [c for s in created for c in clashes_for(s)]


@bp.route("/manage/new", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@lead_required
def new_session():
    return _form_page(_prepare(SessionForm()), "schedule/session_form.html", _add_sessions,
                      lambda created: f"{len(created)} session{'s' if len(created) > 1 else ''} added.",
                      lambda created: url_for("schedule.session_page", session_id=created[0].id), session=None)


def _end_day(session: Session) -> date | None:
    start = to_local(session.starts_at).date()
    last = (to_local(session.ends_at) - timedelta(days=1 if session.all_day else 0)).date()
    return last if last > start else None


def _form_of(session: Session) -> SessionForm:
    """The session form filled in from the session, in local wall-clock time."""
    local_start, local_end = to_local(session.starts_at), to_local(session.ends_at)
    return SessionForm(data={
        "kind": session.kind.value, "title": session.title, "description": session.description,
        "day": local_start.date(), "all_day": session.all_day,
        "start_time": None if session.all_day else local_start.time(),
        "end_time": None if session.all_day or session.ends_at == session.starts_at else local_end.time(),
        "end_day": _end_day(session),
        "location": session.location, "online_url": session.online_url, "capacity": session.capacity,
        "audience": session.audience.value, "round_id": session.round_id, "host_id": session.host_id,
        "series_number": session.series_number, "series_total": session.series_total,
    })


@bp.route("/manage/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@lead_required
def edit_session(session_id: int):
    session = get_or_404(Session, session_id)
    form = _prepare(_form_of(session) if request.method == "GET" else SessionForm(), session)
    if session.status == SessionStatus.CANCELLED and request.method == "POST":
        flash("A cancelled session cannot be changed.", "error")
        return redirect(url_for("schedule.session_page", session_id=session.id), 303)
    return _form_page(form, "schedule/session_form.html",
                      lambda form: (session, update_session(current_user, session, _session_input(form))),
                      lambda _: "Session saved. Anyone booked has been sent the updated invitation.",
                      lambda _: url_for("schedule.session_page", session_id=session.id), session=session)


@bp.route("/manage/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@lead_required
def cancel_session(session_id: int):
    session = get_or_404(Session, session_id)
    form = CancelSessionForm()
    if form.validate_on_submit():
        return change_then_redirect(
            lambda: cancel_a_session(current_user, session, form.reason.data or ""),
            url_for("schedule.session_page", session_id=session.id),
            "Session cancelled. Everyone booked has been told, and calendars will show it as cancelled.")
    return render("schedule/cancel_session.html", form=form, session=session,
                  booked=len(queries.register_for(session)), http_status=400 if form.errors else 200)


# ---------------------------------------------------------------- office hours

def _block_input(form: BlockForm) -> BlockInput:
    return BlockInput(
        title=form.title.data.strip(), description=form.description.data or "", first_day=form.first_day.data,
        start_time=form.start_time.data, end_time=form.end_time.data,
        weeks=form.weeks.data, slot_minutes=form.slot_minutes.data, per_person=form.per_person.data,
        location=(form.location.data or "").strip(), online_url=(form.online_url.data or "").strip(),
        audience=Audience(form.audience.data), round_id=form.round_id.data, host_id=form.host_id.data,
    )


def _add_block(form: BlockForm):
    """The block the form adds, and the first five clashes of its slots (read before the commit)."""
    block = create_office_hours_block(current_user, _block_input(form))
    return block, [c for s in block.sessions for c in clashes_for(s)][:5]


@bp.route("/manage/office-hours/new", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@lead_required
def new_block():
    return _form_page(_prepare(BlockForm()), "schedule/block_form.html", _add_block,
                      lambda block: f"Office hours added: {len(block.sessions)} slots.",
                      lambda block: url_for("schedule.block_page", block_id=block.id))


# ---------------------------------------------------------------- settings: terms and minimum notice

@bp.route("/manage/settings", methods=["GET"])
@lead_required
def settings():
    return _settings_page(TermForm(), NoticeForm())


def _settings_page(term_form, notice_form, status=200):
    return render("schedule/settings.html", term_form=term_form, notice_form=notice_form, terms=queries.terms(),
                  notices=all_notice_hours(), button=ButtonForm(), http_status=status)


@bp.route("/manage/terms", methods=["POST"])
@keeps_input_on_csrf_failure
@lead_required
def add_term():
    form = TermForm()
    if form.validate_on_submit() and attempt(
            lambda: add_a_term(current_user, form.name.data, form.starts_on.data, form.weeks.data),
            form=form, field="name"):
        flash(f"Term {form.name.data} added.", "success")
        return redirect(url_for("schedule.settings"), 303)
    return _settings_page(form, NoticeForm(formdata=None), 422)


@bp.route("/manage/terms/<int:term_id>/delete", methods=["POST"])
@lead_required
def delete_term(term_id: int):
    term = get_or_404(Term, term_id)
    if ButtonForm().validate_on_submit() and attempt(lambda: delete_a_term(current_user, term)):
        flash("Term removed.", "success")
    return redirect(url_for("schedule.settings"), 303)


@bp.route("/manage/notice", methods=["POST"])
@lead_required
def set_notice():
    form = NoticeForm()
    if form.validate_on_submit() and attempt(
            lambda: set_notice_hours(current_user, SessionKind(form.kind.data), form.hours.data),
            form=form, field="hours"):
        flash("Minimum notice saved.", "success")
        return redirect(url_for("schedule.settings"), 303)
    return _settings_page(TermForm(formdata=None), form, 422)
