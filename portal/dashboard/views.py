"""The lead's dashboard, year-on-year table, annual report and CSV exports."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.auth.access import lead_required
from portal.dashboard import queries, services
from portal.dashboard.at_risk import at_risk, risk_of
from portal.dashboard.charts import bar_chart
from portal.dashboard.exports import EXPORTS
from portal.dashboard.funnel import applications_by, funnel, participants, round_counts
from portal.dashboard.years import awards_by_year, year_rows
from portal.db_types import utcnow
from portal.dashboard.forms import NudgeForm
from portal.extensions import db
from portal.mentoring import nudges
from portal.mentoring.models import NudgeRecipient
from portal.panel.funding import round_funding
from portal.proposals.models import Proposal
from portal.rounds.models import Round
from portal.timeutil import to_local
from portal.web.actions import STALE_FORM, attempt
from portal.web.authz import get_or_404
from portal.web.csv import csv_response
from portal.web.htmx import render, wants_fragment

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


def _round_context(round_: Round, rounds: list[Round]) -> dict:
    counts, people = round_counts(round_), participants(round_.id)
    steps = funnel(round_, counts, people)
    by_department, by_pathway = applications_by(round_.id)
    awards = awards_by_year()
    charts = {
        "funnel": bar_chart("funnel", f"Funnel for {round_.name}", [(s.label, s.count) for s in steps],
                            label_heading="Step", value_heading="People", extra_heading="Conversion from the step before",
                            extras=["—" if s.conversion is None else f"{round(s.conversion * 100)}%" for s in steps]),
        "department": bar_chart("department", "Applications by department", by_department,
                                label_heading="Department", value_heading="Applications"),
        "pathway": bar_chart("pathway", "Applications by pathway", by_pathway,
                             label_heading="Pathway", value_heading="Applications"),
        "awards": bar_chart("awards", "Awards over the years", awards, label_heading="Year", value_heading="Awards"),
    }
    return dict(round=round_, steps=steps, charts=charts, funding=round_funding(round_),
                scoring=queries.scoring_progress(round_.id), sessions=queries.upcoming_sessions(round_.id),
                risks=at_risk(round_, people=people), rounds=rounds, exports=list(EXPORTS),
                recipients=list(NudgeRecipient))


def _listed_round_or_404(round_id: int) -> tuple[Round, list[Round]]:
    """The round asked for and the rounds list: a listed round comes from the session, not a second read."""
    listed = queries.rounds()
    return get_or_404(Round, round_id), listed


@bp.route("/")
@lead_required
def index():
    chosen = request.args.get("round", type=int)
    if chosen:
        return redirect(url_for("dashboard.round_view", round_id=chosen), 303)
    listed = queries.rounds()
    if not listed:
        return render_template("dashboard/empty.html")
    return render_template("dashboard/round.html", **_round_context(listed[0], listed))


@bp.route("/rounds/<int:round_id>")
@lead_required
def round_view(round_id: int):
    round_, listed = _listed_round_or_404(round_id)
    return render_template("dashboard/round.html", **_round_context(round_, listed))


@bp.route("/rounds/<int:round_id>/at-risk/<int:proposal_id>/nudge/<recipient>", methods=["POST"])
@lead_required
def nudge(round_id: int, proposal_id: int, recipient: str):
    """Email a participant at risk, or their mentor, the lead's message; the row says what was sent."""
    round_, listed = _listed_round_or_404(round_id)
    proposal = get_or_404(Proposal, proposal_id)
    if proposal.round_id != round_.id or recipient not in {r.value for r in NudgeRecipient}:
        abort(404)
    to = NudgeRecipient(recipient)
    form = NudgeForm()
    if form.validate_on_submit():
        done = attempt(lambda: nudges.send_nudge(current_user, proposal, to, form.message.data), form=form,
                       field="message", duplicate=nudges.ALREADY_NUDGED)
        error = done.error
    else:
        error = STALE_FORM
    if error is None:
        person = nudges.nudge_recipient(proposal, to)
        message = f"Nudge sent to {person.name} ({person.email}); it is in the outbox and goes out by email."
    else:
        message = error
    row = dict(row_for=proposal.id, row_message=message, row_error=error is not None, kept_for=recipient,
               kept_text=form.message.data or "", field_error=error)
    if wants_fragment(f"dashboard-risk-{proposal.id}"):
        return render("dashboard/round.html", "dashboard/_risk_row.html", None,
                      risk=risk_of(round_, proposal.id, proposal.applicant.name), round=round_,
                      recipients=list(NudgeRecipient),
                      http_status=422 if error else 200, **row)
    if error is None:
        flash(message, "success")
        return redirect(url_for("dashboard.round_view", round_id=round_.id, _anchor=f"dashboard-risk-{proposal.id}"),
                        303)
    # Without JavaScript the whole page comes back, the message kept in its open form with the reason.
    return render("dashboard/round.html", http_status=422, **_round_context(round_, listed), **row)


@bp.route("/years")
@lead_required
def years():
    rows = year_rows()
    return render_template("dashboard/years.html", rows=rows)


@bp.route("/rounds/<int:round_id>/report")
@lead_required
def report(round_id: int):
    round_, listed = _listed_round_or_404(round_id)
    return render_template("dashboard/report.html", rows=year_rows(listed),
                           generated=to_local(utcnow()), **_round_context(round_, listed))


@bp.route("/rounds/<int:round_id>/export/<kind>.csv")
@lead_required
def export(round_id: int, kind: str):
    round_ = get_or_404(Round, round_id)
    if kind not in EXPORTS:
        abort(404)
    header, rows = EXPORTS[kind]
    services.record_export(current_user, round_, kind)
    db.session.commit()
    stamp = to_local(utcnow()).date().isoformat()
    return csv_response(f"{kind}-round-{round_.id}-{stamp}.csv", header, rows(round_.id))
