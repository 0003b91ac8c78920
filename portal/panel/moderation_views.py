"""The lead's moderation pages: the ranked table and its CSV, closing and releasing, and each decision."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from portal.auth.access import lead_required
from portal.panel import deciding, forms, funding, queries, ranking, reviewing, rules
from portal.panel.blueprint import bp, csv_download
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
    return render("panel/moderation.html", "panel/_ranked_table.html", "panel-ranked-table",
                  round=round_, table=table, page=page, calibrated=calibrated, button=forms.ButtonForm(),
                  open=rules.is_scoring_open(table.settings, round_))


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
                     _num(row.aggregate), _num(row.sd), _num(row.calibrated, 2),
                     "; ".join(c.name for c in row.disagreement), "; ".join(m.name for m in row.missing),
                     *[("" if row.hidden else _cell(by.get(m.id), (m.id, row.proposal.id) in table.conflicts))
                       for m in table.members],
                     row.decision.outcome.label if row.decision else "",
                     (row.decision.waitlist_position or "") if row.decision else ""])
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


@bp.route("/rounds/<int:round_id>/release", methods=["POST"])
@lead_required
def release(round_id: int):
    return _round_action(round_id, deciding.release, "Outcomes released to {result} applicant(s).")


@bp.route("/rounds/<int:round_id>/lapse-offers", methods=["POST"])
@lead_required
def lapse_offers(round_id: int):
    return _round_action(round_id, deciding.lapse_offers,
                         "{result} unanswered offer(s) lapsed; each freed place was offered to the waitlist.")


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
