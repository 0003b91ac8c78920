"""The applicant's outcome page: the decision once released, accepting a place, and declining it after confirming."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required

from portal.panel import deciding, forms, places, queries, rules
from portal.panel.blueprint import bp
from portal.proposals.models import Proposal
from portal.web.actions import change_then_redirect
from portal.web.authz import get_allowed_or_404
from portal.web.htmx import render


def _outcome_proposal(proposal_id: int) -> Proposal:
    return get_allowed_or_404(Proposal, proposal_id, lambda proposal: rules.can_view_outcome(current_user, proposal))


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


# Named respond, with the answer in the URL, because home pages link the accept button by that endpoint;
# declining has its own confirmation (decline).
@bp.route("/outcome/<int:proposal_id>/<any(accept):answer>", methods=["POST"])
@login_required
def respond(proposal_id: int, answer: str):
    proposal = _outcome_proposal(proposal_id)
    return change_then_redirect(lambda: deciding.accept_place(current_user, proposal),
                                url_for("panel.outcome", proposal_id=proposal.id),
                                "Thank you: you have accepted your place.",
                                valid=forms.ButtonForm().validate_on_submit())


@bp.route("/outcome/<int:proposal_id>/decline", methods=["GET", "POST"])
@login_required
def decline(proposal_id: int):
    """GET: what declining would do, to confirm; POST (from that page): decline."""
    proposal = _outcome_proposal(proposal_id)
    settings = queries.settings_for(proposal.round)
    decision = queries.decision_for(proposal.id)
    if not rules.can_respond_to_place(current_user, proposal, decision, settings):
        flash("There is no place waiting for your answer.", "error")
        return redirect(url_for("panel.outcome", proposal_id=proposal.id), 303)
    if request.method == "POST":
        form = forms.DeclineForm()
        if form.validate_on_submit():
            return change_then_redirect(lambda: deciding.decline_place(current_user, proposal),
                                        url_for("panel.outcome", proposal_id=proposal.id),
                                        "You have declined your place. Thank you for letting us know.")
        flash("Your place has not been declined: confirm on this page that you want to decline it.", "error")
        return redirect(url_for("panel.decline", proposal_id=proposal.id), 303)
    return render("panel/decline.html", "panel/_decline_confirm.html", f"panel-answer-{proposal.id}",
                  proposal=proposal, decision=decision, preview=places.decline_preview(proposal))
