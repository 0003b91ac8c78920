"""Proposals blueprint: staff write, submit, change and withdraw their own; the lead lists and exports a round's."""
from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import ValidationError, validate_csrf
from werkzeug.routing import BuildError

from portal.auth.forms import ButtonForm
from portal.db_types import utcnow
from portal.extensions import db
from portal.proposals import lead_views, queries, rules, services, version_views
from portal.proposals.blueprint import bp
from portal.proposals.diff import ANSWER_LABELS
from portal.proposals.forms import ProposalForm, yes_or_no
from portal.proposals.models import Proposal, ProposalState
from portal.rounds.models import LIMITED_QUESTIONS, Round
from portal.rounds.queries import open_rounds
from portal.rounds.guidance import suggest
from portal.rounds.rules import describe_remaining, is_accepting, is_visible_to, time_left
from portal.timeutil import format_local, to_local
from portal.web.actions import attempt, change_then_redirect
from portal.web.authz import get_or_404
from portal.web.csrf import client_key, keeps_input_on_csrf_failure, served_stamp, served_to
from portal.web.htmx import wants_fragment
from portal.web.templating import money

# The lead's list and export, and the versions and kept-text pages, register their routes on bp too.
VIEW_MODULES = (lead_views, version_views)

STALE_NOTICE = ("Your form's security token was missing or out of date (for example after signing in again in "
                "another tab), so nothing was saved yet. Your text is kept below and on the server: check it, "
                "then save again.")
# Browser session key: {proposal id: token of text kept while signed out}.
PENDING_KEY = "proposals_pending"
# The page that sent the text was not served to this person for this proposal (or is days old): the text
# is shown again, but nothing is kept, or another site could plant text in someone's form.
NOT_KEPT_NOTICE = ("Your form's security token was missing or out of date (for example after signing in again in "
                   "another tab), so nothing was saved. Your text is shown below: check it, then save again.")
EXPIRED = "That did not work because the page had expired; press the button again."
# Answers to a unique-constraint clash: a second click or tab did the same thing at the same moment.
DOUBLE_START = "A draft for this round was started at the same moment."
ALREADY_SUBMITTED = "This proposal was already submitted."


def _own_or_404(proposal_id: int) -> Proposal:
    """Someone else's proposal does not exist as far as staff can tell."""
    proposal = get_or_404(Proposal, proposal_id)
    if not rules.is_owner(current_user, proposal):
        abort(404)
    return proposal


def _form_for(proposal: Proposal) -> ProposalForm:
    form = ProposalForm()
    form.pathway_id.choices = [(p.id, f"{p.name} ({money(p.fee_pence)})") for p in proposal.round.pathways]
    return form


def _subject(proposal_id: int) -> str:
    return f"proposal:{proposal_id}"


def _from_owners_page(proposal: Proposal) -> bool:
    """Whether the post came from an edit page served to the proposal's owner (web.csrf.served_to)."""
    return served_to(_subject(proposal.id)) == proposal.user_id


def _keep(proposal: Proposal, form: ProposalForm, user=None):
    """Keep the text sent (the form's checks passed) for later; None when nothing could be kept."""
    return attempt(lambda: services.keep_pending(proposal, form.raw_answers(), user, client=client_key())).value


def _token_is_stale() -> bool:
    """Checked here, per request, rather than trusted from the form: the CSRF error handler calls
    this view again, and a stale token must lead to keeping the text, never to saving it."""
    token = request.form.get("csrf_token") or request.headers.get("X-CSRFToken")
    try:
        validate_csrf(token)
    except ValidationError:
        return True
    return False


def _saved_at() -> str:
    return to_local(utcnow()).strftime("%H:%M")


