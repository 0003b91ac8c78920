"""A person's own data: download everything held about them, and switch reminders off."""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user

from portal.auth import sessions
from portal.auth.access import lead_required
from portal.auth.forms import ButtonForm
from portal.auth.models import SignInSession, User
from portal.extensions import db
from portal.privacy import services
from portal.privacy.forms import ExportForForm, RemindersForm
from portal.privacy.readable import audit_in_words, readable
from portal.reminders import services as reminder_services
from portal.web.actions import attempt
from portal.web.csrf import keeps_input_on_csrf_failure
from portal.web.pagination import paginate

bp = Blueprint("privacy", __name__, url_prefix="/my-data")


def _json_download(data: dict, filename: str) -> Response:
    response = Response(json.dumps(data, indent=2, ensure_ascii=False, default=str), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/")
@login_required
def index():
    """Everything held about the person in words; the things they did a page at a time (a lead has thousands)."""
    data = readable(services.held_about(current_user, audit_events=False))
    events = paginate(services.own_audit_events(current_user, newest_first=True))
    services.record_export(current_user, "html")
    db.session.commit()
    return render_template("privacy/index.html", data=data, events=events,
                           event_rows=[audit_in_words(services.audit_row(e)) for e in events.items],
                           devices=sessions.live_sessions(current_user), this_device=current_user.sign_in_session)


@bp.route("/devices/<int:session_id>/revoke", methods=["POST"])
@login_required
def revoke_device(session_id: int):
    """Sign one of the person's own devices out; revoking this one signs them out here too."""
    row = db.session.get(SignInSession, session_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    if not ButtonForm().validate_on_submit():
        flash("That could not be done; reload the page and try again.", "error")
        return redirect(url_for("privacy.index"), 303)
    this_device = current_user.sign_in_session is not None and current_user.sign_in_session.id == row.id
    attempt(lambda: sessions.revoke_session(current_user, row, "revoked under My data"))
    if this_device:
        logout_user()
        flash("This device is signed out.", "success")
        return redirect(url_for("auth.sign_in"), 303)
    flash(f"{row.user_agent} is signed out.", "success")
    return redirect(url_for("privacy.index"), 303)


@bp.route("/export.json")
@login_required
def export_json():
    data = services.subject_access(current_user)
    services.record_export(current_user, "json")
    db.session.commit()
    return _json_download(data, "my-data.json")


@bp.route("/for-someone", methods=["GET", "POST"])
@lead_required
def export_for():
    """The lead produces a colleague's data export: choose them by email address, download their JSON."""
    form = ExportForForm()
    if request.method == "GET" and (chosen := request.args.get("user", type=int)):
        person = db.session.get(User, chosen)
        form.email.data = person.email if person is not None else ""
    if form.validate_on_submit():
        done = attempt(lambda: services.export_for(current_user, form.email.data), form=form, field="email")
        if done:
            person, data = done.value
            return _json_download(data, f"data-of-person-{person.id}.json")
    return render_template("privacy/export_for.html", form=form), (422 if form.errors else 200)


@bp.route("/reminders", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@login_required
def reminders():
    holder = reminder_services.is_award_holder(current_user)
    choice = reminder_services.award_choice(current_user) if holder else None
    form = RemindersForm(data={
        "wants_reminders": current_user.wants_reminders,
        "membership_fee": bool(choice and choice.membership_fee),
        "portfolio_review": bool(choice and choice.portfolio_review),
        "awarded_on": choice.awarded_on if choice else (
            reminder_services.award_date_for(current_user) if holder else None),
    })
    if form.validate_on_submit():
        award = (form.awarded_on.data, bool(form.membership_fee.data), bool(form.portfolio_review.data)) \
            if holder else None
        reminder_services.save_reminder_choices(current_user, bool(form.wants_reminders.data), award)
        db.session.commit()
        flash("Your reminder choices are saved: reminders are "
              + ("on." if current_user.wants_reminders else "off."), "success")
        return redirect(url_for("privacy.reminders"), 303)
    return render_template("privacy/reminders.html", form=form, holder=holder), (422 if form.errors else 200)
