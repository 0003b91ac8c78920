"""Mentoring pages: the pool, matching (lead), the mentor dashboard, a pairing's progress, the portfolio register."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_login import current_user, login_required

from portal.db_types import utcnow
from portal.extensions import db
from portal.mentoring import queries, rules, services
from portal.mentoring.calendar import register_feed_provider
from portal.mentoring.forms import (AWARD_NAMES, ButtonForm, ConcernForm, EndPairingForm, ExampleForm, HiddenStateForm,
                                    MeetingForm, MenteeAreasForm, MentorProfileForm, OutcomeForm, ProgressForm,
                                    RegisterSearchForm, SectionForm, SwapForm)
from portal.mentoring.models import ExamplePortfolio, MentorProfile, Outcome, Pairing, PairingState, SectionStatus
from portal.proposals.models import Proposal, ProposalState
from portal.rounds.models import Pathway, Round
from portal.timeutil import local_to_utc, to_local
from portal.auth.access import lead_required
from portal.web.authz import get_or_404
from portal.web.csrf import keeps_input_on_csrf_failure
from portal.web.htmx import render, wants_fragment
from portal.web.pagination import paginate_list

bp = Blueprint("mentoring", __name__, url_prefix="/mentoring")
register_feed_provider()


def _today() -> date:
    return to_local(utcnow()).date()


def _back(endpoint: str, **values):
    return redirect(url_for(endpoint, **values), 303)


# ---------------------------------------------------------------- hub, volunteering, participant page

@bp.route("/")
@login_required
def index():
    profile = queries.profile_of(current_user.id)
    return render("mentoring/index.html", profile=profile,
                  participating=bool(queries.participant_proposals(current_user.id)),
                  awarded=queries.has_award(current_user.id))


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
        try:
            profile = services.save_mentor_profile(
                current_user, award_name=AWARD_NAMES[form.award_level.data], award_level=int(form.award_level.data),
                award_year=form.award_year.data, department=form.department.data or "", campus=form.campus.data or "",
                specialist_areas=form.specialist_areas.data or "", capacity=form.capacity.data,
                availability_notes=form.availability_notes.data or "",
                close_collaborator_emails=form.close_collaborators.data or "")
        except services.MentoringError as exc:
            db.session.rollback()
            getattr(form, exc.field or "capacity").errors.append(exc.message)
            status = 422
        else:
            db.session.commit()
            taken = queries.places_taken(profile.id)
            flash("Your mentor profile is saved." + ("" if profile.is_approved else
                                                     " The programme lead will approve it before matching."), "success")
            if taken > profile.capacity:
                flash(f"You have {taken} mentees but room for {profile.capacity}; the programme lead will rematch "
                      "as needed.", "warning")
            return _back("mentoring.volunteer")
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
    if form.validate_on_submit() and form.value.data in ("pause", "resume"):
        services.set_mentor_paused(current_user, profile, form.value.data == "pause")
        db.session.commit()
        flash("You are paused: new matching leaves you out." if profile.paused else "You are active again.", "success")
    return _back("mentoring.volunteer")


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
    progress = queries.progress_by_proposal([p.id for p, _, _ in entries])
    return render("mentoring/my.html", entries=entries, progress=progress,
                  profile=queries.profile_of(current_user.id), suggestions=queries.area_vocabulary())


@bp.route("/my/<int:proposal_id>/areas", methods=["POST"])
@login_required
def my_areas(proposal_id: int):
    proposal = get_or_404(Proposal, proposal_id)
    if proposal.user_id != current_user.id or proposal.state != ProposalState.SELECTED:
        abort(404)
    form = MenteeAreasForm(prefix=f"p{proposal.id}")
    if form.validate_on_submit():
        services.save_mentee_areas(current_user, proposal, form.areas.data or "")
        db.session.commit()
        flash("Your specialist areas are saved; the next matching uses them.", "success")
    else:
        flash("Those areas could not be saved: keep them under 600 characters.", "error")
    return _back("mentoring.my")


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


def _progress_form(pairing, progress) -> ProgressForm:
    form = ProgressForm(formdata=None)
    choices = services.deadline_choices(pairing.round_id)
    form.deadline_session.choices = [(0, "Another date (below)")] + [
        (sid, f"{title} ({day.strftime('%a %-d %b %Y')})") for sid, title, day in choices]
    if progress is not None:
        form.registered_on.data = progress.registered_on
        form.target_deadline.data = progress.target_deadline
        form.deadline_session.data = progress.deadline_session_id or 0
    return form


def _pairing_page(pairing, meeting_form=None, progress_form=None, concern_form=None, status=200):
    progress = services.ensure_progress(pairing.proposal)
    today = _today()
    if progress_form is None:
        progress_form = _progress_form(pairing, progress)
    else:
        progress_form.deadline_session.choices = _progress_form(pairing, progress).deadline_session.choices
    now = utcnow()
    next_meeting = min((m.next_meeting_at for m in pairing.meetings if m.next_meeting_at and m.next_meeting_at > now),
                       default=None)
    return render("mentoring/pairing.html", "mentoring/_meeting_form.html", f"mentoring-meeting-form-{pairing.id}",
                  pairing=pairing, progress=progress, today=today, next_meeting=next_meeting,
                  registration=rules.registration_state(progress.registered_on, today),
                  expiry=rules.registration_expiry(progress.registered_on),
                  warning_from=rules.expiry_warning_from(progress.registered_on),
                  meeting_form=meeting_form or MeetingForm(formdata=None, held_on=today, duration_minutes=60),
                  progress_form=progress_form, outcome_form=OutcomeForm(formdata=None,
                                                                        outcome=progress.outcome.value if progress.outcome else ""),
                  end_form=EndPairingForm(formdata=None), section_form=SectionForm(formdata=None),
                  concern_form=concern_form or ConcernForm(formdata=None),
                  statuses=list(SectionStatus), can_update=rules.can_update_progress(current_user, pairing),
                  is_lead=current_user.is_lead, http_status=status)


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
    message, error = "", False
    if form.validate_on_submit():
        services.set_section_status(current_user, pairing, section, SectionStatus(form.status.data))
        db.session.commit()
        message = f"{section.name}: {section.status.label}."
    else:
        error, message = True, "Choose one of the listed statuses."
    if wants_fragment(f"mentoring-section-{section.id}"):
        return render("mentoring/pairing.html", "mentoring/_section_row.html", None, section=section,
                      pairing=pairing, statuses=list(SectionStatus), can_update=True, row_message=message,
                      row_error=error, http_status=422 if error else 200)
    flash(message, "error" if error else "success")
    return _back("mentoring.pairing", pairing_id=pairing.id)


@bp.route("/pairings/<int:pairing_id>/meetings", methods=["POST"])
@keeps_input_on_csrf_failure
@login_required
def log_meeting(pairing_id: int):
    pairing = _load_pairing(pairing_id)
    if not rules.can_update_progress(current_user, pairing):
        abort(403)
    form = MeetingForm()
    if form.validate_on_submit():
        next_at = local_to_utc(form.next_meeting_at.data) if form.next_meeting_at.data else None
        try:
            services.log_meeting(current_user, pairing, held_on=form.held_on.data,
                                 duration_minutes=form.duration_minutes.data, notes=form.notes.data or "",
                                 next_steps=form.next_steps.data or "", next_meeting_at=next_at)
        except services.MentoringError as exc:
            db.session.rollback()
            getattr(form, exc.field or "held_on").errors.append(exc.message)
        else:
            db.session.commit()
            flash("Meeting logged." + (" The next meeting is in both your calendar feeds." if next_at else ""),
                  "success")
            if request.htmx and not request.htmx.boosted:
                return "", 204, {"HX-Redirect": url_for("mentoring.pairing", pairing_id=pairing.id)}
            return _back("mentoring.pairing", pairing_id=pairing.id)
    return _pairing_page(pairing, meeting_form=form, status=422)


@bp.route("/pairings/<int:pairing_id>/concern", methods=["POST"])
@keeps_input_on_csrf_failure
@login_required
def report_concern(pairing_id: int):
    pairing = _load_pairing(pairing_id)
    if not rules.can_update_progress(current_user, pairing) or current_user.is_lead:
        abort(403)
    form = ConcernForm()
    if form.validate_on_submit():
        services.report_concern(current_user, pairing, form.concern.data)
        db.session.commit()
        flash("Thank you: the programme lead has been told and will be in touch.", "success")
        return _back("mentoring.pairing", pairing_id=pairing.id)
    return _pairing_page(pairing, concern_form=form, status=422)


@bp.route("/pairings/<int:pairing_id>/progress", methods=["POST"])
@login_required
def update_progress(pairing_id: int):
    pairing = _load_pairing(pairing_id)
    if not rules.can_update_progress(current_user, pairing):
        abort(403)
    form = ProgressForm()
    form.deadline_session.choices = [(0, "")] + [(sid, title) for sid, title, _ in services.deadline_choices(pairing.round_id)]
    if form.validate_on_submit():
        try:
            services.update_progress(current_user, pairing, registered_on=form.registered_on.data,
                                     target_deadline=form.target_deadline.data,
                                     deadline_session_id=form.deadline_session.data or None)
        except services.MentoringError as exc:
            db.session.rollback()
            getattr(form, exc.field or "registered_on").errors.append(exc.message)
        else:
            db.session.commit()
            flash("Registration and deadline saved.", "success")
            return _back("mentoring.pairing", pairing_id=pairing.id)
    return _pairing_page(pairing, progress_form=form, status=422)


@bp.route("/pairings/<int:pairing_id>/outcome", methods=["POST"])
@lead_required
def record_outcome(pairing_id: int):
    pairing = get_or_404(Pairing, pairing_id)
    form = OutcomeForm()
    if form.validate_on_submit():
        outcome = Outcome(form.outcome.data) if form.outcome.data else None
        services.record_outcome(current_user, pairing.proposal, outcome)
        db.session.commit()
        flash(f"Outcome recorded: {outcome.label if outcome else 'not yet known'}."
              + (" The new holder is invited to join the mentor pool." if outcome == Outcome.AWARDED else ""), "success")
    else:
        flash("Choose one of the listed outcomes.", "error")
    return _back("mentoring.pairing", pairing_id=pairing.id)


@bp.route("/pairings/<int:pairing_id>/end", methods=["POST"])
@lead_required
def end_pairing(pairing_id: int):
    pairing = get_or_404(Pairing, pairing_id)
    form = EndPairingForm()
    if form.validate_on_submit():
        services.end_pairing(current_user, pairing, form.reason.data)
        db.session.commit()
        flash(f"The pairing has ended; {pairing.mentee.name} waits for a rematch.", "success")
        return _back("mentoring.matching_round", round_id=pairing.round_id)
    flash("Give a reason for ending the pairing.", "error")
    return _back("mentoring.pairing", pairing_id=pairing.id)


# ---------------------------------------------------------------- matching (lead)

@bp.route("/matching")
@lead_required
def matching():
    return render("mentoring/matching_rounds.html", rounds=queries.matching_rounds())


# Participants a page on the matching page: a cohort of hundreds is read a page at a time.
MATCHING_PER_PAGE = 50


def _matching_context(round_):
    pairings = queries.pairings_in_round(round_.id)
    by_proposal: dict[int, Pairing] = {}
    for p in pairings:
        if p.state != PairingState.ENDED:
            by_proposal[p.proposal_id] = p
    cohort = queries.participants(round_.id)
    waiting = dict((p.id, since) for p, since in queries.waiting_participants(round_.id, cohort))
    run = queries.last_matching_run(round_.id)
    pool = [(m, taken) for m, taken in queries.mentor_pool() if m.is_available]
    return dict(round=round_, participants=cohort, page=paginate_list(cohort, per_page=MATCHING_PER_PAGE),
                by_proposal=by_proposal,
                waiting=waiting, run=run, unmatched=(run.unmatched if run else {}), pool=pool,
                button=ButtonForm(formdata=None), lock_form=HiddenStateForm(formdata=None),
                counts={s: sum(1 for p in by_proposal.values() if p.state == s) for s in PairingState})


@bp.route("/matching/<int:round_id>")
@lead_required
def matching_round(round_id: int):
    round_ = get_or_404(Round, round_id)
    return render("mentoring/matching.html", **_matching_context(round_))


@bp.route("/matching/<int:round_id>/run", methods=["POST"])
@lead_required
def run_matching(round_id: int):
    round_ = get_or_404(Round, round_id)
    if ButtonForm().validate_on_submit():
        run = services.run_matching(current_user, round_)
        db.session.commit()
        flash(f"Matching proposed {run.proposed} pair(s); {len(run.unmatched)} participant(s) could not be matched.",
              "success" if not run.unmatched else "warning")
    return _back("mentoring.matching_round", round_id=round_.id)


@bp.route("/matching/<int:round_id>/confirm", methods=["POST"])
@lead_required
def confirm_round(round_id: int):
    round_ = get_or_404(Round, round_id)
    if ButtonForm().validate_on_submit():
        confirmed = services.confirm_round(current_user, round_)
        db.session.commit()
        flash(f"{len(confirmed)} pairing(s) confirmed; both people in each pair have been emailed.", "success")
    return _back("mentoring.matching_round", round_id=round_.id)


@bp.route("/pairings/<int:pairing_id>/lock", methods=["POST"])
@lead_required
def lock(pairing_id: int):
    pairing = get_or_404(Pairing, pairing_id)
    form = HiddenStateForm()
    if form.validate_on_submit() and form.value.data in ("lock", "unlock"):
        try:
            services.set_locked(current_user, pairing, form.value.data == "lock")
        except services.MentoringError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(f"{pairing.mentee.name} and {pairing.mentor.user.name}: "
                  f"{'locked (kept by re-runs)' if pairing.state == PairingState.LOCKED else 'unlocked'}.", "success")
    return _back("mentoring.matching_round", round_id=pairing.round_id)


@bp.route("/pairings/<int:pairing_id>/swap", methods=["GET", "POST"])
@lead_required
def swap(pairing_id: int):
    """A proposed pair's mentor changed by hand: a page of its own (the pool is long), posting back here."""
    pairing = get_or_404(Pairing, pairing_id)
    if request.method == "GET":
        pool = [(m, taken) for m, taken in queries.mentor_pool() if m.is_available]
        return render("mentoring/swap.html", pairing=pairing, pool=pool, button=ButtonForm(formdata=None))
    form = SwapForm()
    form.mentor.choices = [(m.id, m.user.name) for m in queries.available_mentors()]
    if form.validate_on_submit():
        profile = get_or_404(MentorProfile, form.mentor.data)
        try:
            services.swap_mentor(current_user, pairing, profile)
        except services.MentoringError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(f"{pairing.mentee.name} now has {profile.user.name} as proposed mentor (locked).", "success")
    else:
        flash("Choose a mentor from the list.", "error")
    return _back("mentoring.matching_round", round_id=pairing.round_id)