def _signed_out_save(proposal_id: int, fragment: bool):
    """A save or submit from someone whose sign-in has expired: keep the text server-side under a
    token in this browser's session, to be put back in the form after they sign in again."""
    proposal = db.session.get(Proposal, proposal_id)
    form = ProposalForm()
    form.pathway_id.choices = [(p.id, p.name) for p in proposal.round.pathways] if proposal else []
    form.validate()
    pending = None
    # Only text from the owner's own page is kept. Its signed stamp names the owner, so the text is kept against
    # their account and offered on the form wherever they sign in next (never applied without them).
    if proposal is not None and _from_owners_page(proposal) and any(v for v in form.raw_answers().values()):
        pending = _keep(proposal, form, proposal.applicant)
    if pending is not None:
        tokens = dict(session.get(PENDING_KEY) or {})
        tokens[str(proposal_id)] = pending.token
        session[PENDING_KEY] = tokens
    sign_in = url_for("auth.sign_in", next=url_for("proposals.edit", proposal_id=proposal_id))
    if fragment:
        return render_template("proposals/_autosave_status.html", signed_out=True, kept=pending is not None,
                               sign_in_url=sign_in), 409
    return render_template("proposals/signed_out.html", sign_in_url=sign_in, form=form, kept=pending is not None), 401


def _claim_from_session(proposal: Proposal) -> None:
    tokens = dict(session.get(PENDING_KEY) or {})
    token = tokens.pop(str(proposal.id), None)
    if token:
        services.claim_pending(token, current_user)
        db.session.commit()
        session[PENDING_KEY] = tokens


def _session_url(intro_session) -> str | None:
    """Link to an intro session's page on the schedule, if the schedule offers one."""
    try:
        return url_for("schedule.session_page", session_id=intro_session.id)
    except BuildError:
        return None


def _suggestion(round_: Round, form: ProposalForm):
    """The pathway guidance for what the form holds now (a refused number of years suggests nothing)."""
    years = form.years_experience.data if not form.years_experience.errors else None
    return suggest(list(round_.pathways), years, form.leads_learning_technology.data, role=form.job_title.data or "")


def _edit_page(proposal: Proposal, form: ProposalForm, *, status: int = 200, problems=None, notice=None):
    now = utcnow()
    round_ = proposal.round
    intro = None
    if proposal.state == ProposalState.DRAFT and round_.intro_required:
        intro = services.intro_problem(current_user, round_)
    remaining = time_left(round_, now)
    form.served_for.data = served_stamp(_subject(proposal.id), current_user.id)
    if form.pathway_id.errors:  # a pathway not on offer was refused: show the choice that stands
        form.pathway_id.data = proposal.pathway_id
    pending = services.pending_for(current_user, proposal)
    kept = version_views.kept_changes(pending, {name: form[name].data for name in services.OFFERED_ANSWERS},
                                      proposal)
    return render_template(
        "proposals/edit.html", proposal=proposal, round=round_, form=form, problems=problems or [],
        notice=notice, intro=intro, accepting=is_accepting(round_, now), limited=LIMITED_QUESTIONS,
        remaining=describe_remaining(remaining) if remaining else None,
        suggestion=_suggestion(round_, form),
        word_count=rules.word_count, session_url=_session_url, kept={change.name: change for change in kept},
        kept_at=pending.created_at if kept else None,
    ), status


def _why_unchangeable(proposal: Proposal, now) -> str:
    if proposal.state == ProposalState.SUBMITTED and now >= proposal.round.closes_at:
        return f"the round closed at {format_local(proposal.round.closes_at, '%H:%M on %A %-d %B %Y')}"
    return f"this proposal is {proposal.state.label.lower()} and can no longer be changed"


def _form_action(proposal: Proposal, form: ProposalForm, action: str):
    """The form's own buttons without JavaScript: suggest a pathway, or use or discard one kept answer. The
    page comes back with what was typed; a draft saves it first (as autosave would), a submitted proposal
    changes only through "Save changes"."""
    if proposal.state == ProposalState.DRAFT:
        attempt(lambda: services.save_draft(current_user, proposal, form.valid_answers()))
    verb, _, name = action.partition(":")
    notice = None
    if verb in {"use", "discard"} and name in services.OFFERED_ANSWERS:
        pending = services.pending_for(current_user, proposal)
        label = ANSWER_LABELS[name]
        if verb == "use" and pending is not None and name in pending.answers:
            form[name].data, form[name].raw_data = pending.answers[name], None
            notice = f"The kept text is now in “{label}”. It is not saved until you save."
        elif verb == "discard":
            done = attempt(lambda: services.discard_kept_answer(current_user, proposal, name))
            notice = f"The kept text for “{label}” is discarded." if done else done.error
    return _edit_page(proposal, form, notice=notice)


