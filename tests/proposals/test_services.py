"""Proposal services: submitting to the second, the intro prerequisite, one per round, versions, withdrawal."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.proposals import services
from portal.proposals.models import PendingDraft, ProposalState, ProposalVersion
from portal.rounds.models import RoundState
from portal.timeutil import local_to_utc
from tests.factories import make_proposal, make_round, make_user

UTC = timezone.utc


def codes(exc) -> list[str]:
    return [p.code for p in exc.value.problems]


# Closing at 12:00 London time on a summer (BST, UTC+1) and a winter (GMT) Wednesday, and on the
# Sundays the clocks change (spring forward at 01:00 GMT; fall back at 02:00 BST).
DEADLINES = [
    ("summer", datetime(2026, 6, 17, 12, 0), datetime(2026, 6, 17, 11, 0, tzinfo=UTC)),
    ("winter", datetime(2026, 1, 14, 12, 0), datetime(2026, 1, 14, 12, 0, tzinfo=UTC)),
    ("clocks forward day", datetime(2026, 3, 29, 12, 0), datetime(2026, 3, 29, 11, 0, tzinfo=UTC)),
    ("clocks back day", datetime(2026, 10, 25, 12, 0), datetime(2026, 10, 25, 12, 0, tzinfo=UTC)),
    ("just after clocks go back (first 01:30)", datetime(2026, 10, 25, 1, 30), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
]


@pytest.mark.parametrize("label, wall, expected_utc", DEADLINES, ids=[d[0] for d in DEADLINES])
def test_deadline_is_enforced_to_the_second_in_the_rounds_zone(app, label, wall, expected_utc):
    closes_at = local_to_utc(wall)
    assert closes_at == expected_utc
    round_ = make_round(opens_at=closes_at - timedelta(days=30), closes_at=closes_at)
    early, late = make_proposal(round_), make_proposal(round_)

    services.submit_proposal(early.applicant, early, now=closes_at - timedelta(seconds=1))
    db.session.commit()
    assert early.state == ProposalState.SUBMITTED

    with pytest.raises(services.ProposalError) as refused:
        services.submit_proposal(late.applicant, late, now=closes_at + timedelta(seconds=1))
    assert codes(refused) == ["closed"]
    assert "This round has closed" in refused.value.message
    with pytest.raises(services.ProposalError):
        services.submit_proposal(late.applicant, late, now=closes_at)  # closing time itself is closed
    db.session.rollback()
    assert late.state == ProposalState.DRAFT


def test_a_round_the_lead_closed_early_refuses_submissions(app):
    round_ = make_round(state=RoundState.CLOSED)
    proposal = make_proposal(round_)
    with pytest.raises(services.ProposalError) as refused:
        services.submit_proposal(proposal.applicant, proposal)
    assert codes(refused) == ["closed"]


def test_submitting_keeps_version_one_audits_and_emails_a_copy(app):
    proposal = make_proposal(motivation="Because of the Moodle migration.")
    services.submit_proposal(proposal.applicant, proposal)
    db.session.commit()
    assert proposal.version == 1
    versions = db.session.scalars(select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)).all()
    assert [(v.version, v.answers["motivation"]) for v in versions] == [(1, "Because of the Moodle migration.")]
    mail = db.session.scalars(select(OutboxMessage)).one()
    assert mail.recipient == proposal.applicant.email
    assert mail.subject == f"We have received your proposal for {proposal.round.name}"
    assert "Motivation:\nBecause of the Moodle migration." in mail.body
    assert "Pathway:\nCMALT" in mail.body
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_id == proposal.id,
                                                             AuditEvent.action == "proposal.submitted"))


def test_missing_answers_and_word_limits_block_submission_with_every_reason(app):
    round_ = make_round(word_limits={"motivation": 5})
    proposal = make_proposal(round_, job_title="", consent=False, motivation="one two three four five six")
    with pytest.raises(services.ProposalError) as refused:
        services.submit_proposal(proposal.applicant, proposal)
    assert codes(refused) == ["missing:job_title", "missing:consent", "words:motivation"]
    assert "Motivation has 6 words; the limit is 5." in refused.value.message


def test_word_limit_exactly_met_is_accepted(app):
    round_ = make_round(word_limits={"motivation": 5})
    proposal = make_proposal(round_, motivation="one two three four five")
    services.submit_proposal(proposal.applicant, proposal)
    assert proposal.state == ProposalState.SUBMITTED


def test_only_one_submitted_proposal_per_person_per_round(app):
    person = make_user()
    round_ = make_round()
    make_proposal(round_, person, state=ProposalState.SUBMITTED)
    second = make_proposal(round_, person, state=ProposalState.DRAFT, active_slot=None)
    with pytest.raises(services.ProposalError) as refused:
        services.submit_proposal(person, second)
    assert codes(refused) == ["already_submitted"]


def test_start_returns_the_live_proposal_and_after_withdrawal_a_new_draft(app):
    person = make_user(job_title="Lecturer", department="Business School")
    round_ = make_round()
    draft = services.start_proposal(person, round_)
    db.session.commit()
    assert (draft.job_title, draft.department, draft.state) == ("Lecturer", "Business School", ProposalState.DRAFT)
    assert services.start_proposal(person, round_) is draft
    for name, value in {"role_summary": "x", "learning_technology": "y", "years_experience": 2,
                        "pathway_id": round_.pathways[0].id, "motivation": "z", "submission_window": "May",
                        "line_manager_name": "M", "line_manager_email": "m@example.ac.uk",
                        "line_manager_supports": True, "consent": True}.items():
        setattr(draft, name, value)
    services.submit_proposal(person, draft)
    services.withdraw_proposal(person, draft)
    db.session.commit()
    again = services.start_proposal(person, round_)
    db.session.commit()
    assert again.id != draft.id and again.state == ProposalState.DRAFT


def test_start_is_refused_when_the_round_is_closed(app):
    round_ = make_round(closes_at=datetime.now(UTC) - timedelta(seconds=1))
    with pytest.raises(services.ProposalError):
        services.start_proposal(make_user(), round_)


def test_withdraw_until_decisions_then_refused(app):
    proposal = make_proposal(state=ProposalState.SUBMITTED)
    services.withdraw_proposal(proposal.applicant, proposal)
    db.session.commit()
    assert proposal.state == ProposalState.WITHDRAWN and proposal.withdrawn_at is not None
    assert proposal.active_slot is None
    assert db.session.scalars(select(OutboxMessage.subject)).all() == [
        f"You have withdrawn your proposal for {proposal.round.name}"]

    decided = make_proposal(make_round(state=RoundState.DECIDED), state=ProposalState.SUBMITTED)
    with pytest.raises(services.ProposalError):
        services.withdraw_proposal(decided.applicant, decided)
    someone_else = make_proposal(state=ProposalState.SUBMITTED)
    with pytest.raises(services.ProposalError):
        services.withdraw_proposal(make_user(), someone_else)


def test_editing_after_submission_keeps_versions_until_the_deadline(app):
    proposal = make_proposal()
    person = proposal.applicant
    services.submit_proposal(person, proposal)
    services.update_submitted(person, proposal, {"motivation": "A better reason."})
    db.session.commit()
    assert proposal.version == 2 and proposal.motivation == "A better reason."
    assert [v.answers["motivation"] for v in proposal.versions] == [
        "To have my practice recognised and to mentor others.", "A better reason."]
    after = proposal.round.closes_at + timedelta(seconds=1)
    with pytest.raises(services.ProposalError) as refused:
        services.update_submitted(person, proposal, {"motivation": "Too late."}, now=after)
    assert codes(refused) == ["closed"]


def test_pending_text_is_claimed_only_by_the_owner(app):
    proposal = make_proposal(complete=False)
    pending = services.keep_pending(proposal, {"motivation": "Long text"})
    db.session.commit()
    assert pending.user_id is None
    assert services.claim_pending(pending.token, make_user()) is None
    claimed = services.claim_pending(pending.token, proposal.applicant)
    assert claimed.user_id == proposal.user_id
    assert services.pending_for(proposal.applicant, proposal).answers == {"motivation": "Long text"}
    services.save_draft(proposal.applicant, proposal, {"motivation": "Long text"})
    db.session.commit()
    assert db.session.scalars(select(PendingDraft)).all() == []
