"""Mentoring pages for the two people of a pairing: volunteering to mentor, a participant's own page, the
mentor's dashboard of mentees, and the pairing page with its sections, meetings, progress and concern."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from portal.db_types import utcnow
from portal.extensions import db
from portal.mentoring import meetings, pairings, pool, progress, queries, rules
from portal.mentoring.blueprint import bp, button_answer
from portal.mentoring.forms import (AWARD_NAMES, ConcernForm, EndPairingForm, HiddenStateForm, MeetingForm,
                                    MenteeAreasForm, MentorProfileForm, OutcomeForm, ProgressForm, SectionForm)
from portal.mentoring.models import Pairing, PairingState, SectionStatus
from portal.proposals.models import Proposal, ProposalState
from portal.timeutil import local_to_utc, to_local
from portal.web.actions import attempt, change_then_redirect
from portal.web.authz import get_or_404
from portal.web.csrf import keeps_input_on_csrf_failure
from portal.web.htmx import render, wants_fragment


def _today() -> date:
    return to_local(utcnow()).date()


# ---------------------------------------------------------------- volunteering, a participant's page

@bp.route("/volunteer", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@login_required
def volunteer():
    profile = queries.profile_of(current_user.id)
    form = MentorProfileForm(obj=None)
    if request.method == "GET" and profile is not None:
        form.award_level.data = str(profile.award_level)
        form.award_year.data = profile.award_year
        form.department.data = profile.department
        form.campus.data = profile.campus
        form.specialist_areas.data = ", ".join(profile.specialist_areas or [])
        form.capacity.data = profile.capacity
        form.availability_notes.data = profile.availability_notes
        form.close_collaborators.data = "\n".join(queries.emails_of(profile.close_collaborator_ids or []))
    status = 200
    if form.validate_on_submit():
        saved = attempt(lambda: pool.save_mentor_profile(
            current_user, award_name=AWARD_NAMES[form.award_level.data], award_level=int(form.award_level.data),
            award_year=form.award_year.data, department=form.department.data or "", campus=form.campus.data or "",
            specialist_areas=form.specialist_areas.data or "", capacity=form.capacity.data,
            availability_notes=form.availability_notes.data or "",
            close_collaborator_emails=form.close_collaborators.data or ""), form=form, field="capacity")
        if saved:
            profile = saved.value
            taken = queries.places_taken(profile.id)
            flash("Your mentor profile is saved." + ("" if profile.is_approved else
                                                     " The programme lead will approve it before matching."), "success")
            if taken > profile.capacity:
                flash(f"You have {taken} mentees but room for {profile.capacity}; the programme lead will rematch "
                      "as needed.", "warning")
            return redirect(url_for("mentoring.volunteer"), 303)
        status = 422
    elif request.method == "POST":
        status = 422
    return render("mentoring/volunteer.html", form=form, profile=profile, suggestions=queries.area_vocabulary(),
                  state_form=HiddenStateForm(), http_status=status)


@bp.route("/volunteer/state", methods=["POST"])
@login_required
def volunteer_state():
    profile = queries.profile_of(current_user.id)
    if profile is None:
        abort(404)
    form = HiddenStateForm()
    return button_answer(
        form.validate_on_submit() and form.value.data in ("pause", "resume"),
        lambda: pool.set_mentor_paused(current_user, profile, form.value.data == "pause"),
        url_for("mentoring.volunteer"),
        lambda saved: "You are paused: new matching leaves you out." if saved.paused else "You are active again.")


@bp.route("/my")
@login_required
def my():
    """A participant's own page: their mentor's contact, progress link, areas for matching, reciprocity prompt."""
    entries = []
    for proposal in queries.participant_proposals(current_user.id):
        pairing = queries.mentee_pairing(proposal.id)
        areas = queries.mentee_areas(proposal.id)
        entries.append((proposal, pairing if pairing and pairing.state == PairingState.CONFIRMED else None,
                        MenteeAreasForm(prefix=f"p{proposal.id}", areas=", ".join(areas), formdata=None)))
    progress_of = queries.progress_by_proposal([p.id for p, _, _ in entries])
    return render("mentoring/my.html", entries=entries, progress=progress_of,
                  profile=queries.profile_of(current_user.id), suggestions=queries.area_vocabulary())


@bp.route("/my/<int:proposal_id>/areas", methods=["POST"])
@login_required
def my_areas(proposal_id: int):
    proposal = get_or_404(Proposal, proposal_id)
    if proposal.user_id != current_user.id or proposal.state != ProposalState.SELECTED:
        abort(404)
    form = MenteeAreasForm(prefix=f"p{proposal.id}")
    return change_then_redirect(lambda: pool.save_mentee_areas(current_user, proposal, form.areas.data or ""),
                                url_for("mentoring.my"),
                                "Your specialist areas are saved; the next matching uses them.",
                                valid=form.validate_on_submit(),
                                invalid="Those areas could not be saved: keep them under 600 characters.")


# ---------------------------------------------------------------- mentor dashboard and a pairing

@bp.route("/dashboard")
@login_required
def dashboard():
    profile = queries.profile_of(current_user.id)
    if profile is None and not (current_user.is_mentor or current_user.is_lead):
        abort(403)
    rows = queries.dashboard_rows(queries.mentor_pairings(profile.id), _today()) if profile else []
    return render("mentoring/dashboard.html", profile=profile, rows=rows)


def _load_pairing(pairing_id: int) -> Pairing:
    """Someone else's pairing does not exist as far as the asker can tell (404)."""
    pairing = get_or_404(Pairing, pairing_id)
    if not rules.can_view_pairing(current_user, pairing):
        abort(404)
    return pairing


