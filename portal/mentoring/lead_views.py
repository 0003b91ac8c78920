"""Mentoring pages for the programme lead: the mentor pool, matching a round, changing a proposed pair
(lock, swap, confirm), and a pairing's outcome or end."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from portal.auth.access import lead_required
from portal.mentoring import pairings, pool, progress, queries
from portal.mentoring.blueprint import bp, button_answer
from portal.mentoring.forms import ButtonForm, EndPairingForm, HiddenStateForm, OutcomeForm, SwapForm
from portal.mentoring.models import MentorProfile, Outcome, Pairing, PairingState
from portal.rounds.models import Round
from portal.web.actions import attempt, change_then_redirect
from portal.web.authz import get_or_404
from portal.web.htmx import render
from portal.web.pagination import paginate_list

# Participants a page on the matching page: a cohort of hundreds is read a page at a time.
MATCHING_PER_PAGE = 50


# ---------------------------------------------------------------- the pool

@bp.route("/mentors")
@lead_required
def mentors():
    return render("mentoring/mentors.html", pool=queries.mentor_pool(), reciprocity=queries.reciprocity_rows(),
                  button=ButtonForm(formdata=None), state_form=HiddenStateForm(formdata=None))


@bp.route("/mentors/<int:profile_id>/approve", methods=["POST"])
@lead_required
def approve(profile_id: int):
    profile = get_or_404(MentorProfile, profile_id)
    return button_answer(ButtonForm().validate_on_submit(), lambda: pool.approve_mentor(current_user, profile),
                         url_for("mentoring.mentors"),
                         lambda approved: f"{approved.user.name} is approved and in the mentor pool.")


@bp.route("/mentors/<int:profile_id>/state", methods=["POST"])
@lead_required
def mentor_state(profile_id: int):
    profile = get_or_404(MentorProfile, profile_id)
    form = HiddenStateForm()
    return button_answer(form.validate_on_submit() and form.value.data in ("pause", "resume"),
                         lambda: pool.set_mentor_paused(current_user, profile, form.value.data == "pause"),
                         url_for("mentoring.mentors"),
                         lambda saved: f"{saved.user.name} is {'paused' if saved.paused else 'active'}.")


@bp.route("/mentors/<int:profile_id>/withdraw", methods=["POST"])
@lead_required
def withdraw_mentor(profile_id: int):
    profile = get_or_404(MentorProfile, profile_id)
    return button_answer(
        ButtonForm().validate_on_submit(), lambda: pool.withdraw_mentor(current_user, profile),
        url_for("mentoring.mentors"),
        lambda ended: f"{profile.user.name} has left the pool; {len(ended)} mentee(s) wait for a rematch.")


# ---------------------------------------------------------------- matching a round

@bp.route("/matching")
@lead_required
def matching():
    return render("mentoring/matching_rounds.html", rounds=queries.matching_rounds())


def _matching_context(round_):
    in_round = queries.pairings_in_round(round_.id)
    by_proposal: dict[int, Pairing] = {}
    for p in in_round:
        if p.state != PairingState.ENDED:
            by_proposal[p.proposal_id] = p
    cohort = queries.participants(round_.id)
    waiting = dict((p.id, since) for p, since in queries.waiting_participants(round_.id, cohort))
    run = queries.last_matching_run(round_.id)
    available = [(m, taken) for m, taken in queries.mentor_pool() if m.is_available]
    return dict(round=round_, participants=cohort, page=paginate_list(cohort, per_page=MATCHING_PER_PAGE),
                by_proposal=by_proposal,
                waiting=waiting, run=run, unmatched=(run.unmatched if run else {}), pool=available,
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
        done = attempt(lambda: pairings.run_matching(current_user, round_), flash_errors=True)
        if done:
            run = done.value
            # A run that leaves people unmatched is a warning, not a plain success.
            flash(f"Matching proposed {run.proposed} pair(s); {len(run.unmatched)} participant(s) could not be "
                  "matched.", "success" if not run.unmatched else "warning")
    return redirect(url_for("mentoring.matching_round", round_id=round_.id), 303)


@bp.route("/matching/<int:round_id>/confirm", methods=["POST"])
@lead_required
def confirm_round(round_id: int):
    round_ = get_or_404(Round, round_id)
    return button_answer(
        ButtonForm().validate_on_submit(), lambda: pairings.confirm_round(current_user, round_),
        url_for("mentoring.matching_round", round_id=round_.id),
        lambda confirmed: f"{len(confirmed)} pairing(s) confirmed; both people in each pair have been emailed.")


# ---------------------------------------------------------------- a proposed pair

@bp.route("/pairings/<int:pairing_id>/lock", methods=["POST"])
@lead_required
def lock(pairing_id: int):
    pairing = get_or_404(Pairing, pairing_id)
    form = HiddenStateForm()
    return button_answer(
        form.validate_on_submit() and form.value.data in ("lock", "unlock"),
        lambda: pairings.set_locked(current_user, pairing, form.value.data == "lock"),
        url_for("mentoring.matching_round", round_id=pairing.round_id),
        lambda kept: f"{kept.mentee.name} and {kept.mentor.user.name}: "
                     f"{'locked (kept by re-runs)' if kept.state == PairingState.LOCKED else 'unlocked'}.")


@bp.route("/pairings/<int:pairing_id>/swap", methods=["GET", "POST"])
@lead_required
def swap(pairing_id: int):
    """A proposed pair's mentor changed by hand: a page of its own (the pool is long), posting back here."""
    pairing = get_or_404(Pairing, pairing_id)
    if request.method == "GET":
        available = [(m, taken) for m, taken in queries.mentor_pool() if m.is_available]
        return render("mentoring/swap.html", pairing=pairing, pool=available, button=ButtonForm(formdata=None))
    form = SwapForm()
    form.mentor.choices = [(m.id, m.user.name) for m in queries.available_mentors()]
    valid = form.validate_on_submit()
    profile = get_or_404(MentorProfile, form.mentor.data) if valid else None
    return change_then_redirect(
        lambda: pairings.swap_mentor(current_user, pairing, profile),
        url_for("mentoring.matching_round", round_id=pairing.round_id),
        lambda swapped: f"{swapped.mentee.name} now has {profile.user.name} as proposed mentor (locked).",
        valid=valid, invalid="Choose a mentor from the list.")


