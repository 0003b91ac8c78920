"""Rounds blueprint: the lead's schemes, pathways and rounds; the round page staff read."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from portal.auth.access import lead_required
from portal.db_types import utcnow
from portal.extensions import db
from portal.rounds import lifecycle, queries, rules, services
from portal.rounds.clock import advance_on_request
from portal.rounds.forms import CloseRoundForm, PathwayForm, RoundForm, RoundStateForm, SchemeForm
from portal.rounds.hooks import setup_facts
from portal.rounds.models import DEFAULT_WORD_LIMITS, LIMITED_QUESTIONS, Pathway, Round, RoundState, Scheme
from portal.rounds.proposal_facts import proposal_facts
from portal.timeutil import format_local, local_to_utc, to_local
from portal.web.actions import attempt
from portal.web.authz import get_or_404
from portal.web.csrf import keeps_input_on_csrf_failure

bp = Blueprint("rounds", __name__, url_prefix="/rounds")

UNCHANGED = "That change could not be made; reload the page and try again."


def _save_then_redirect(form, change: Callable[[], Any], saved: Callable[[Any], str], to: Callable[[Any], str],
                        template: str, **context):
    """A lead's form page: a valid post saves (a refusal goes on its field, or over the form when it names
    none) and 303s to the address `to` makes of what was saved; otherwise the page again, 422 when
    something is wrong."""
    error = None
    if form.validate_on_submit():
        done = attempt(change, form=form)
        if done:
            flash(saved(done.value), "success")
            return redirect(to(done.value), 303)
        error = None if done.placed else done.error
    status = 422 if form.errors or error else 200
    return render_template(template, form=form, error=error, **context), status


# ---------------------------------------------------------------- the round's page

def _detail_page(round_: Round, now, *, error: str | None = None, missing: list[str] | None = None,
                 status: int = 200):
    """The round's page: when it opens and closes and what happens next; for a lead also its set-up
    checklist and the moves open to it, with a refused move's message (error) over what it lacks (missing)."""
    phase = rules.phase(round_, now)
    remaining = rules.time_left(round_, now) if phase == RoundState.OPEN else None
    lead = bool(getattr(current_user, "is_lead", False))
    steps = rules.setup_steps(round_, setup_facts(round_, now), now) if lead else []
    return render_template(
        "rounds/detail.html", round=round_, now=now, phase=phase, accepting=phase == RoundState.OPEN,
        remaining=rules.describe_remaining(remaining) if remaining else None,
        proposal=proposal_facts().live_proposal_for(current_user, round_), form=RoundStateForm(), lead=lead,
        steps=steps, ready_to_review=not rules.missing_for(steps, "review"),
        moves=rules.ROUND_TRANSITIONS[phase] if lead else set(), error=error, missing=missing or [],
        opens_in=rules.describe_remaining(round_.opens_at - now) if phase == RoundState.SCHEDULED else None,
        closes_in=rules.describe_remaining(round_.closes_at - now) if phase == RoundState.OPEN else None,
    ), status


@bp.route("/<int:round_id>")
@login_required
def detail(round_id: int):
    round_ = get_or_404(Round, round_id)
    if not rules.is_visible_to(round_, current_user):
        abort(404)
    now = utcnow()
    advance_on_request(now)
    return _detail_page(round_, now)


# ---------------------------------------------------------------- lead: rounds

@bp.route("/")
@lead_required
def index():
    now = utcnow()
    advance_on_request(now)
    rounds = queries.all_rounds()
    return render_template("rounds/index.html", rounds=rounds, counts=proposal_facts().counts_by_round(),
                           phases={r.id: rules.phase(r, now) for r in rounds})


