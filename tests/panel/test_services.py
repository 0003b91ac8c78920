"""Panel services and moderation arithmetic on a real database."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.db_types import utcnow
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.panel import assigning, conflicts, deciding, queries, queue, ranking, reviewing, scoring, setting_up
from portal.panel.errors import FundingExceeded, PanelError
from portal.panel.models import Decision, Review, Score
from portal.proposals.models import Proposal, ProposalState
from portal.rounds.models import RoundState
from tests.factories import make_panel_proposal, make_user
from tests.panel.helpers import build_panel, score
from tests.query_counts import MOST_QUERIES, call_queries


def _row(table, proposal):
    return next(r for r in table.rows if r.proposal.id == proposal.id)


def test_weighted_totals_mean_median_spread_and_disagreement_by_hand(app):
    p = build_panel(members=3, proposals=1)
    a, b, c = p.members
    prop = p.proposals[0]
    # weights 3, 2, 1 counted; the fourth (weight 1) is recorded only.
    score(a, prop, p.criteria, [4, 4, 3, 1])  # (12 + 8 + 3) / 30 = 76.67
    score(b, prop, p.criteria, [2, 4, 4, 5])  # (6 + 8 + 4) / 30 = 60.00
    score(c, prop, p.criteria, [4, 5, 4, 3])  # (12 + 10 + 4) / 30 = 86.67

    row = _row(ranking.moderation(p.round), prop)
    assert [round(col.total, 2) for col in row.reviewers] == [76.67, 60.0, 86.67]
    assert round(row.aggregate, 2) == 74.44  # (76.67 + 60 + 86.67) / 3
    assert round(row.sd, 2) == 11.0          # population standard deviation
    # Clarity 4/2/4 differ by 2; extra support 1/5/3 by 4; pathway fit 4/4/5 and impact 3/4/4 by 1 only.
    assert [crit.name for crit in row.disagreement] == ["Clarity of the role", "Would need extra support"]
    assert row.missing == []

    settings = setting_up.ensure_settings(p.round)
    settings.aggregate = settings.aggregate.__class__("median")
    db.session.commit()
    assert round(_row(ranking.moderation(p.round), prop).aggregate, 2) == 76.67


def test_ranking_orders_by_total_and_puts_unscored_last(app):
    p = build_panel(members=2, proposals=3)
    first, second, unscored = p.proposals
    for member in p.members:
        score(member, first, p.criteria, [3, 3, 3, 3])
        score(member, second, p.criteria, [5, 5, 5, 5])
    table = ranking.moderation(p.round)
    assert [(r.rank, r.proposal.id) for r in table.rows] == [(1, second.id), (2, first.id), (None, unscored.id)]
    assert round(table.rows[0].aggregate, 1) == 100.0 and round(table.rows[1].aggregate, 1) == 60.0
    assert {m.name for m in table.rows[2].missing} == {"Member A", "Member B"}


def test_a_conflict_declared_after_scoring_removes_that_score_from_every_total(app):
    p = build_panel(members=3, proposals=1)
    a, b, c = p.members
    prop = p.proposals[0]
    score(a, prop, p.criteria, [5, 5, 5, 5])
    score(b, prop, p.criteria, [3, 3, 3, 3])
    score(c, prop, p.criteria, [1, 1, 1, 1])
    assigning.declare_conflict(c, prop, "My close collaborator")
    db.session.commit()

    row = _row(ranking.moderation(p.round), prop)
    assert [col.reviewer.name for col in row.reviewers] == ["Member A", "Member B"]
    assert round(row.aggregate, 2) == 80.0  # (100 + 60) / 2; C's 20 is gone
    assert row.disagreement == [p.criteria[0], p.criteria[1], p.criteria[2], p.criteria[3]]  # 5 vs 3 on each
    assert not queries.is_assigned(prop.id, c.id)
    assert queue.queue_for(p.round, c, queries.settings_for(p.round)).items == []
    assert queue.other_reviews(prop, a, queries.settings_for(p.round))[0][0] == b  # C is not among the others
    with pytest.raises(PanelError, match="conflict of interest"):
        reviewing.record_review(c, prop, {crit.id: 5 for crit in p.criteria}, "")


def test_automatic_conflicts_own_line_manager_and_department(app):
    p = build_panel(members=2, proposals=0, assign=False)
    a, b = p.members
    own = make_panel_proposal(p.round, user=a)
    managed = make_panel_proposal(p.round, user=make_user(name="Reports to A", line_manager_id=a.id,
                                                           department="Elsewhere"))
    named = make_panel_proposal(p.round, line_manager_email=b.email.upper(), department="Elsewhere")
    same_dept = make_panel_proposal(p.round, department=b.department)
    clear = make_panel_proposal(p.round, department="Elsewhere")
    settings = queries.settings_for(p.round)
    found = conflicts.conflict_map(p.round, queries.proposals(p.round.id), p.members, settings)
    assert found[(a.id, own.id)] == ("automatic", "This is your own proposal.")
    assert found[(a.id, managed.id)] == ("automatic", "You are the applicant's line manager.")
    assert found[(b.id, named.id)] == ("automatic", "You are named as the applicant's line manager.")
    assert found[(b.id, same_dept.id)] == ("automatic", "The applicant is in your department.")
    assert (a.id, clear.id) not in found and (b.id, clear.id) not in found

    setting_up.update_settings(p.lead, p.round, aggregate="mean", reviewers_per_proposal=None,
                             same_department_conflict=False, scoring_deadline=None, offer_days=14)
    db.session.commit()
    found = conflicts.conflict_map(p.round, queries.proposals(p.round.id), p.members, queries.settings_for(p.round))
    assert (b.id, same_dept.id) not in found

    assigning.assign(p.lead, p.round)
    db.session.commit()
    assigned = queries.assignments(p.round.id)
    assert (a.id, own.id) not in assigned and (a.id, managed.id) not in assigned and (b.id, named.id) not in assigned
    assert (a.id, clear.id) in assigned and (b.id, clear.id) in assigned
    with pytest.raises(PanelError, match="conflict of interest"):
        assigning.toggle_assignment(p.lead, own, a)


def test_n_reviewers_per_proposal_are_balanced_and_skip_conflicts(app):
    p = build_panel(members=4, proposals=6, per_proposal=2)
    a = p.members[0]
    assigning.declare_conflict(a, p.proposals[0], "")
    assigning.assign(p.lead, p.round)
    db.session.commit()
    assigned = queries.assignments(p.round.id)
    per_proposal = {prop.id: sum(1 for _, pid in assigned if pid == prop.id) for prop in p.proposals}
    per_member = {m.id: sum(1 for uid, _ in assigned if uid == m.id) for m in p.members}
    assert set(per_proposal.values()) == {2}
    assert sorted(per_member.values()) == [3, 3, 3, 3]
    assert (a.id, p.proposals[0].id) not in assigned


def test_rubric_is_fixed_from_the_first_score(app):
    p = build_panel(members=1, proposals=1)
    setting_up.save_criterion(p.lead, p.round, p.criteria[0], name="Clarity", description="", weight=4,
                            counted_in_total=True, labels=[])
    score(p.members[0], p.proposals[0], p.criteria, [3, None, None, None])
    with pytest.raises(PanelError, match="fixed once the first score"):
        setting_up.save_criterion(p.lead, p.round, None, name="New", description="", weight=1,
                                counted_in_total=True, labels=[])
    with pytest.raises(PanelError, match="fixed once the first score"):
        setting_up.delete_criterion(p.lead, p.round, p.criteria[1])


def test_partial_scores_are_not_submitted_and_count_as_missing(app):
    p = build_panel(members=2, proposals=1)
    a, b = p.members
    review = score(a, p.proposals[0], p.criteria, [4, None, 2, None])
    assert review.submitted_at is None
    row = ranking.moderation(p.round).rows[0]
    assert row.aggregate is None and [m.name for m in row.missing] == ["Member A", "Member B"]
    review = score(a, p.proposals[0], p.criteria, [4, 3, 2, 1])
    assert review.submitted_at is not None
    assert db.session.scalar(select(func.count(Score.id)).where(Score.reviewer_id == a.id)) == 4


def test_abstaining_is_neither_a_conflict_nor_missing(app):
    p = build_panel(members=2, proposals=1)
    a, b = p.members
    score(a, p.proposals[0], p.criteria, [5, 5, 5, 5])
    reviewing.abstain(b, p.proposals[0], "I co-taught with them last year")
    db.session.commit()
    row = ranking.moderation(p.round).rows[0]
    assert row.missing == []
    assert round(row.aggregate, 1) == 100.0
    abstained = row.by_member[b.id]
    assert abstained.abstained and abstained.abstain_reason == "I co-taught with them last year"
    with pytest.raises(PanelError, match="Say briefly why"):
        reviewing.abstain(a, p.proposals[0], "  ")


def test_scores_change_until_scoring_closes_and_never_after_release(app):
    p = build_panel(members=1, proposals=1)
    a, prop = p.members[0], p.proposals[0]
    score(a, prop, p.criteria, [2, 2, 2, 2])
    score(a, prop, p.criteria, [3, 3, 3, 3])
    assert set(queries.values_of_proposal(prop.id)[a.id].values()) == {3}
    reviewing.close_scoring(p.lead, p.round)
    db.session.commit()
    with pytest.raises(PanelError, match="Scoring is closed"):
        reviewing.record_review(a, prop, {c.id: 5 for c in p.criteria}, "")
    reviewing.reopen_scoring(p.lead, p.round)
    deciding.decide(p.lead, prop, outcome="selected", feedback="Well argued.")
    deciding.release(p.lead, p.round, override_open_scoring=True)
    db.session.commit()
    with pytest.raises(PanelError, match="released"):
        reviewing.record_review(a, prop, {c.id: 5 for c in p.criteria}, "")
    with pytest.raises(PanelError, match="released"):
        reviewing.reopen_scoring(p.lead, p.round)
    assert set(queries.values_of_proposal(prop.id)[a.id].values()) == {3}


def test_places_and_budget_arithmetic_and_confirmation_before_going_over(app):
    # Two places and £300: CMALT £165 + Associate £110 = £275 leaves £25 and no places.
    p = build_panel(members=1, proposals=0, assign=False, funded_places=2, budget_pence=30000)
    cmalt = make_panel_proposal(p.round, level=2)
    associate = make_panel_proposal(p.round, level=1)
    senior = make_panel_proposal(p.round, level=3)
    deciding.decide(p.lead, cmalt, outcome="selected", feedback="")
    deciding.decide(p.lead, associate, outcome="selected", feedback="")
    db.session.commit()
    funding = ranking.moderation(p.round).funding
    assert (funding.places_used, funding.places_left, funding.budget_used, funding.budget_left) == (2, 0, 27500, 2500)

    with pytest.raises(FundingExceeded) as refused:
        deciding.decide(p.lead, senior, outcome="selected", feedback="")
    assert refused.value.message == ("Selecting this proposal goes over the funding: all 2 funded places are already "
                                     "taken and the fee would take the budget £240 over. Tick the confirmation to "
                                     "select it anyway.")
    db.session.rollback()
    assert queries.decision_for(senior.id) is None
    # Re-deciding an already selected proposal does not count it twice.
    deciding.decide(p.lead, cmalt, outcome="selected", feedback="Changed feedback")
    deciding.decide(p.lead, senior, outcome="selected", feedback="", confirm=True)
    db.session.commit()
    funding = ranking.moderation(p.round).funding
    assert (funding.places_used, funding.places_left, funding.budget_used, funding.budget_left) == (3, -1, 54000, -24000)
    deciding.decide(p.lead, senior, outcome="not_selected", feedback="")
    db.session.commit()
    assert ranking.moderation(p.round).funding.budget_left == 2500
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "panel.decided")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.actor_id == p.lead.id and event.object_id == senior.id and event.at is not None


def test_budget_only_round_counts_pathway_fees(app):
    p = build_panel(members=1, proposals=0, assign=False, budget_pence=30000)
    senior = make_panel_proposal(p.round, level=3)
    associate = make_panel_proposal(p.round, level=1)
    deciding.decide(p.lead, senior, outcome="selected", feedback="")
    with pytest.raises(FundingExceeded, match="£75 over"):
        deciding.decide(p.lead, associate, outcome="selected", feedback="")


def test_release_sends_each_outcome_with_feedback_and_sets_states(app):
    p = build_panel(members=1, proposals=3)
    chosen, waiting, refused = p.proposals
    deciding.decide(p.lead, chosen, outcome="selected", feedback="A clear, specific proposal.")
    deciding.decide(p.lead, waiting, outcome="waitlisted", feedback="Close to the line.")
    with pytest.raises(PanelError, match="1 proposal\\(s\\) still need a decision"):
        deciding.release(p.lead, p.round, override_open_scoring=True)
    deciding.decide(p.lead, refused, outcome="not_selected", feedback="Say more about your role.")
    assert deciding.release(p.lead, p.round, override_open_scoring=True) == 3
    db.session.commit()
    assert [x.state for x in p.proposals] == [ProposalState.SELECTED, ProposalState.WAITLISTED,
                                              ProposalState.NOT_SELECTED]
    assert p.round.state == RoundState.DECIDED
    mail = {m.recipient: m for m in db.session.scalars(select(OutboxMessage))}
    assert "offered a funded place" in mail[chosen.applicant.email].body
    assert "A clear, specific proposal." in mail[chosen.applicant.email].body
    assert "waiting list (position 1)" in mail[waiting.applicant.email].body
    assert "Say more about your role." in mail[refused.applicant.email].body
    assert f"/panel/outcome/{refused.id}" in mail[refused.applicant.email].body
    with pytest.raises(PanelError, match="already been released"):
        deciding.release(p.lead, p.round, override_open_scoring=True)
    with pytest.raises(PanelError, match="released"):
        deciding.decide(p.lead, refused, outcome="selected", feedback="")


def test_decline_promotes_the_first_waitlisted_with_an_offer_and_accept_by_date(app):
    p = build_panel(members=1, proposals=4)
    chosen, second_in_line, first_in_line, refused = p.proposals
    deciding.decide(p.lead, chosen, outcome="selected", feedback="")
    deciding.decide(p.lead, second_in_line, outcome="waitlisted", feedback="", waitlist_position=2)
    deciding.decide(p.lead, first_in_line, outcome="waitlisted", feedback="", waitlist_position=1)
    deciding.decide(p.lead, refused, outcome="not_selected", feedback="")
    deciding.release(p.lead, p.round, override_open_scoring=True)
    db.session.commit()
    before = utcnow()

    promoted = deciding.decline_place(chosen.applicant, chosen)
    db.session.commit()
    assert chosen.state == ProposalState.DECLINED
    assert promoted.proposal_id == first_in_line.id
    assert first_in_line.state == ProposalState.SELECTED and second_in_line.state == ProposalState.WAITLISTED
    assert before + timedelta(days=14) <= promoted.accept_by <= utcnow() + timedelta(days=14)
    offer = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "panel.offer")).one()
    assert offer.recipient == first_in_line.applicant.email
    assert "accept or decline it by" in offer.body and f"/panel/outcome/{first_in_line.id}" in offer.body
    funding = ranking.moderation(p.round).funding
    assert funding.places_used == 1

    with pytest.raises(PanelError, match="no place waiting"):
        deciding.decline_place(chosen.applicant, chosen)
    deciding.accept_place(first_in_line.applicant, first_in_line)
    db.session.commit()
    assert queries.decision_for(first_in_line.id).accepted_at is not None


def test_reminders_go_only_to_members_with_missing_scores(app):
    p = build_panel(members=3, proposals=2)
    a, b, c = p.members
    settings = setting_up.ensure_settings(p.round)
    settings.scoring_deadline = utcnow().replace(year=2031, month=1, day=15, hour=12, minute=0, second=0,
                                                 microsecond=0)
    for prop in p.proposals:
        score(a, prop, p.criteria, [3, 3, 3, 3])
    score(b, p.proposals[0], p.criteria, [3, 3, 3, 3])
    reviewing.abstain(c, p.proposals[0], "Reason")
    assert reviewing.send_reminders(p.lead, p.round) == 2
    db.session.commit()
    mail = {m.recipient: m for m in db.session.scalars(select(OutboxMessage))}
    assert set(mail) == {b.email, c.email}
    assert mail[b.email].subject.endswith("1 proposal is waiting for your scores")
    assert "by Wed 15 Jan 2031, 12:00 GMT" in mail[b.email].body


def test_two_members_saving_at_once_keep_both_scores(app):
    p = build_panel(members=2, proposals=1)
    ids = [(m.id, p.proposals[0].id) for m in p.members]
    criteria_ids = [c.id for c in p.criteria]
    barrier = threading.Barrier(2)
    errors = []

    def save(member_id, proposal_id, value):
        with app.app_context():
            try:
                member = db.session.get(User, member_id)
                proposal = db.session.get(Proposal, proposal_id)
                barrier.wait(timeout=10)
                reviewing.record_review(member, proposal, {cid: value for cid in criteria_ids}, f"by {member.name}")
                db.session.commit()
            except Exception as exc:  # noqa: BLE001  reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=save, args=(*ids[0], 2)), threading.Thread(target=save, args=(*ids[1], 5))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    db.session.expire_all()
    reviews = {r.reviewer_id: r for r in db.session.scalars(select(Review))}
    assert {r.comment for r in reviews.values()} == {"by Member A", "by Member B"}
    values = {(s.reviewer_id, s.value) for s in db.session.scalars(select(Score))}
    assert values == {(ids[0][0], 2), (ids[1][0], 5)}
    assert db.session.scalar(select(func.count(Score.id))) == 8


def test_moderation_table_query_count_does_not_grow_with_proposals(app):
    small = build_panel(members=3, proposals=2)
    large = build_panel(members=3, proposals=12)
    for p in (small, large):
        for prop in p.proposals:
            for member in p.members:
                score(member, prop, p.criteria, [3, 4, 2, 5])
        deciding.decide(p.lead, p.proposals[0], outcome="selected", feedback="")
        db.session.commit()
    db.session.expire_all()
    few = call_queries(lambda: ranking.moderation(small.round))
    db.session.expire_all()
    many = call_queries(lambda: ranking.moderation(large.round))
    assert few == many
    assert many <= MOST_QUERIES


def _an_offer_from_the_waitlist():
    """Outcomes released, the one selected applicant declined, so the first on the waitlist has an offer.
    Returns the panel, that first proposal, the second still waiting, and the offer."""
    p = build_panel(members=1, proposals=3)
    chosen, first, second = p.proposals
    deciding.decide(p.lead, chosen, outcome="selected", feedback="")
    deciding.decide(p.lead, first, outcome="waitlisted", feedback="")
    deciding.decide(p.lead, second, outcome="waitlisted", feedback="")
    deciding.release(p.lead, p.round, override_open_scoring=True)
    deciding.decline_place(chosen.applicant, chosen)
    db.session.commit()
    return p, first, second, queries.decision_for(first.id)


def test_an_offer_not_accepted_in_time_lapses_and_passes_down_the_waitlist(app):
    p, first, second, offer = _an_offer_from_the_waitlist()
    assert deciding.lapse_offers(p.lead, p.round, now=offer.accept_by - timedelta(minutes=1)) == 0
    assert deciding.lapse_offers(p.lead, p.round, now=offer.accept_by + timedelta(minutes=1)) == 1
    db.session.commit()
    assert first.state == ProposalState.DECLINED and second.state == ProposalState.SELECTED
    offers = [m.recipient for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "panel.offer")
                                                      .order_by(OutboxMessage.id))]
    assert offers == [first.applicant.email, second.applicant.email]
    assert ranking.moderation(p.round).funding.places_used == 1


def test_a_review_keeps_its_weighted_total_in_step_with_its_scores(app):
    p = build_panel(members=1, proposals=1)
    member, prop = p.members[0], p.proposals[0]
    weights = scoring.weights_of(p.criteria)
    review = score(member, prop, p.criteria, [4, 4, 3, 1])
    assert review.total == pytest.approx(scoring.weighted_total(
        {c.id: v for c, v in zip(p.criteria, [4, 4, 3, 1])}, weights)) == pytest.approx(230 / 3)
    review = score(member, prop, p.criteria, [5, 5, 5, 1])
    assert review.total == pytest.approx(100.0)  # the recorded-only criterion does not count
    review = score(member, prop, p.criteria, [5, None, 5, 1])
    assert review.total is None  # incomplete: no total
    score(member, prop, p.criteria, [2, 2, 2, 2])
    review = reviewing.abstain(member, prop, "Worked with them")
    db.session.commit()
    assert review.total is None


def test_the_migration_backfills_the_totals_of_complete_reviews(app):
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0004_review_totals.py"
    spec = importlib.util.spec_from_file_location("migration_0004", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    p = build_panel(members=3, proposals=1)
    a, b, c = p.members
    prop = p.proposals[0]
    score(a, prop, p.criteria, [4, 4, 3, 1])
    score(b, prop, p.criteria, [4, None, 3, 1])
    score(c, prop, p.criteria, [2, 2, 2, 2])
    reviewing.abstain(c, prop, "Worked with them")
    db.session.commit()
    expected = {r.reviewer_id: r.total for r in db.session.scalars(select(Review))}
    db.session.execute(Review.__table__.update().values(total=None))
    db.session.execute(migration.BACKFILL.bindparams(counted=True, not_abstained=False))
    db.session.commit()
    db.session.expire_all()
    found = {r.reviewer_id: r.total for r in db.session.scalars(select(Review))}
    assert found[a.id] == pytest.approx(expected[a.id]) == pytest.approx(230 / 3)
    assert found[b.id] is None and found[c.id] is None


def test_the_scheduled_job_lapses_due_offers_in_every_released_round(app):
    from flask import current_app
    _p, first, second, offer = _an_offer_from_the_waitlist()
    unreleased = build_panel(members=1, proposals=1)
    deciding.decide(unreleased.lead, unreleased.proposals[0], outcome="selected", feedback="")
    db.session.commit()
    assert deciding.lapse_due_offers(now=offer.accept_by - timedelta(minutes=1)) == 0
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "panel.offers_lapsed")) == 0
    db.session.commit()
    # Through the real command, once the accept-by date has passed.
    db.session.execute(
        Decision.__table__.update().where(Decision.id == offer.id)
        .values(accept_by=utcnow() - timedelta(hours=1)))
    db.session.commit()
    result = current_app.test_cli_runner().invoke(args=["panel", "lapse-offers"])
    assert result.exit_code == 0 and "1 unanswered offer(s) lapsed" in result.output, result.output
    db.session.expire_all()
    assert db.session.get(type(first), first.id).state == ProposalState.DECLINED
    assert db.session.get(type(second), second.id).state == ProposalState.SELECTED
    assert unreleased.proposals[0].state != ProposalState.DECLINED
