"""The lead's moderation pages: the ranked table and its CSV, closing and releasing, and each decision."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from portal.auth.access import lead_required
from portal.db_types import utcnow
from portal.panel import deciding, forms, funding, places, queries, ranking, reviewing, rules
from portal.panel.blueprint import bp, csv_download
from portal.panel.models import Decision, Outcome
from portal.proposals.models import Proposal
from portal.rounds.models import Round
from portal.web.actions import attempt, change_then_redirect
from portal.web.authz import get_or_404
from portal.web.csrf import keeps_input_on_csrf_failure
from portal.web.htmx import render, wants_fragment
from portal.web.pagination import paginate_list

# A page of the ranked table: enough to see the funding line, small enough to read and render quickly.
MODERATION_PER_PAGE = 25


@bp.route("/rounds/<int:round_id>/moderation")
@lead_required
def moderation(round_id: int):
    round_ = get_or_404(Round, round_id)
    calibrated = request.args.get("view") == "calibrated"
    table = ranking.moderation(round_, viewer=current_user, details=False)
    page = paginate_list(table.rows, per_page=MODERATION_PER_PAGE)
    ranking.add_details(table, page.items, calibrate=calibrated)
    freed = places.freed_places(round_, table.settings) if table.settings.released_at else []
    return render("panel/moderation.html", "panel/_ranked_table.html", "panel-ranked-table",
                  round=round_, table=table, page=page, calibrated=calibrated, button=forms.ButtonForm(),
                  open=rules.is_scoring_open(table.settings, round_, utcnow()), freed=freed)


@bp.route("/rounds/<int:round_id>/ranking.csv")
@lead_required
def ranking_csv(round_id: int):
    round_ = get_or_404(Round, round_id)
    table = ranking.moderation(round_, viewer=current_user)
    header = ["Rank", "Applicant", "Department", "Pathway", "Fee (£)", f"Total ({table.settings.aggregate.value})",
              "Standard deviation", "Calibrated (z)", "Disagreement on", "Missing scores from",
              *[f"{m.name} total" for m in table.members], "Decision", "Waitlist position"]
    rows = [header]
    for row in table.rows:
        by = row.by_member
        rows.append([row.rank or "", row.proposal.applicant_name, row.proposal.department,
                     row.proposal.pathway_name or "", row.fee / 100,
                     _num(row.aggregate), "one review" if len(row.totals) == 1 else _num(row.sd),
                     _num(row.calibrated, 2),
                     "; ".join(c.name for c in row.disagreement), "; ".join(m.name for m in row.missing),
                     *[("" if row.hidden else _cell(by.get(m.id), (m.id, row.proposal.id) in table.conflicts))
                       for m in table.members],
                     row.decision.standing.label if row.decision else "",
                     (row.decision.waitlist_position or "") if row.decision and row.decision.outcome == Outcome.WAITLISTED
                     else ""])
    return csv_download(rows, f"ranking-round-{round_.id}.csv", round_)


def _num(value, places: int = 1):
    return "" if value is None else round(value, places)


def _cell(column, conflicted: bool):
    if conflicted:
        return "conflict"
    if column is None:
        return "not assigned"
    if column.abstained:
        return "abstained"
    return "missing" if column.total is None else round(column.total, 1)


def _round_action(round_id: int, action, ok: str):
    """A moderation button on the whole round: run the service, flash `ok` (formatted with its result)
    or the refusal, and 303 back to the ranked table."""
    round_ = get_or_404(Round, round_id)
    return change_then_redirect(lambda: action(current_user, round_), url_for("panel.moderation", round_id=round_.id),
                                lambda result: ok.format(result=result),
                                valid=forms.ButtonForm().validate_on_submit())


@bp.route("/rounds/<int:round_id>/close-scoring", methods=["POST"])
@lead_required
def close_scoring(round_id: int):
    return _round_action(round_id, reviewing.close_scoring,
                         "Scoring is closed. Panel members can now see each other’s scores.")


@bp.route("/rounds/<int:round_id>/reopen-scoring", methods=["POST"])
@lead_required
def reopen_scoring(round_id: int):
    return _round_action(round_id, reviewing.reopen_scoring, "Scoring is open again.")


@bp.route("/rounds/<int:round_id>/remind", methods=["POST"])
@lead_required
def remind(round_id: int):
    return _round_action(round_id, reviewing.send_reminders, "Reminders queued for {result} panel member(s).")


def _release_page(round_: Round, form, message: str = "", http_status: int = 200):
    settings = queries.settings_for(round_)
    summary = deciding.release_summary(round_, settings)
    if form is None:
        form = forms.ReleaseForm(formdata=None, data={"applicants": summary.told})
    outstanding = sum(ranking.moderation(round_, settings, details=False).missing_by_member.values()) \
        if settings.released_at is None else 0
    return render("panel/release.html", "panel/_release_confirm.html", f"panel-release-{round_.id}",
                  http_status=http_status, round=round_, settings=settings, summary=summary, form=form,
                  message=message, outstanding=outstanding)


@bp.route("/rounds/<int:round_id>/release", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@lead_required
def release(round_id: int):
    """GET: what releasing would do, to confirm; POST (from that page): release, or say why not."""
    round_ = get_or_404(Round, round_id)
    if request.method == "GET":
        return _release_page(round_, None)
    form = forms.ReleaseForm()
    if not form.validate_on_submit():
        return _release_page(round_, form, "Confirm the release on this page.", 422)
    done = attempt(lambda: deciding.release(current_user, round_, override_open_scoring=form.override_open_scoring.data,
                                            expected=form.applicants.data), form=form)
    if not done:
        # The page reads the numbers again, so a changed count is shown and confirmed afresh.
        return _release_page(round_, form, done.error, 409)
    flash(f"Outcomes released: {done.value} applicant(s) emailed.", "success")
    return redirect(url_for("panel.moderation", round_id=round_.id), 303)


@bp.route("/decisions/<int:decision_id>/undo-decline", methods=["GET", "POST"])
@lead_required
def undo_decline(decision_id: int):
    """GET: what undoing this decline would do, to confirm; POST (from that page): undo it, or say why not."""
    decision = get_or_404(Decision, decision_id)
    if request.method == "POST":
        return change_then_redirect(lambda: places.undo_decline(current_user, decision),
                                    url_for("panel.moderation", round_id=decision.round_id),
                                    f"Decline undone: {decision.proposal.applicant.name}’s place is restored.",
                                    valid=forms.ButtonForm().validate_on_submit())
    settings = queries.settings_for(decision.proposal.round)
    offer_on = queries.offer_from(decision.id)
    return render("panel/undo_decline.html", round=decision.proposal.round, decision=decision, offer_on=offer_on,
                  undoable=rules.can_undo_decline(settings, decision, offer_on), button=forms.ButtonForm())


@bp.route("/rounds/<int:round_id>/lapse-offers", methods=["POST"])
@lead_required
def lapse_offers(round_id: int):
    return _round_action(round_id, deciding.lapse_offers,
                         "{result} unanswered offer(s) lapsed; each freed place was offered to the waitlist.")


@bp.route("/decisions/<int:decision_id>/offer-place", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@lead_required
def offer_place(decision_id: int):
    """A freed place nobody on the waitlist fitted: the lead offers it to someone, confirming going over the funding."""
    freed = get_or_404(Decision, decision_id)
    round_ = freed.proposal.round
    waiting = places.waiting_for(round_)
    form = forms.OfferPlaceForm() if request.method == "POST" else forms.OfferPlaceForm(formdata=None)
    form.to.choices = [(d.proposal_id, d.proposal.applicant.name) for d in waiting]
    message, status = "", 200
    if request.method == "POST":
        if form.validate_on_submit():
            done = attempt(lambda: places.offer_over_funding(current_user, freed, form.to.data,
                                                            confirm=form.confirm.data), form=form)
            if done:
                flash(f"The place is offered to {done.value.proposal.applicant.name}.", "success")
                return redirect(url_for("panel.moderation", round_id=round_.id), 303)
            message, status = done.error, 409
        else:
            message, status = "Choose someone still on the waiting list.", 422
    summary = funding.round_funding(round_)
    unfilled = rules.is_place_unfilled(queries.settings_for(round_), freed, queries.offer_from(freed.id))
    return render("panel/offer_place.html", http_status=status, round=round_, freed=freed, unfilled=unfilled,
                  waiting=[(d, funding.over_funding(summary, d.proposal.pathway.fee_pence if d.proposal.pathway else 0))
                           for d in waiting], form=form, message=message, funding=summary)


def _decision_table(proposal: Proposal) -> tuple[ranking.Moderation, ranking.Row]:
    """The round's ranked table and the proposal's row in it, with its details.

    A lead who sits on the panel and is conflicted on the proposal leaves this decision to another
    lead: 404, as on every other URL that would show its scores.
    """
    table = ranking.moderation(proposal.round, viewer=current_user, details=False)
    row = next((r for r in table.rows if r.proposal.id == proposal.id), None)
    if row is None or row.hidden:
        abort(404)
    ranking.add_details(table, [row], calibrate=False)
    return table, row


def _decision_context(proposal: Proposal, form=None, message: str = "", error: bool = False, over: bool = False,
                      ranked: tuple[ranking.Moderation, ranking.Row] | None = None):
    """What the decide page shows; pass the ranked table and row only if nothing changed since they were read."""
    table, row = ranked or _decision_table(proposal)
    decision = queries.decision_for(proposal.id)
    if form is None:
        form = forms.DecisionForm(formdata=None, data={
            "outcome": decision.outcome.value if decision else None,
            "waitlist_position": decision.waitlist_position if decision else None,
            "feedback": decision.feedback if decision else ""})
    return dict(proposal=proposal, round=proposal.round, table=table, row=row, decision=decision, form=form,
                message=message, error=error, over=over, funding=table.funding,
                can_decide=rules.can_decide(table.settings))


@bp.route("/proposals/<int:proposal_id>/decide", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@lead_required
def decide(proposal_id: int):
    proposal = queries.proposal_with_applicant(proposal_id)
    if proposal is None or proposal.state not in queries.REVIEWABLE:
        abort(404)
    ranked = _decision_table(proposal)  # refuses a conflicted lead before anything is read or saved
    target = f"panel-decision-{proposal.id}"
    if request.method == "GET":
        return render("panel/decide.html", "panel/_decision.html", target, **_decision_context(proposal, ranked=ranked))
    form = forms.DecisionForm()
    if form.validate_on_submit():
        # No form given: the refusal is shown as the page's message, not under a field.
        done = attempt(lambda: deciding.decide(current_user, proposal, outcome=form.outcome.data,
                                               feedback=form.feedback.data or "",
                                               waitlist_position=form.waitlist_position.data,
                                               confirm=form.confirm.data))
        if not done:
            return render("panel/decide.html", "panel/_decision.html", target, http_status=409,
                          **_decision_context(proposal, form=form, message=done.error, error=True,
                                              over=done.field == funding.CONFIRM_FIELD))
        message = f"Decision saved: {proposal.applicant.name} — {done.value.outcome.label.lower()}."
        if wants_fragment(target):
            return render("panel/decide.html", "panel/_decision.html", target,
                          **_decision_context(proposal, message=message))
        flash(message, "success")
        return redirect(url_for("panel.moderation", round_id=proposal.round_id), 303)
    return render("panel/decide.html", "panel/_decision.html", target, http_status=422,
                  **_decision_context(proposal, form=form, message="Choose a decision.", error=True, ranked=ranked))