def _round_form(round_: Round | None) -> RoundForm:
    form = RoundForm(obj=None)
    schemes = queries.schemes()
    form.scheme_id.choices = [(s.id, s.name) for s in schemes]
    form.pathway_ids.choices = [(p.id, f"{s.name}: {p.name}") for s in schemes for p in s.pathways]
    if not form.is_submitted():
        if round_ is not None:
            opens, closes = to_local(round_.opens_at), to_local(round_.closes_at)
            form.name.data = round_.name
            form.scheme_id.data = round_.scheme_id
            form.pathway_ids.data = [p.id for p in round_.pathways]
            form.opens_on.data, form.opens_time.data = opens.date(), opens.time()
            form.closes_on.data, form.closes_time.data = closes.date(), closes.time()
            form.funded_places.data = round_.funded_places
            form.budget.data = round_.budget_pence
            form.intro_required.data = round_.intro_required
            form.guidance.data = round_.guidance
            for question in LIMITED_QUESTIONS:
                getattr(form, f"limit_{question}").data = round_.word_limit(question)
        else:
            form.intro_required.data = True
            if schemes:
                form.scheme_id.data = schemes[0].id
                form.pathway_ids.data = [p.id for p in schemes[0].pathways]
            for question, limit in DEFAULT_WORD_LIMITS.items():
                getattr(form, f"limit_{question}").data = limit
    return form


def _round_data(form: RoundForm) -> services.RoundData:
    scheme = db.session.get(Scheme, form.scheme_id.data)
    if scheme is None:
        raise services.RoundError("Choose a scheme.", "scheme_id")
    chosen = [db.session.get(Pathway, i) for i in set(form.pathway_ids.data or [])]
    return services.RoundData(
        name=form.name.data, scheme=scheme,
        pathways=sorted((p for p in chosen if p is not None), key=lambda p: (p.position, p.id)),
        opens_at=local_to_utc(datetime.combine(form.opens_on.data, form.opens_time.data)),
        closes_at=local_to_utc(datetime.combine(form.closes_on.data, form.closes_time.data)),
        funded_places=form.funded_places.data,
        budget_pence=form.budget.data,
        intro_required=bool(form.intro_required.data), guidance=form.guidance.data or "",
        word_limits={q: getattr(form, f"limit_{q}").data for q in LIMITED_QUESTIONS},
    )


def _save_round_view(round_: Round | None):
    form = _round_form(round_)
    return _save_then_redirect(
        form, lambda: services.save_round(current_user, round_, _round_data(form), proposal_facts()),
        lambda saved: f"Saved “{saved.name}”.", lambda saved: url_for("rounds.detail", round_id=saved.id),
        "rounds/round_form.html", round=round_, limited=LIMITED_QUESTIONS)