@bp.route("/pairings/<int:pairing_id>/confirm", methods=["POST"])
@lead_required
def confirm(pairing_id: int):
    pairing = get_or_404(Pairing, pairing_id)
    if ButtonForm().validate_on_submit():
        try:
            services.confirm_pairing(current_user, pairing)
        except services.MentoringError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(f"Confirmed: {pairing.mentor.user.name} mentors {pairing.mentee.name}.", "success")
    return _back("mentoring.matching_round", round_id=pairing.round_id)


# ---------------------------------------------------------------- the pool (lead)

@bp.route("/mentors")
@lead_required
def mentors():
    return render("mentoring/mentors.html", pool=queries.mentor_pool(), reciprocity=queries.reciprocity_rows(),
                  button=ButtonForm(formdata=None), state_form=HiddenStateForm(formdata=None))


@bp.route("/mentors/<int:profile_id>/approve", methods=["POST"])
@lead_required
def approve(profile_id: int):
    profile = get_or_404(MentorProfile, profile_id)
    if ButtonForm().validate_on_submit():
        services.approve_mentor(current_user, profile)
        db.session.commit()
        flash(f"{profile.user.name} is approved and in the mentor pool.", "success")
    return _back("mentoring.mentors")


@bp.route("/mentors/<int:profile_id>/state", methods=["POST"])
@lead_required
def mentor_state(profile_id: int):
    profile = get_or_404(MentorProfile, profile_id)
    form = HiddenStateForm()
    if form.validate_on_submit() and form.value.data in ("pause", "resume"):
        services.set_mentor_paused(current_user, profile, form.value.data == "pause")
        db.session.commit()
        flash(f"{profile.user.name} is {'paused' if profile.paused else 'active'}.", "success")
    return _back("mentoring.mentors")