def _load_updatable_pairing(pairing_id: int) -> Pairing:
    """A pairing the asker may see (else 404) and update (else 403)."""
    pairing = _load_pairing(pairing_id)
    if not rules.can_update_progress(current_user, pairing):
        abort(403)
    return pairing


def _progress_form(pairing, record) -> ProgressForm:
    form = ProgressForm(formdata=None)
    choices = progress.deadline_choices(pairing.round_id)
    form.deadline_session.choices = [(0, "Another date (below)")] + [
        (sid, f"{title} ({day.strftime('%a %-d %b %Y')})") for sid, title, day in choices]
    if record is not None:
        form.registered_on.data = record.registered_on
        form.target_deadline.data = record.target_deadline
        form.deadline_session.data = record.deadline_session_id or 0
    return form


def _pairing_page(pairing, meeting_form=None, progress_form=None, concern_form=None, status=200):
    record = progress.ensure_progress(pairing.proposal)
    today = _today()
    if progress_form is None:
        progress_form = _progress_form(pairing, record)
    else:
        progress_form.deadline_session.choices = _progress_form(pairing, record).deadline_session.choices
    now = utcnow()
    next_meeting = min((m.next_meeting_at for m in pairing.meetings if m.next_meeting_at and m.next_meeting_at > now),
                       default=None)
    return render("mentoring/pairing.html", "mentoring/_meeting_form.html", f"mentoring-meeting-form-{pairing.id}",
                  pairing=pairing, progress=record, today=today, next_meeting=next_meeting,
                  registration=rules.registration_state(record.registered_on, today),
                  expiry=rules.registration_expiry(record.registered_on),
                  warning_from=rules.expiry_warning_from(record.registered_on),
                  meeting_form=meeting_form or MeetingForm(formdata=None, held_on=today, duration_minutes=60),
                  progress_form=progress_form,
                  outcome_form=OutcomeForm(formdata=None, outcome=record.outcome.value if record.outcome else ""),
                  end_form=EndPairingForm(formdata=None), section_form=SectionForm(formdata=None),
                  concern_form=concern_form or ConcernForm(formdata=None),
                  statuses=list(SectionStatus), can_update=rules.can_update_progress(current_user, pairing),
                  can_read_concern=rules.can_read_concern(current_user, pairing),
                  is_lead=current_user.is_lead, http_status=status)


