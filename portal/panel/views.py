"""Panel pages: lead set-up and moderation, member conflicts and scoring, the applicant's outcome."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from portal.audit.services import record
from portal.auth.models import Role, User
from portal.extensions import db
from portal.panel import forms, queries, rules, services
from portal.panel.models import Criterion
from portal.proposals.models import Proposal
from portal.rounds.models import Round
from portal.timeutil import local_to_utc, to_local
from portal.auth.access import lead_required, roles_required
from portal.web.authz import get_or_404
from portal.web.csrf import keeps_input_on_csrf_failure
from portal.web.csv import csv_response
from portal.web.htmx import render, wants_fragment
from portal.web.pagination import paginate_list

bp = Blueprint("panel", __name__, url_prefix="/panel")

panel_required = roles_required(Role.PANEL)


# ---------------------------------------------------------------- loading helpers

def _member_round(round_id: int) -> Round:
    """A round whose panel the signed-in person sits on (404 otherwise: panels are private)."""
    round_ = get_or_404(Round, round_id)
    if not queries.is_member(round_.id, current_user.id):
        abort(404)
    return round_


def _reviewable(proposal_id: int) -> tuple[Proposal, object, queries.Queue]:
    """A proposal the signed-in member may review (on its panel, assigned, not conflicted), the round's
    panel settings and the member's queue.

    Anything else is 404, so a conflicted member learns nothing from the URL.
    """
    proposal = queries.proposal_with_applicant(proposal_id)
    if proposal is None or proposal.state not in queries.REVIEWABLE \
            or not queries.is_member(proposal.round_id, current_user.id):
        abort(404)
    settings = queries.settings_for(proposal.round)
    queue_ = queries.queue_for(proposal.round, current_user, settings)
    if not queue_.holds(proposal.id):
        abort(404)
    return proposal, settings, queue_


def _back(default: str):
    return redirect(default, 303)


# ---------------------------------------------------------------- index

@bp.route("/")
@panel_required
def index():
    rounds = queries.rounds_for(current_user)
    member_of = {r.id for r in rounds if queries.is_member(r.id, current_user.id)}
    return render("panel/index.html", rounds=rounds, member_of=member_of)


# ---------------------------------------------------------------- set-up (lead)

def _settings_form(settings) -> forms.SettingsForm:
    form = forms.SettingsForm(data={
        "aggregate": settings.aggregate.value, "reviewers_per_proposal": settings.reviewers_per_proposal,
        "same_department_conflict": settings.same_department_conflict,
        "scoring_deadline": to_local(settings.scoring_deadline).replace(tzinfo=None) if settings.scoring_deadline else None,
        "offer_days": settings.offer_days})
    return form


def _members_form(round_: Round, data=None) -> forms.MembersForm:
    form = forms.MembersForm(formdata=data, data={"members": [u.id for u in queries.members(round_.id)]})
    form.members.choices = [(u.id, f"{u.name} ({u.department or 'no department'})") for u in queries.panel_candidates()]
    return form


def _setup_page(round_: Round, settings_form=None, members_form=None, criterion_form=None, status: int = 200):
    settings = queries.settings_for(round_)
    return render("panel/setup.html", round=round_, settings=settings,
                  settings_form=settings_form or _settings_form(settings),
                  members_form=members_form or _members_form(round_),
                  criterion_form=criterion_form or forms.CriterionForm(formdata=None),
                  criteria=queries.criteria(round_.id), members=queries.members(round_.id),
                  editable=rules.is_rubric_editable(queries.score_count(round_.id), settings),
                  button=forms.ButtonForm(), http_status=status)


@bp.route("/rounds/<int:round_id>/setup")
@lead_required
def setup(round_id: int):
    return _setup_page(get_or_404(Round, round_id))


@bp.route("/rounds/<int:round_id>/settings", methods=["POST"])
@keeps_input_on_csrf_failure
@lead_required
def save_settings(round_id: int):
    round_ = get_or_404(Round, round_id)
    form = forms.SettingsForm()
    if form.validate_on_submit():
        deadline = local_to_utc(form.scoring_deadline.data) if form.scoring_deadline.data else None
        try:
            services.update_settings(current_user, round_, aggregate=form.aggregate.data,
                                     reviewers_per_proposal=form.reviewers_per_proposal.data,
                                     same_department_conflict=form.same_department_conflict.data,
                                     scoring_deadline=deadline, offer_days=form.offer_days.data)
        except services.PanelError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            db.session.commit()
            flash("Panel settings saved.", "success")
            return _back(url_for("panel.setup", round_id=round_.id))
    return _setup_page(round_, settings_form=form, status=422)


def _field_error(form, exc: services.PanelError) -> None:
    if exc.field and exc.field in form:
        form[exc.field].errors = list(form[exc.field].errors) + [exc.message]
    else:
        flash(exc.message, "error")


@bp.route("/rounds/<int:round_id>/members", methods=["POST"])
@lead_required
def save_members(round_id: int):
    round_ = get_or_404(Round, round_id)
    form = _members_form(round_, data=request.form)
    if form.validate_on_submit():
        try:
            services.set_members(current_user, round_, set(form.members.data or []))
        except services.PanelError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            db.session.commit()
            flash("Panel members saved.", "success")
            return _back(url_for("panel.setup", round_id=round_.id))
    return _setup_page(round_, members_form=form, status=422)


@bp.route("/rounds/<int:round_id>/criteria", methods=["POST"])
@keeps_input_on_csrf_failure
@lead_required
def add_criterion(round_id: int):
    round_ = get_or_404(Round, round_id)
    form = forms.CriterionForm()
    if form.validate_on_submit():
        try:
            services.save_criterion(current_user, round_, None, name=form.name.data, description=form.description.data,
                                    weight=form.weight.data, counted_in_total=form.counted_in_total.data,
                                    labels=form.labels())
        except services.PanelError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            db.session.commit()
            flash(f"Criterion “{form.name.data}” added.", "success")
            return _back(url_for("panel.setup", round_id=round_.id))
    return _setup_page(round_, criterion_form=form, status=422)


@bp.route("/criteria/<int:criterion_id>", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@lead_required
def edit_criterion(criterion_id: int):
    criterion = get_or_404(Criterion, criterion_id)
    round_ = get_or_404(Round, criterion.round_id)
    labels = list(criterion.labels or []) + [""] * 5
    form = forms.CriterionForm(obj=criterion, data={f"label_{i + 1}": labels[i] for i in range(5)})
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.save_criterion(current_user, round_, criterion, name=form.name.data,
                                        description=form.description.data, weight=form.weight.data,
                                        counted_in_total=form.counted_in_total.data, labels=form.labels())
            except services.PanelError as exc:
                db.session.rollback()
                _field_error(form, exc)
            else:
                db.session.commit()
                flash(f"Criterion “{criterion.name}” saved.", "success")
                return _back(url_for("panel.setup", round_id=round_.id))
        status = 422
    return render("panel/criterion.html", round=round_, criterion=criterion, form=form, http_status=status)


@bp.route("/criteria/<int:criterion_id>/delete", methods=["POST"])
@lead_required
def delete_criterion(criterion_id: int):
    criterion = get_or_404(Criterion, criterion_id)
    round_ = get_or_404(Round, criterion.round_id)
    if forms.ButtonForm().validate_on_submit():
        try:
            services.delete_criterion(current_user, round_, criterion)
        except services.PanelError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash("Criterion removed.", "success")
    return _back(url_for("panel.setup", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/assign", methods=["POST"])
@lead_required
def assign(round_id: int):
    round_ = get_or_404(Round, round_id)
    if forms.ButtonForm().validate_on_submit():
        try:
            made = services.assign(current_user, round_)
        except services.PanelError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(f"{made} assignments made, conflicts excluded.", "success")
    return _back(url_for("panel.assignments", round_id=round_.id))


def _assignment_context(round_: Round):
    settings = queries.settings_for(round_)
    people = queries.members(round_.id)
    props = queries.proposals(round_.id)
    return dict(round=round_, members=people, proposals=props, assigned=queries.assignments(round_.id),
                conflicts=queries.conflict_map(round_, props, people, settings), button=forms.ButtonForm())


@bp.route("/rounds/<int:round_id>/assignments")
@lead_required
def assignments(round_id: int):
    round_ = get_or_404(Round, round_id)
    return render("panel/assignments.html", **_assignment_context(round_))


@bp.route("/proposals/<int:proposal_id>/assign/<int:user_id>", methods=["POST"])
@lead_required
def toggle_assignment(proposal_id: int, user_id: int):
    proposal = get_or_404(Proposal, proposal_id)
    person = get_or_404(User, user_id)
    message, error = "", False
    if forms.ButtonForm().validate_on_submit():
        try:
            now = services.toggle_assignment(current_user, proposal, person)
        except services.PanelError as exc:
            db.session.rollback()
            message, error = exc.message, True
        else:
            db.session.commit()
            message = f"{person.name} {'now reviews' if now else 'no longer reviews'} {proposal.applicant.name}’s proposal."
    else:
        message, error = "That change could not be made; reload the page and try again.", True
    if wants_fragment(f"panel-assign-{proposal.id}"):
        ctx = _assignment_context(proposal.round)
        return render("panel/assignments.html", "panel/_assignment_row.html", f"panel-assign-{proposal.id}",
                      proposal=proposal, row_message=message, row_error=error, **ctx)
    flash(message, "error" if error else "success")
    return _back(url_for("panel.assignments", round_id=proposal.round_id))


# ---------------------------------------------------------------- conflicts (member)

@bp.route("/rounds/<int:round_id>/conflicts")
@panel_required
def conflicts(round_id: int):
    round_ = _member_round(round_id)
    settings = queries.settings_for(round_)
    props = queries.proposals(round_.id)
    found = queries.conflict_map(round_, props, [current_user], settings)
    return render("panel/conflicts.html", round=round_, proposals=props,
                  conflicts={pid: v for (uid, pid), v in found.items() if uid == current_user.id},
                  form=forms.ConflictForm(formdata=None), button=forms.ButtonForm(),
                  open=rules.is_scoring_open(settings, round_), settings=settings)


@bp.route("/rounds/<int:round_id>/conflicts/<int:proposal_id>", methods=["POST"])
@panel_required
def declare_conflict(round_id: int, proposal_id: int):
    round_ = _member_round(round_id)
    proposal = get_or_404(Proposal, proposal_id)
    if proposal.round_id != round_.id or proposal.state not in queries.REVIEWABLE:
        abort(404)
    form = forms.ConflictForm()
    if form.validate_on_submit():
        try:
            services.declare_conflict(current_user, proposal, form.reason.data or "")
        except services.PanelError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(f"Conflict declared: {proposal.applicant.name}’s proposal is removed from your list.", "success")
    else:
        flash("The conflict could not be recorded; reload the page and try again.", "error")
    return _back(url_for("panel.conflicts", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/conflicts/<int:proposal_id>/withdraw", methods=["POST"])
@panel_required
def withdraw_conflict(round_id: int, proposal_id: int):
    round_ = _member_round(round_id)
    proposal = get_or_404(Proposal, proposal_id)
    if proposal.round_id != round_.id:
        abort(404)
    if forms.ButtonForm().validate_on_submit():
        try:
            services.withdraw_conflict(current_user, proposal)
        except services.PanelError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash("Declared conflict withdrawn. Ask the lead to assign the proposal to you if you should score it.",
                  "success")
    return _back(url_for("panel.conflicts", round_id=round_.id))


# ---------------------------------------------------------------- scoring (member)

@bp.route("/rounds/<int:round_id>/queue")
@panel_required
def queue(round_id: int):
    round_ = _member_round(round_id)
    settings = queries.settings_for(round_)
    queue_ = queries.queue_for(round_, current_user, settings)
    show = request.args.get("show") if request.args.get("show") in queries.QUEUE_FILTERS else "all"
    return render("panel/queue.html", "panel/_queue_table.html", "panel-queue-table", round=round_,
                  settings=settings, queue=queue_, show=show,
                  filters={name: label for name, (label, _) in queries.QUEUE_FILTERS.items()},
                  page=paginate_list(queue_.filtered(show)), open=rules.is_scoring_open(settings, round_))


def _score_context(proposal: Proposal, settings, form=None, message: str = "", error: bool = False,
                   queue: queries.Queue | None = None):
    """What the scoring page shows; pass the queue only if nothing changed since it was read."""
    crit = queries.criteria(proposal.round_id)
    reviews = queries.reviews_of_proposal(proposal.id)
    values = queries.values_of_proposal(proposal.id)
    review = reviews.get(current_user.id)
    if form is None:
        data = {f"criterion_{cid}": str(v) for cid, v in values.get(current_user.id, {}).items()}
        data["comment"] = review.comment if review else ""
        form = forms.score_form_class(crit)(formdata=None, data=data)
    unblinded = rules.can_see_other_scores(settings, proposal.round, review)
    # Blind scoring: the others' reviews reach the page only once the member may see them.
    others = queries.other_reviews(proposal, current_user, settings, reviews, values) if unblinded else []
    queue = queue or queries.queue_for(proposal.round, current_user, settings)
    return dict(proposal=proposal, round=proposal.round, settings=settings, criteria=crit, review=review, form=form,
                others=others, unblinded=unblinded, open=rules.is_scoring_open(settings, proposal.round),
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
        try:
            review = services.record_review(current_user, proposal, form.values(), form.comment.data or "")
        except services.PanelError as exc:
            db.session.rollback()
            _field_error_quiet(form, exc)
            return render("panel/score.html", "panel/_score_form.html", target, http_status=409,
                          **_score_context(proposal, settings, form=form, message=exc.message, error=True,
                                           queue=queue_))
        db.session.commit()
        message = ("Scores saved. You can now see the other panel members’ scores."
                   if review.submitted_at else "Scores saved; some criteria still need a score.")
        if wants_fragment(target):
            # The queue's progress sits outside the form; it comes along as an out-of-band swap.
            return render("panel/score.html", "panel/_score_form.html", target, oob=True,
                          **_score_context(proposal, settings, message=message))
        flash(message, "success")
        return _back(url_for("panel.score", proposal_id=proposal.id))
    return render("panel/score.html", "panel/_score_form.html", target, http_status=422,
                  **_score_context(proposal, settings, form=form, message="Check the scores below.", error=True,
                                   queue=queue_))


def _field_error_quiet(form, exc: services.PanelError) -> None:
    if exc.field and exc.field in form:
        form[exc.field].errors = list(form[exc.field].errors) + [exc.message]


@bp.route("/proposals/<int:proposal_id>/abstain", methods=["POST"])
@keeps_input_on_csrf_failure
@panel_required
def abstain(proposal_id: int):
    proposal, settings, queue_ = _reviewable(proposal_id)
    form = forms.AbstainForm()
    if form.validate_on_submit():
        try:
            services.abstain(current_user, proposal, form.reason.data)
        except services.PanelError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash("You have abstained on this proposal.", "success")
            return _back(url_for("panel.queue", round_id=proposal.round_id))
    ctx = _score_context(proposal, settings, queue=queue_)  # nothing was saved: the queue read above still holds
    ctx["abstain_form"] = form
    return render("panel/score.html", http_status=422, **ctx)


@bp.route("/rounds/<int:round_id>/my-scores.csv")
@panel_required
def my_scores_csv(round_id: int):
    round_ = _member_round(round_id)
    settings = queries.settings_for(round_)
    crit = queries.criteria(round_.id)
    queue_ = queries.queue_for(round_, current_user, settings)
    rows = [["Applicant", "Pathway", "Status", *[c.name for c in crit], "Comment"]]
    mine = queries.member_values(round_.id, current_user.id)
    comments = queries.member_comments(round_.id, current_user.id)
    for item in queue_.items:
        values = mine.get(item.proposal_id, {})
        rows.append([item.applicant_name, item.pathway_name or "", item.status, *[values.get(c.id, "") for c in crit],
                     comments.get(item.proposal_id, "")])
    return _csv(rows, f"my-scores-round-{round_.id}.csv", round_)


# ---------------------------------------------------------------- moderation (lead)

@bp.route("/rounds/<int:round_id>/moderation")
@lead_required
def moderation(round_id: int):
    round_ = get_or_404(Round, round_id)
    calibrated = request.args.get("view") == "calibrated"
    table = queries.moderation(round_, viewer=current_user, details=False)
    page = paginate_list(table.rows, per_page=MODERATION_PER_PAGE)
    queries.add_details(table, page.items, calibrate=calibrated)
    return render("panel/moderation.html", "panel/_ranked_table.html", "panel-ranked-table",
                  round=round_, table=table, page=page, calibrated=calibrated, button=forms.ButtonForm(),
                  open=rules.is_scoring_open(table.settings, round_))


# A page of the ranked table: enough to see the funding line, small enough to read and render quickly.
MODERATION_PER_PAGE = 25


@bp.route("/rounds/<int:round_id>/ranking.csv")
@lead_required
def ranking_csv(round_id: int):
    round_ = get_or_404(Round, round_id)
    table = queries.moderation(round_, viewer=current_user)
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
    return _csv(rows, f"ranking-round-{round_.id}.csv", round_)


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


def _csv(rows, filename: str, round_: Round) -> Response:
    """Download a table (first row is the header) as Excel-safe CSV, and audit the export."""
    record(current_user, "export.csv", round_, summary=f"Downloaded {filename}")
    db.session.commit()
    return csv_response(filename, rows[0], rows[1:])


def _round_action(round_id: int, action, ok: str):
    round_ = get_or_404(Round, round_id)
    if forms.ButtonForm().validate_on_submit():
        try:
            result = action(current_user, round_)
        except services.PanelError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(ok.format(result=result), "success")
    else:
        flash("That could not be done; reload the page and try again.", "error")
    return _back(url_for("panel.moderation", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/close-scoring", methods=["POST"])
@lead_required
def close_scoring(round_id: int):
    return _round_action(round_id, services.close_scoring,
                         "Scoring is closed. Panel members can now see each other’s scores.")


@bp.route("/rounds/<int:round_id>/reopen-scoring", methods=["POST"])
@lead_required
def reopen_scoring(round_id: int):
    return _round_action(round_id, services.reopen_scoring, "Scoring is open again.")


@bp.route("/rounds/<int:round_id>/remind", methods=["POST"])
@lead_required
def remind(round_id: int):
    return _round_action(round_id, services.send_reminders, "Reminders queued for {result} panel member(s).")


@bp.route("/rounds/<int:round_id>/release", methods=["POST"])
@lead_required
def release(round_id: int):
    return _round_action(round_id, services.release, "Outcomes released to {result} applicant(s).")


@bp.route("/rounds/<int:round_id>/lapse-offers", methods=["POST"])
@lead_required
def lapse_offers(round_id: int):
    return _round_action(round_id, services.lapse_offers,
                         "{result} unanswered offer(s) lapsed; each freed place was offered to the waitlist.")


def _decision_table(proposal: Proposal) -> tuple[queries.Moderation, queries.Row]:
    """The round's ranked table and the proposal's row in it, with its details.

    A lead who sits on the panel and is conflicted on the proposal leaves this decision to another
    lead: 404, as on every other URL that would show its scores.
    """
    table = queries.moderation(proposal.round, viewer=current_user, details=False)
    row = next((r for r in table.rows if r.proposal.id == proposal.id), None)
    if row is None or row.hidden:
        abort(404)
    queries.add_details(table, [row], calibrate=False)
    return table, row


def _decision_context(proposal: Proposal, form=None, message: str = "", error: bool = False, over: bool = False,
                      ranked: tuple[queries.Moderation, queries.Row] | None = None):
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
        try:
            decision = services.decide(current_user, proposal, outcome=form.outcome.data, feedback=form.feedback.data or "",
                                       waitlist_position=form.waitlist_position.data, confirm=form.confirm.data)
        except services.FundingExceeded as exc:
            db.session.rollback()
            return render("panel/decide.html", "panel/_decision.html", target, http_status=409,
                          **_decision_context(proposal, form=form, message=exc.message, error=True, over=True))
        except services.PanelError as exc:
            db.session.rollback()
            return render("panel/decide.html", "panel/_decision.html", target, http_status=409,
                          **_decision_context(proposal, form=form, message=exc.message, error=True))
        db.session.commit()
        message = f"Decision saved: {proposal.applicant.name} — {decision.outcome.label.lower()}."
        if wants_fragment(target):
            return render("panel/decide.html", "panel/_decision.html", target,
                          **_decision_context(proposal, message=message))
        flash(message, "success")
        return _back(url_for("panel.moderation", round_id=proposal.round_id))
    return render("panel/decide.html", "panel/_decision.html", target, http_status=422,
                  **_decision_context(proposal, form=form, message="Choose a decision.", error=True, ranked=ranked))


# ---------------------------------------------------------------- the applicant's outcome

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
    if forms.ButtonForm().validate_on_submit():
        try:
            if answer == "accept":
                services.accept_place(current_user, proposal)
            else:
                services.decline_place(current_user, proposal)
        except services.PanelError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash("Thank you: you have accepted your place." if answer == "accept"
                  else "You have declined your place. Thank you for letting us know.", "success")
    return _back(url_for("panel.outcome", proposal_id=proposal.id))
