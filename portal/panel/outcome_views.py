"""The applicant's outcome page: the decision once released, and accepting or declining a place."""
from __future__ import annotations

from flask import abort, url_for
from flask_login import current_user, login_required

from portal.panel import deciding, forms, queries, rules
from portal.panel.blueprint import bp
from portal.proposals.models import Proposal
from portal.web.actions import change_then_redirect
from portal.web.authz import get_or_404
from portal.web.htmx import render

# What the applicant is told after each answer.
_ANSWERED = {"accept": "Thank you: you have accepted your place.",
             "decline": "You have declined your place. Thank you for letting us know."}


def _outcome_proposal(proposal_id: int) -> Proposal:
    proposal = get_or_404(Proposal, proposal_id)
    if not rules.can_view_outcome(current_user, proposal):
        abort(404)
    return proposal


@bp.route("/outcome/<int:proposal_id>")
@login_required
def outcome(proposal_id: int):
    proposal = _outcome_proposal(proposal_id)
    settings = queries.settings_for(proposal.round)
    decision = queries.decision_for(proposal.id)
    released = settings.released_at is not None
    return render("panel/outcome.html", proposal=proposal, decision=decision if released else None,
                  released=released, button=forms.ButtonForm(),
                  can_respond=rules.can_respond_to_place(current_user, proposal, decision, settings))


@bp.route("/outcome/<int:proposal_id>/<any(accept, decline):answer>", methods=["POST"])
@login_required
def respond(proposal_id: int, answer: str):
    proposal = _outcome_proposal(proposal_id)
    answer_with = deciding.accept_place if answer == "accept" else deciding.decline_place
    return change_then_redirect(lambda: answer_with(current_user, proposal),
                                url_for("panel.outcome", proposal_id=proposal.id), _ANSWERED[answer],
                                valid=forms.ButtonForm().validate_on_submit())