@bp.route("/mentors/<int:profile_id>/withdraw", methods=["POST"])
@lead_required
def withdraw_mentor(profile_id: int):
    profile = get_or_404(MentorProfile, profile_id)
    if ButtonForm().validate_on_submit():
        ended = services.withdraw_mentor(current_user, profile)
        db.session.commit()
        flash(f"{profile.user.name} has left the pool; {len(ended)} mentee(s) wait for a rematch.", "success")
    return _back("mentoring.mentors")


# ---------------------------------------------------------------- portfolio register

def _pathway_choices(blank: str | None = None):
    from sqlalchemy import select
    pathways = db.session.scalars(select(Pathway).order_by(Pathway.scheme_id, Pathway.position)).all()
    return ([(0, blank)] if blank else []) + [(p.id, p.name) for p in pathways]


def _share_allowed() -> bool:
    return rules.can_share_example(current_user, has_profile=queries.profile_of(current_user.id) is not None,
                                   awarded=queries.has_award(current_user.id))


@bp.route("/register")
@login_required
def register():
    search = RegisterSearchForm(request.args)
    search.pathway.choices = _pathway_choices("Any pathway")
    search.validate()
    rows = queries.examples(search.pathway.data or None if not search.pathway.errors else None,
                            search.job_role.data or "", search.area.data or "")
    return render("mentoring/register.html", "mentoring/_register_results.html", "mentoring-register-results",
                  search=search, rows=rows, can_share=_share_allowed(), suggestions=queries.area_vocabulary(),
                  button=ButtonForm(formdata=None))