# ---------------------------------------------------------------- staff

@bp.route("/")
@login_required
def index():
    mine = queries.proposals_of(current_user)
    live_rounds = {p.round_id for p in mine if p.state != ProposalState.WITHDRAWN}
    return render_template("proposals/index.html", proposals=mine,
                           open_rounds=[r for r in open_rounds() if r.id not in live_rounds])


@bp.route("/rounds/<int:round_id>/start", methods=["POST"])
@login_required
def start(round_id: int):
    round_ = get_or_404(Round, round_id)
    if not is_visible_to(round_, current_user):
        abort(404)
    if not ButtonForm().validate_on_submit():
        flash(EXPIRED, "error")
        return redirect(url_for("rounds.detail", round_id=round_.id), 303)
    started = attempt(lambda: services.start_proposal(current_user, round_), duplicate=DOUBLE_START)
    if started:
        proposal = started.value
    elif started.error == DOUBLE_START:  # a second click raced the first; use the draft it made
        proposal = queries.live_proposal_for(current_user, round_)
    else:
        flash(started.error, "error")
        return redirect(url_for("rounds.detail", round_id=round_.id), 303)
    return redirect(url_for("proposals.edit", proposal_id=proposal.id), 303)


@bp.route("/<int:proposal_id>/edit", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
def edit(proposal_id: int):
    if not current_user.is_authenticated:
        if request.method == "POST":
            return _signed_out_save(proposal_id, fragment=False)
        return current_app.login_manager.unauthorized()
    proposal = _own_or_404(proposal_id)
    now = utcnow()
    form = _form_for(proposal)
    editable = proposal.state == ProposalState.DRAFT or rules.can_edit_submitted(current_user, proposal, now)

    if request.method == "GET":
        if not editable:
            return redirect(url_for("proposals.detail", proposal_id=proposal.id), 303)
        _claim_from_session(proposal)
        form.fill(proposal.answers())
        return _edit_page(proposal, form)

    action = request.form.get("action", "save")
    valid = form.validate_on_submit()
    if _token_is_stale():
        # Stale token: keep the text against the account if it came from their own page, and re-show it
        # (the CSRF handler answers 400).
        kept = _keep(proposal, form, current_user) if _from_owners_page(proposal) else None
        return _edit_page(proposal, form, status=400, notice=STALE_NOTICE if kept else NOT_KEPT_NOTICE)
    if action == "suggest" or action.partition(":")[0] in {"use", "discard"}:
        return _form_action(proposal, form, action)

    if proposal.state == ProposalState.DRAFT:
        saved = attempt(lambda: services.save_then_submit(current_user, proposal, form.valid_answers(),
                                                          submit=action == "submit" and valid, now=now),
                        duplicate=ALREADY_SUBMITTED)
        if not saved:  # the same draft submitted twice at once: the other request won
            flash(saved.error, "info")
            return redirect(url_for("proposals.detail", proposal_id=proposal_id), 303)
        problems = saved.value
        if proposal.state == ProposalState.SUBMITTED:
            flash(f"Your proposal for {proposal.round.name} is submitted. We have emailed you a copy of it.", "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal.id), 303)
        if valid and not problems:
            flash(f"Draft saved at {_saved_at()}.", "success")
            return redirect(url_for("proposals.edit", proposal_id=proposal.id), 303)
        return _edit_page(proposal, form, status=422, problems=problems)

    if proposal.state == ProposalState.SUBMITTED and valid:
        # Never refused as such: a change the rules turn down is answered with its reasons, the text kept.
        problems = services.change_submitted(current_user, proposal, form.valid_answers(), form.raw_answers(), now)
        db.session.commit()
        if problems:
            return _edit_page(proposal, form, status=422, problems=problems)
        flash(f"Your changes are saved as version {proposal.version}. We have emailed you a copy.", "success")
        return redirect(url_for("proposals.detail", proposal_id=proposal.id), 303)

    # Invalid fields on a submitted proposal, or a proposal that can no longer change: keep the text.
    _keep(proposal, form, current_user)
    if proposal.state == ProposalState.SUBMITTED:
        return _edit_page(proposal, form, status=422)
    flash(f"Your changes were not saved: {_why_unchangeable(proposal, now)}. The text you sent is kept for you: "
          "see it and copy it from “See the kept text” below.", "error")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id), 303)


