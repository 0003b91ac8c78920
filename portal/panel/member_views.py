"""A panel member's pages: declaring conflicts, their queue, scoring or abstaining, and their scores as CSV."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from portal.db_types import utcnow
from portal.panel import assigning, forms, queries, reviewing, rules
from portal.panel.blueprint import bp, csv_download, panel_required
from portal.panel.conflicts import conflict_map
from portal.panel.queue import QUEUE_FILTERS, Queue, other_reviews, queue_for
from portal.proposals.models import Proposal
from portal.rounds.models import Round
from portal.web.actions import attempt, change_then_redirect
from portal.web.authz import get_or_404
from portal.web.csrf import keeps_input_on_csrf_failure
from portal.web.htmx import render, wants_fragment
from portal.web.pagination import paginate_list


def _member_round(round_id: int) -> Round:
    """A round whose panel the signed-in person sits on (404 otherwise: panels are private)."""
    round_ = get_or_404(Round, round_id)
    if not queries.is_member(round_.id, current_user.id):
        abort(404)
    return round_


def _reviewable(proposal_id: int) -> tuple[Proposal, object, Queue]:
    """A proposal the signed-in member may review (on its panel, assigned, not conflicted), the round's
    panel settings and the member's queue.

    Anything else is 404, so a conflicted member learns nothing from the URL.
    """
    proposal = queries.proposal_with_applicant(proposal_id)
    if proposal is None or proposal.state not in queries.REVIEWABLE \
            or not queries.is_member(proposal.round_id, current_user.id):
        abort(404)
    settings = queries.settings_for(proposal.round)
    queue_ = queue_for(proposal.round, current_user, settings)
    if not queue_.holds(proposal.id):
        abort(404)
    return proposal, settings, queue_


# ---------------------------------------------------------------- conflicts

@bp.route("/rounds/<int:round_id>/conflicts")
@panel_required
def conflicts(round_id: int):
    round_ = _member_round(round_id)
    settings = queries.settings_for(round_)
    props = queries.proposals(round_.id)
    found = conflict_map(round_, props, [current_user], settings)
    return render("panel/conflicts.html", round=round_, proposals=props,
                  conflicts={pid: v for (uid, pid), v in found.items() if uid == current_user.id},
                  form=forms.ConflictForm(formdata=None), button=forms.ButtonForm(),
                  open=rules.is_scoring_open(settings, round_, utcnow()), settings=settings)


@bp.route("/rounds/<int:round_id>/conflicts/<int:proposal_id>", methods=["POST"])
@panel_required
def declare_conflict(round_id: int, proposal_id: int):
    round_ = _member_round(round_id)
    proposal = get_or_404(Proposal, proposal_id)
    if proposal.round_id != round_.id or proposal.state not in queries.REVIEWABLE:
        abort(404)
    form = forms.ConflictForm()
    return change_then_redirect(
        lambda: assigning.declare_conflict(current_user, proposal, form.reason.data or ""),
        url_for("panel.conflicts", round_id=round_.id),
        lambda _: f"Conflict declared: {proposal.applicant.name}’s proposal is removed from your list.",
        valid=form.validate_on_submit(), invalid="The conflict could not be recorded; reload the page and try again.")


@bp.route("/rounds/<int:round_id>/conflicts/<int:proposal_id>/withdraw", methods=["POST"])
@panel_required
def withdraw_conflict(round_id: int, proposal_id: int):
    round_ = _member_round(round_id)
    proposal = get_or_404(Proposal, proposal_id)
    if proposal.round_id != round_.id:
        abort(404)
    return change_then_redirect(
        lambda: assigning.withdraw_conflict(current_user, proposal), url_for("panel.conflicts", round_id=round_.id),
        "Declared conflict withdrawn. Ask the lead to assign the proposal to you if you should score it.",
        valid=forms.ButtonForm().validate_on_submit())


# ---------------------------------------------------------------- scoring

@bp.route("/rounds/<int:round_id>/queue")
@panel_required
def queue(round_id: int):
    round_ = _member_round(round_id)
    settings = queries.settings_for(round_)
    queue_ = queue_for(round_, current_user, settings)
    show = request.args.get("show") if request.args.get("show") in QUEUE_FILTERS else "all"
    return render("panel/queue.html", "panel/_queue_table.html", "panel-queue-table", round=round_,
                  settings=settings, queue=queue_, show=show,
                  filters={name: label for name, (label, _) in QUEUE_FILTERS.items()},
                  page=paginate_list(queue_.filtered(show)), stage=rules.scoring_stage(settings, round_, utcnow()))


def _score_context(proposal: Proposal, settings, form=None, message: str = "", error: bool = False,
                   queue: Queue | None = None):
    """What the scoring page shows; pass the queue only if nothing changed since it was read."""
    crit = queries.criteria(proposal.round_id)
    reviews = queries.reviews_of_proposal(proposal.id)
    values = queries.values_of_proposal(proposal.id)
    review = reviews.get(current_user.id)
    if form is None:
        data = {f"criterion_{cid}": str(v) for cid, v in values.get(current_user.id, {}).items()}
        data["comment"] = review.comment if review else ""
        form = forms.score_form_class(crit)(formdata=None, data=data)
    unblinded = rules.can_see_other_scores(settings, proposal.round, review, utcnow())
    # Blind scoring: the others' reviews reach the page only once the member may see them.
    others = other_reviews(proposal, current_user, settings, reviews, values) if unblinded else []
    queue = queue or queue_for(proposal.round, current_user, settings)
    return dict(proposal=proposal, round=proposal.round, settings=settings, criteria=crit, review=review, form=form,
                others=others, unblinded=unblinded, open=rules.is_scoring_open(settings, proposal.round, utcnow()),
                stage=rules.scoring_stage(settings, proposal.round, utcnow()),
                queue=queue, next_id=queue.next_after(proposal.id), message=message, error=error,
                abstain_form=forms.AbstainForm(formdata=None))


@bp.route("/proposals/<int:proposal_id>/score", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@panel_required
def score(proposal_id: int):
    proposal, settings, queue_ = _reviewable(proposal_id)
    target = f"panel-score-{proposal.id}"
    if request.method == "GET":
        return render("panel/score.html", "panel/_score_form.html", target,
                      **_score_context(proposal, settings, queue=queue_))
    form = forms.score_form_class(queries.criteria(proposal.round_id))()
    if form.validate_on_submit():
        done = attempt(lambda: reviewing.record_review(current_user, proposal, form.values(), form.comment.data or ""),
                       form=form)
        if not done:
            return render("panel/score.html", "panel/_score_form.html", target, http_status=409,
                          **_score_context(proposal, settings, form=form, message=done.error, error=True,
                                           queue=queue_))
        message = ("Scores saved. You can now see the other panel members’ scores."
                   if done.value.submitted_at else "Scores saved; some criteria still need a score.")
        if wants_fragment(target):
            # The queue's progress sits outside the form; it comes along as an out-of-band swap.
            return render("panel/score.html", "panel/_score_form.html", target, oob=True,
                          **_score_context(proposal, settings, message=message))
        flash(message, "success")
        return redirect(url_for("panel.score", proposal_id=proposal.id), 303)
    return render("panel/score.html", "panel/_score_form.html", target, http_status=422,
                  **_score_context(proposal, settings, form=form, message="Check the scores below.", error=True,
                                   queue=queue_))


@bp.route("/proposals/<int:proposal_id>/abstain", methods=["POST"])
@keeps_input_on_csrf_failure
@panel_required
def abstain(proposal_id: int):
    proposal, settings, queue_ = _reviewable(proposal_id)
    form = forms.AbstainForm()
    if form.validate_on_submit() and attempt(lambda: reviewing.abstain(current_user, proposal, form.reason.data),
                                             flash_errors=True):
        flash("You have abstained on this proposal.", "success")
        return redirect(url_for("panel.queue", round_id=proposal.round_id), 303)
    ctx = _score_context(proposal, settings, queue=queue_)  # nothing was saved: the queue read above still holds
    ctx["abstain_form"] = form
    return render("panel/score.html", http_status=422, **ctx)


@bp.route("/rounds/<int:round_id>/my-scores.csv")
@panel_required
def my_scores_csv(round_id: int):
    round_ = _member_round(round_id)
    settings = queries.settings_for(round_)
    crit = queries.criteria(round_.id)
    queue_ = queue_for(round_, current_user, settings)
    rows = [["Applicant", "Pathway", "Status", *[c.name for c in crit], "Comment"]]
    mine = queries.member_values(round_.id, current_user.id)
    comments = queries.member_comments(round_.id, current_user.id)
    for item in queue_.items:
        values = mine.get(item.proposal_id, {})
        rows.append([item.applicant_name, item.pathway_name or "", item.status, *[values.get(c.id, "") for c in crit],
                     comments.get(item.proposal_id, "")])
    return csv_download(rows, f"my-scores-round-{round_.id}.csv", round_)
