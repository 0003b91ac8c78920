"""The lead's set-up pages of a round's panel: settings, members, rubric, and who reviews which proposal."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from portal.auth.access import lead_required
from portal.auth.models import User
from portal.panel import assigning, forms, queries, rules, setting_up
from portal.panel.blueprint import bp
from portal.panel.conflicts import conflict_map
from portal.panel.models import Criterion
from portal.proposals.models import Proposal
from portal.rounds.models import Round
from portal.timeutil import local_to_utc, to_local
from portal.web.actions import attempt, change_then_redirect
from portal.web.authz import get_or_404
from portal.web.csrf import keeps_input_on_csrf_failure
from portal.web.htmx import render, wants_fragment


def _settings_form(settings) -> forms.SettingsForm:
    form = forms.SettingsForm(data={
        "aggregate": settings.aggregate.value, "reviewers_per_proposal": settings.reviewers_per_proposal,
        "same_department_conflict": settings.same_department_conflict,
        "scoring_deadline": to_local(settings.scoring_deadline).replace(tzinfo=None) if settings.scoring_deadline else None,
        "offer_days": settings.offer_days})
    return form


def _members_form(round_: Round, data=None) -> forms.MembersForm:
    form = forms.MembersForm(formdata=data, data={"members": [u.id for u in queries.members(round_.id)]})
    form.members.choices = [(u.id, f"{u.name} ({u.department or 'no department'})") for u in queries.panel_candidates()]
    return form


def _setup_page(round_: Round, settings_form=None, members_form=None, criterion_form=None, status: int = 200):
    settings = queries.settings_for(round_)
    return render("panel/setup.html", round=round_, settings=settings,
                  settings_form=settings_form or _settings_form(settings),
                  members_form=members_form or _members_form(round_),
                  criterion_form=criterion_form or forms.CriterionForm(formdata=None),
                  criteria=queries.criteria(round_.id), members=queries.members(round_.id),
                  editable=rules.is_rubric_editable(queries.score_count(round_.id), settings),
                  button=forms.ButtonForm(), http_status=status)


def _form_answer(round_: Round, form, change, success, again):
    """A set-up form's whole answer. Valid and kept: flash the success (text, or made from what the
    change returned) and 303 to the set-up page. Otherwise `again()`, the page showing the form once
    more (422), with a refusal on the field it names (flashed when it names none)."""
    if form.validate_on_submit():
        done = attempt(change, form=form, flash_errors=True)
        if done:
            flash(success(done.value) if callable(success) else success, "success")
            return redirect(url_for("panel.setup", round_id=round_.id), 303)
    return again()


def _settings_fields(form) -> dict:
    """What the settings form gives update_settings (the deadline is typed in UK time, kept in UTC)."""
    return dict(aggregate=form.aggregate.data, reviewers_per_proposal=form.reviewers_per_proposal.data,
                same_department_conflict=form.same_department_conflict.data,
                scoring_deadline=local_to_utc(form.scoring_deadline.data) if form.scoring_deadline.data else None,
                offer_days=form.offer_days.data)


def _criterion_fields(form) -> dict:
    """What a criterion form gives save_criterion."""
    return dict(name=form.name.data, description=form.description.data, weight=form.weight.data,
                counted_in_total=form.counted_in_total.data, labels=form.labels())


@bp.route("/rounds/<int:round_id>/setup")
@lead_required
def setup(round_id: int):
    return _setup_page(get_or_404(Round, round_id))


@bp.route("/rounds/<int:round_id>/settings", methods=["POST"])
@keeps_input_on_csrf_failure
@lead_required
def save_settings(round_id: int):
    round_ = get_or_404(Round, round_id)
    form = forms.SettingsForm()
    return _form_answer(round_, form, lambda: setting_up.update_settings(current_user, round_,
                                                                         **_settings_fields(form)),
                        "Panel settings saved.", again=lambda: _setup_page(round_, settings_form=form, status=422))


@bp.route("/rounds/<int:round_id>/members", methods=["POST"])
@lead_required
def save_members(round_id: int):
    round_ = get_or_404(Round, round_id)
    form = _members_form(round_, data=request.form)
    return _form_answer(round_, form, lambda: setting_up.set_members(current_user, round_,
                                                                     set(form.members.data or [])),
                        "Panel members saved.", again=lambda: _setup_page(round_, members_form=form, status=422))


@bp.route("/rounds/<int:round_id>/criteria", methods=["POST"])
@keeps_input_on_csrf_failure
@lead_required
def add_criterion(round_id: int):
    round_ = get_or_404(Round, round_id)
    form = forms.CriterionForm()
    return _form_answer(round_, form, lambda: setting_up.save_criterion(current_user, round_, None,
                                                                        **_criterion_fields(form)),
                        lambda _: f"Criterion “{form.name.data}” added.",
                        again=lambda: _setup_page(round_, criterion_form=form, status=422))


@bp.route("/criteria/<int:criterion_id>", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@lead_required
def edit_criterion(criterion_id: int):
    criterion = get_or_404(Criterion, criterion_id)
    round_ = get_or_404(Round, criterion.round_id)
    labels = list(criterion.labels or []) + [""] * 5
    form = forms.CriterionForm(obj=criterion, data={f"label_{i + 1}": labels[i] for i in range(5)})

    def page(status: int):
        return render("panel/criterion.html", round=round_, criterion=criterion, form=form, http_status=status)

    if request.method != "POST":
        return page(200)
    return _form_answer(round_, form, lambda: setting_up.save_criterion(current_user, round_, criterion,
                                                                        **_criterion_fields(form)),
                        lambda kept: f"Criterion “{kept.name}” saved.", again=lambda: page(422))


@bp.route("/criteria/<int:criterion_id>/delete", methods=["POST"])
@lead_required
def delete_criterion(criterion_id: int):
    criterion = get_or_404(Criterion, criterion_id)
    round_ = get_or_404(Round, criterion.round_id)
    return change_then_redirect(lambda: setting_up.delete_criterion(current_user, round_, criterion),
                                url_for("panel.setup", round_id=round_.id), "Criterion removed.",
                                valid=forms.ButtonForm().validate_on_submit())


@bp.route("/rounds/<int:round_id>/assign", methods=["POST"])
@lead_required
def assign(round_id: int):
    round_ = get_or_404(Round, round_id)
    return change_then_redirect(lambda: assigning.assign(current_user, round_),
                                url_for("panel.assignments", round_id=round_.id),
                                lambda made: f"{made} assignments made, conflicts excluded.",
                                valid=forms.ButtonForm().validate_on_submit())


def _assignment_context(round_: Round):
    settings = queries.settings_for(round_)
    people = queries.members(round_.id)
    props = queries.proposals(round_.id)
    return dict(round=round_, members=people, proposals=props, assigned=queries.assignments(round_.id),
                conflicts=conflict_map(round_, props, people, settings), button=forms.ButtonForm())


@bp.route("/rounds/<int:round_id>/assignments")
@lead_required
def assignments(round_id: int):
    round_ = get_or_404(Round, round_id)
    return render("panel/assignments.html", **_assignment_context(round_))


@bp.route("/proposals/<int:proposal_id>/assign/<int:user_id>", methods=["POST"])
@lead_required
def toggle_assignment(proposal_id: int, user_id: int):
    proposal = get_or_404(Proposal, proposal_id)
    person = get_or_404(User, user_id)
    if forms.ButtonForm().validate_on_submit():
        done = attempt(lambda: assigning.toggle_assignment(current_user, proposal, person))
        now = "now reviews" if done.value else "no longer reviews"
        message, error = (f"{person.name} {now} {proposal.applicant.name}’s proposal.", False) if done \
            else (done.error, True)
    else:
        message, error = "That change could not be made; reload the page and try again.", True
    if wants_fragment(f"panel-assign-{proposal.id}"):
        ctx = _assignment_context(proposal.round)
        return render("panel/assignments.html", "panel/_assignment_row.html", f"panel-assign-{proposal.id}",
                      proposal=proposal, row_message=message, row_error=error, **ctx)
    flash(message, "error" if error else "success")
    return redirect(url_for("panel.assignments", round_id=proposal.round_id), 303)