@bp.route("/<int:proposal_id>/autosave", methods=["POST"])
@keeps_input_on_csrf_failure
def autosave(proposal_id: int):
    """htmx autosave (and the beacon sent when leaving the page): saves a draft, answers with its status."""
    if not current_user.is_authenticated:
        return _signed_out_save(proposal_id, fragment=True)
    proposal = _own_or_404(proposal_id)
    form = _form_for(proposal)
    form.validate_on_submit()
    context = {"proposal": proposal}
    if _token_is_stale():
        kept = _keep(proposal, form, current_user) if _from_owners_page(proposal) else None
        context.update(stale=True, kept=kept is not None)
        status = 409
    elif proposal.state != ProposalState.DRAFT:
        _keep(proposal, form, current_user)
        context.update(not_draft=True)
        status = 409
    else:
        services.save_draft(current_user, proposal, form.valid_answers())
        db.session.commit()
        context.update(saved_at=_saved_at(), field_errors={form[name].label.text: errors
                                                            for name, errors in form.errors.items()})
        status = 200
    if not wants_fragment():
        return Response(status=204 if status == 200 else status)
    return render_template("proposals/_autosave_status.html", **context), status


@bp.route("/<int:proposal_id>/suggestion")
@login_required
def suggestion(proposal_id: int):
    proposal = _own_or_404(proposal_id)
    years = request.args.get("years_experience", type=int)
    if not wants_fragment():
        return redirect(url_for("proposals.edit", proposal_id=proposal.id), 303)
    return render_template("proposals/_suggestion.html", proposal=proposal, suggestion=suggest(
        list(proposal.round.pathways), years, yes_or_no(request.args.get("leads_learning_technology")),
        role=request.args.get("job_title", "")[:200]))


@bp.route("/<int:proposal_id>")
@login_required
def detail(proposal_id: int):
    proposal = get_or_404(Proposal, proposal_id)
    if not rules.can_view(current_user, proposal):
        abort(404)
    now = utcnow()
    pending = services.pending_for(current_user, proposal) if rules.is_owner(current_user, proposal) else None
    if not version_views.kept_changes(pending, proposal.answers(), proposal):
        pending = None  # nothing kept differs from what is saved: nothing to offer
    return render_template("proposals/detail.html", proposal=proposal, round=proposal.round,
                           can_edit=rules.can_edit_submitted(current_user, proposal, now),
                           can_withdraw=rules.can_withdraw(current_user, proposal),
                           is_owner=rules.is_owner(current_user, proposal), pending=pending,
                           kept_for=services.KEPT_FOR,
                           word_count=rules.word_count, limited=LIMITED_QUESTIONS)


@bp.route("/<int:proposal_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(proposal_id: int):
    proposal = _own_or_404(proposal_id)
    form = ButtonForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(EXPIRED, "error")
            return redirect(url_for("proposals.withdraw", proposal_id=proposal.id), 303)
        return change_then_redirect(lambda: services.withdraw_proposal(current_user, proposal),
                                    url_for("proposals.detail", proposal_id=proposal.id),
                                    lambda withdrawn: f"Your proposal for {withdrawn.round.name} is withdrawn.")
    if not rules.can_withdraw(current_user, proposal):
        flash("This proposal can no longer be withdrawn.", "error")
        return redirect(url_for("proposals.detail", proposal_id=proposal.id), 303)
    return render_template("proposals/withdraw.html", proposal=proposal, form=form)
