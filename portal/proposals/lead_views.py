"""The lead's list of a round's proposals, with filters, and its CSV export."""
from __future__ import annotations

from flask import request
from flask_login import current_user

from portal.audit.services import record
from portal.auth.access import lead_required
from portal.extensions import db
from portal.proposals import queries
from portal.proposals.blueprint import bp
from portal.proposals.forms import ProposalFiltersForm
from portal.proposals.models import ProposalState
from portal.rounds.models import Round
from portal.timeutil import to_local
from portal.web.authz import get_or_404
from portal.web.csv import csv_response
from portal.web.htmx import render
from portal.web.pagination import paginate


def _filters(round_: Round) -> tuple[ProposalFiltersForm, queries.ProposalFilters]:
    form = ProposalFiltersForm(request.args)
    form.pathway.choices = [("", "Any pathway")] + [(str(p.id), p.name) for p in round_.pathways]
    form.department.choices = [("", "Any department")] + [(d, d) for d in queries.departments_in(round_)]
    form.validate()
    state = None
    if form.state.data and not form.state.errors:
        state = ProposalState(form.state.data)
    pathway_id = int(form.pathway.data) if form.pathway.data and not form.pathway.errors else None
    department = form.department.data if form.department.data and not form.department.errors else ""
    return form, queries.ProposalFilters(q=(form.q.data or "")[:200], pathway_id=pathway_id, state=state,
                                         department=department)


@bp.route("/rounds/<int:round_id>")
@lead_required
def round_list(round_id: int):
    round_ = get_or_404(Round, round_id)
    form, filters = _filters(round_)
    page = paginate(queries.proposals_for_round(round_, filters))
    args = {"q": form.q.data or "", "pathway": form.pathway.data or "", "state": form.state.data or "",
            "department": form.department.data or ""}
    return render("proposals/round_list.html", "proposals/_round_table.html", "proposals-table",
                  round=round_, search=form, page=page, args=args)


CSV_HEADER = ["ID", "Name", "Email", "Department", "Job title", "Pathway", "State", "Years of experience",
              "Submitted at", "Version", "Line manager", "Line manager email", "Line manager supports",
              "Last changed at"]


def _iso(instant) -> str:
    return to_local(instant).isoformat(timespec="seconds") if instant else ""


@bp.route("/rounds/<int:round_id>/export.csv")
@lead_required
def round_export(round_id: int):
    round_ = get_or_404(Round, round_id)
    _form, filters = _filters(round_)
    record(current_user, "export.csv", round_, summary=f"Downloaded the proposals of {round_.name}")
    db.session.commit()
    # Read every row before the response starts: a streamed body outlives the request's session.
    rows = [(p.id, p.applicant.name, p.applicant.email, p.department, p.job_title,
             p.pathway.name if p.pathway else "", p.state.label, p.years_experience, _iso(p.submitted_at),
             p.version, p.line_manager_name, p.line_manager_email, p.line_manager_supports, _iso(p.updated_at))
            for p in db.session.scalars(queries.proposals_for_round(round_, filters))]
    return csv_response(f"proposals-round-{round_.id}.csv", CSV_HEADER, rows)