@bp.route("/register/new", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@login_required
def share():
    if not _share_allowed():
        abort(403)
    form = ExampleForm()
    form.pathway.choices = _pathway_choices()
    status = 200
    if form.validate_on_submit():
        upload = form.pdf.data
        data = None
        filename = ""
        if upload and getattr(upload, "filename", ""):
            data = upload.stream.read(services.MAX_UPLOAD_BYTES + 1)
            filename = upload.filename
        try:
            services.share_example(current_user, pathway_id=form.pathway.data, job_role=form.job_role.data,
                                   specialist_areas=form.specialist_areas.data or "", summary=form.summary.data,
                                   link_url=form.link_url.data or "", pdf=data, filename=filename)
        except services.MentoringError as exc:
            db.session.rollback()
            getattr(form, exc.field or "link_url").errors.append(exc.message)
            status = 422
        else:
            db.session.commit()
            flash("Thank you: your example is in the portfolio register.", "success")
            return _back("mentoring.register")
    elif request.method == "POST":
        status = 422
    return render("mentoring/share.html", form=form, suggestions=queries.area_vocabulary(), http_status=status)


@bp.route("/register/<int:example_id>/file")
@login_required
def example_file(example_id: int):
    example = get_or_404(ExamplePortfolio, example_id)
    path = services.example_file(example)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=example.original_filename or "portfolio.pdf", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/register/<int:example_id>/withdraw", methods=["POST"])
@login_required
def withdraw_example(example_id: int):
    example = get_or_404(ExamplePortfolio, example_id)
    if not rules.can_withdraw_example(current_user, example):
        abort(403)
    if ButtonForm().validate_on_submit():
        services.withdraw_example(current_user, example)
        db.session.commit()
        flash("Your example is withdrawn and its file deleted.", "success")
    return _back("mentoring.register")
