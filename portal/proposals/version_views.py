"""A proposal's kept versions, each with what changed from the one before; and the text kept for a person
when it could not be saved, to see, copy or discard even when the proposal can no longer change."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.auth.forms import ButtonForm
from portal.extensions import db
from portal.proposals import rules, services
from portal.proposals.blueprint import bp
from portal.proposals.diff import answer_changes
from portal.proposals.models import Proposal, ProposalVersion
from portal.web.actions import STALE_FORM, attempt
from portal.web.authz import get_allowed_or_404, get_or_404
from portal.web.htmx import wants_fragment
from portal.web.redirects import next_or


def pathway_names(proposal: Proposal) -> dict[int, str]:
    """Every pathway of the proposal's scheme by id: an old version may name one no longer on offer."""
    return {p.id: p.name for p in proposal.round.scheme.pathways}


def kept_changes(pending, current: dict, proposal: Proposal) -> list:
    """The kept answers that differ from `current` (what the form or the proposal holds), each as a change.
    Reads the pathways' names only when something is kept (most pages have nothing kept)."""
    if pending is None:
        return []
    offered = [name for name in services.OFFERED_ANSWERS if name in pending.answers]
    changes = answer_changes(current, pending.answers, pathway_names(proposal), names=offered)
    return [change for change in changes if change.changed]


@bp.route("/<int:proposal_id>/versions/<int:number>")
@login_required
def version(proposal_id: int, number: int):
    proposal = get_or_404(Proposal, proposal_id)
    if not rules.can_view(current_user, proposal):
        abort(404)
    kept = {v.version: v for v in db.session.scalars(select(ProposalVersion).where(
        ProposalVersion.proposal_id == proposal.id, ProposalVersion.version.in_([number - 1, number])))}
    if number not in kept:
        abort(404)
    previous = kept.get(number - 1)
    changes = answer_changes(previous.answers if previous else None, kept[number].answers, pathway_names(proposal))
    return render_template("proposals/version.html", proposal=proposal, round=proposal.round, version=kept[number],
                           previous=previous, changes=changes, is_owner=rules.is_owner(current_user, proposal),
                           changed=[c for c in changes if c.changed])


def _own_or_404(proposal_id: int) -> Proposal:
    return get_allowed_or_404(Proposal, proposal_id, lambda proposal: rules.is_owner(current_user, proposal))


@bp.route("/<int:proposal_id>/kept")
@login_required
def kept(proposal_id: int):
    proposal = _own_or_404(proposal_id)
    pending = services.pending_for(current_user, proposal)
    changes = kept_changes(pending, proposal.answers(), proposal)
    return render_template("proposals/kept.html", proposal=proposal, round=proposal.round, pending=pending,
                           changes=changes, kept_days=services.KEPT_FOR.days)


@bp.route("/<int:proposal_id>/kept/<name>/discard", methods=["POST"])
@login_required
def discard_kept(proposal_id: int, name: str):
    """Discard one kept answer: from the kept-text page, or in place on the form (htmx)."""
    proposal = _own_or_404(proposal_id)
    if name not in services.OFFERED_ANSWERS:
        abort(404)
    form = ButtonForm()
    done = attempt(lambda: services.discard_kept_answer(current_user, proposal, name)) if form.validate_on_submit() else None
    message = done.error if done is not None and not done else (STALE_FORM if done is None else None)
    if wants_fragment(f"proposals-kept-{proposal.id}-{name}"):
        return render_template("proposals/_kept_discarded.html", proposal=proposal, name=name, error=message)
    flash(message or "The kept text is discarded.", "error" if message else "success")
    return redirect(next_or(url_for("proposals.kept", proposal_id=proposal.id)), 303)