def _back_to_pairing(pairing: Pairing):
    return redirect(url_for("mentoring.pairing", pairing_id=pairing.id), 303)


@bp.route("/pairings/<int:pairing_id>")
@login_required
def pairing(pairing_id: int):
    pairing = _load_pairing(pairing_id)
    page = _pairing_page(pairing)
    db.session.commit()  # ensure_progress may have made the record on first view
    return page


@bp.route("/pairings/<int:pairing_id>/sections/<int:section_id>", methods=["POST"])
@login_required
def section_status(pairing_id: int, section_id: int):
    pairing = _load_pairing(pairing_id)
    section = queries.section(section_id)
    if section is None or section.progress.proposal_id != pairing.proposal_id:
        abort(404)
    if not rules.can_update_progress(current_user, pairing):
        abort(403)
    form = SectionForm()
    if form.validate_on_submit():
        done = attempt(lambda: progress.set_section_status(current_user, pairing, section,
                                                           SectionStatus(form.status.data)))
        error, message = (False, f"{section.name}: {section.status.label}.") if done else (True, done.error)
    else:
        error, message = True, "Choose one of the listed statuses."
    if wants_fragment(f"mentoring-section-{section.id}"):
        return render("mentoring/pairing.html", "mentoring/_section_row.html", None, section=section,
                      pairing=pairing, statuses=list(SectionStatus), can_update=True, row_message=message,
                      row_error=error, http_status=422 if error else 200)
    flash(message, "error" if error else "success")
    return _back_to_pairing(pairing)


@bp.route("/pairings/<int:pairing_id>/meetings", methods=["POST"])
@keeps_input_on_csrf_failure
@login_required
def log_meeting(pairing_id: int):
    pairing = _load_updatable_pairing(pairing_id)
    form = MeetingForm()
    if form.validate_on_submit():
        next_at = local_to_utc(form.next_meeting_at.data) if form.next_meeting_at.data else None
        if attempt(lambda: meetings.log_meeting(current_user, pairing, held_on=form.held_on.data,
                                                duration_minutes=form.duration_minutes.data,
                                                notes=form.notes.data or "", next_steps=form.next_steps.data or "",
                                                next_meeting_at=next_at),
                   form=form, field="held_on"):
            flash("Meeting logged." + (" The next meeting is in both your calendar feeds." if next_at else ""),
                  "success")
            if request.htmx and not request.htmx.boosted:
                return "", 204, {"HX-Redirect": url_for("mentoring.pairing", pairing_id=pairing.id)}
            return _back_to_pairing(pairing)
    return _pairing_page(pairing, meeting_form=form, status=422)


@bp.route("/pairings/<int:pairing_id>/concern", methods=["POST"])
@keeps_input_on_csrf_failure
@login_required
def report_concern(pairing_id: int):
    pairing = _load_updatable_pairing(pairing_id)
    if current_user.is_lead:
        abort(403)
    form = ConcernForm()
    if form.validate_on_submit() and attempt(lambda: pairings.report_concern(current_user, pairing, form.concern.data),
                                             form=form, field="concern"):
        flash("Thank you: the programme lead has been told and will be in touch.", "success")
        return _back_to_pairing(pairing)
    return _pairing_page(pairing, concern_form=form, status=422)


@bp.route("/pairings/<int:pairing_id>/progress", methods=["POST"])
@login_required
def update_progress(pairing_id: int):
    pairing = _load_updatable_pairing(pairing_id)
    form = ProgressForm()
    form.deadline_session.choices = [(0, "")] + [(sid, title)
                                                 for sid, title, _ in progress.deadline_choices(pairing.round_id)]
    if form.validate_on_submit() and attempt(
            lambda: progress.update_progress(current_user, pairing, registered_on=form.registered_on.data,
                                             target_deadline=form.target_deadline.data,
                                             deadline_session_id=form.deadline_session.data or None),
            form=form, field="registered_on"):
        flash("Registration and deadline saved.", "success")
        return _back_to_pairing(pairing)
    return _pairing_page(pairing, progress_form=form, status=422)