@bp.route("/new", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@lead_required
def new():
    return _save_round_view(None)


@bp.route("/<int:round_id>/edit", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@lead_required
def edit(round_id: int):
    return _save_round_view(get_or_404(Round, round_id))


def _moved(round_: Round, to: RoundState) -> str:
    now = utcnow()
    if to in {RoundState.SCHEDULED, RoundState.OPEN} and rules.phase(round_, now) == RoundState.SCHEDULED:
        return (f"“{round_.name}” is scheduled: staff can see it now; it opens at {format_local(round_.opens_at)} "
                f"and closes at {format_local(round_.closes_at)} by itself.")
    if to in {RoundState.SCHEDULED, RoundState.OPEN}:
        return f"“{round_.name}” is open for proposals until {format_local(round_.closes_at)}."
    if to == RoundState.DRAFT:
        return f"“{round_.name}” is a draft again: staff no longer see it."
    return f"“{round_.name}” is now {round_.state.label.lower()}."


@bp.route("/<int:round_id>/state", methods=["POST"])
@lead_required
def change_state(round_id: int):
    round_ = get_or_404(Round, round_id)
    form = RoundStateForm()
    target = form.target() if form.validate_on_submit() else None
    if target is None:
        flash(UNCHANGED, "error")
        return redirect(url_for("rounds.detail", round_id=round_.id), 303)
    if target == RoundState.CLOSED:  # closing early cuts drafts off: it asks first, on a page of its own
        return redirect(url_for("rounds.close", round_id=round_.id), 303)
    missing: list[str] = []
    heading: list[str] = []

    def move():
        try:
            return lifecycle.set_round_state(current_user, round_, target)
        except lifecycle.RoundNotReady as refused:
            missing.extend(refused.missing)
            heading.append(refused.message.split(":")[0])
            raise

    done = attempt(move)
    if done:
        flash(_moved(round_, target), "success")
        return redirect(url_for("rounds.detail", round_id=round_.id), 303)
    return _detail_page(round_, utcnow(), error=heading[0] if heading else done.error, missing=missing,
                        status=422)


@bp.route("/<int:round_id>/close", methods=["GET", "POST"])
@lead_required
def close(round_id: int):
    """Close an open round early, after a page saying how many drafts it cuts off and that their owners
    will be emailed."""
    round_ = get_or_404(Round, round_id)
    form = CloseRoundForm()
    error = None
    if form.validate_on_submit():
        done = attempt(lambda: lifecycle.close_round_early(current_user, round_))
        if done:
            flash(f"“{round_.name}” closed at {format_local(round_.closes_at)}.", "success")
            return redirect(url_for("rounds.detail", round_id=round_.id), 303)
        error = done.error
    drafts = proposal_facts().counts_by_round().get(round_.id, {}).get("draft", 0)
    return render_template("rounds/close.html", round=round_, form=form, drafts=drafts, error=error,
                           accepting=rules.is_accepting(round_, utcnow())), 422 if error else 200


# ---------------------------------------------------------------- lead: schemes and pathways

@bp.route("/schemes")
@lead_required
def schemes():
    return render_template("rounds/schemes.html", schemes=queries.schemes())


def _save_scheme_view(scheme: Scheme | None):
    form = SchemeForm(obj=scheme)
    return _save_then_redirect(
        form, lambda: services.save_scheme(current_user, scheme, name=form.name.data,
                                           awarding_body=form.awarding_body.data or "",
                                           description=form.description.data or "", website=form.website.data or ""),
        lambda saved: f"Saved the scheme “{saved.name}”.", lambda saved: url_for("rounds.schemes"),
        "rounds/scheme_form.html", scheme=scheme)


@bp.route("/schemes/new", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@lead_required
def new_scheme():
    return _save_scheme_view(None)


@bp.route("/schemes/<int:scheme_id>/edit", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@lead_required
def edit_scheme(scheme_id: int):
    return _save_scheme_view(get_or_404(Scheme, scheme_id))


def _save_pathway_view(scheme: Scheme, pathway: Pathway | None):
    form = PathwayForm()
    if not form.is_submitted():
        if pathway is not None:
            form.process(obj=pathway)
            form.fee.data = pathway.fee_pence
            form.portfolio_sections.data = "\n".join(pathway.portfolio_sections or [])
        else:
            form.level.data = len(scheme.pathways) + 1
    return _save_then_redirect(
        form, lambda: services.save_pathway(
            current_user, scheme, pathway, name=form.name.data, fee_pence=form.fee.data,
            eligibility=form.eligibility.data or "", min_years=form.min_years.data,
            max_years=form.max_years.data, level=form.level.data, position=form.position.data,
            sections_text=form.portfolio_sections.data or ""),
        lambda saved: f"Saved the pathway “{saved.name}”.", lambda saved: url_for("rounds.schemes"),
        "rounds/pathway_form.html", scheme=scheme, pathway=pathway)


@bp.route("/schemes/<int:scheme_id>/pathways/new", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@lead_required
def new_pathway(scheme_id: int):
    return _save_pathway_view(get_or_404(Scheme, scheme_id), None)


@bp.route("/pathways/<int:pathway_id>/edit", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@lead_required
def edit_pathway(pathway_id: int):
    pathway = get_or_404(Pathway, pathway_id)
    return _save_pathway_view(pathway.scheme, pathway)