@bp.route("/pairings/<int:pairing_id>/confirm", methods=["POST"])
@lead_required
def confirm(pairing_id: int):
    pairing = get_or_404(Pairing, pairing_id)
    return button_answer(
        ButtonForm().validate_on_submit(), lambda: pairings.confirm_pairing(current_user, pairing),
        url_for("mentoring.matching_round", round_id=pairing.round_id),
        lambda confirmed: f"Confirmed: {confirmed.mentor.user.name} mentors {confirmed.mentee.name}.")


# ---------------------------------------------------------------- a pairing's outcome or end

@bp.route("/pairings/<int:pairing_id>/outcome", methods=["POST"])
@lead_required
def record_outcome(pairing_id: int):
    pairing = get_or_404(Pairing, pairing_id)
    form = OutcomeForm()
    valid = form.validate_on_submit()
    outcome = Outcome(form.outcome.data) if valid and form.outcome.data else None
    return change_then_redirect(
        lambda: progress.record_outcome(current_user, pairing.proposal, outcome),
        url_for("mentoring.pairing", pairing_id=pairing.id),
        f"Outcome recorded: {outcome.label if outcome else 'not yet known'}."
        + (" The new holder is invited to join the mentor pool." if outcome == Outcome.AWARDED else ""),
        valid=valid, invalid="Choose one of the listed outcomes.")


@bp.route("/pairings/<int:pairing_id>/end", methods=["POST"])
@lead_required
def end_pairing(pairing_id: int):
    pairing = get_or_404(Pairing, pairing_id)
    form = EndPairingForm()
    if not form.validate_on_submit():
        flash("Give a reason for ending the pairing.", "error")
        return redirect(url_for("mentoring.pairing", pairing_id=pairing.id), 303)
    return change_then_redirect(
        lambda: pairings.end_pairing(current_user, pairing, form.reason.data),
        url_for("mentoring.matching_round", round_id=pairing.round_id),
        lambda ended: f"The pairing has ended; {ended.mentee.name} waits for a rematch.")
