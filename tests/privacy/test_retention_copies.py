"""Retention reaches every copy of personal data (outbox, audit log), counts in calendar months in the
institution's zone, and keeps what the reports count."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.audit.services import record
from portal.db_types import utcnow
from portal.extensions import db
from portal.outbox.models import OutboxMessage, OutboxStatus
from portal.outbox.services import queue_email
from portal.privacy.services import run_retention
from portal.proposals.models import Proposal, ProposalState
from tests.dashboard.cohort import build_cohort
from tests.factories import make_proposal, make_round, make_user
from tests.privacy.test_retention import _figures


def _mail(recipient: str, subject: str, body: str, *, days_ago: int, status=OutboxStatus.SENT, last_error="",
          **fields):
    message = queue_email(recipient, subject, body, **fields)
    message.status, message.last_error = status, last_error
    message.created_at = utcnow() - timedelta(days=days_ago)
    return message


def _outbox_text() -> str:
    return json.dumps([(m.recipient, m.subject, m.body, m.ics, m.last_error)
                       for m in db.session.scalars(select(OutboxMessage))])


def _audit_text() -> str:
    return json.dumps([(e.summary, e.detail) for e in db.session.scalars(select(AuditEvent))])


def test_retention_clears_the_outbox_and_the_audit_log_and_keeps_the_counts(app):
    cohort = build_cohort(decided_days_ago=400)
    target = cohort.not_selected
    applicant = target.applicant
    record(applicant, "proposal.submitted", target, summary=f"{applicant.name} submitted: {target.motivation}",
           motivation=target.motivation)
    long_ago = record(make_user(name="Lead Person"), "pairing.concern", target,
                      summary="Applicant 9 never replies")
    long_ago.object_type, long_ago.object_id = "Pairing", 1
    long_ago.at = utcnow() - timedelta(days=800)
    recent = record(make_user(), "round.created", cohort.round, summary="Opened Cohort 2026 by Rita Recent")
    _mail(applicant.email, "We received your proposal", f"Your answers: {target.motivation}", days_ago=380,
          kind="proposal.acknowledged", dedupe_key="ack-once")
    _mail("gone@example.ac.uk", "Undeliverable", "Dear Gwen Gone", days_ago=100, status=OutboxStatus.FAILED,
          ics="BEGIN:VCALENDAR\r\nSUMMARY:Gwen's invitation\r\nEND:VCALENDAR\r\n", last_error="550 gone@example.ac.uk")
    _mail("kept@example.ac.uk", "Sent last week", "Dear Kim Kept", days_ago=7)
    _mail("waiting@example.ac.uk", "Still to go", "Dear Wendy Waiting", days_ago=100, status=OutboxStatus.PENDING)
    db.session.commit()
    before = _figures(cohort.round)
    assert "Motivation of Applicant 3" in _outbox_text() + _audit_text()

    report = run_retention()
    db.session.commit()

    # Audit: the event about the anonymised proposal and the 26-month-old concern; the recent one is kept.
    assert (report.proposals, report.outbox_messages, report.audit_events) == (1, 2, 2)
    assert _figures(cohort.round) == before
    outbox, audit = _outbox_text(), _audit_text()
    for gone in ("Motivation of Applicant 3", applicant.email, "gone@example.ac.uk", "Gwen", "Applicant 9",
                 "Applicant 3"):
        assert gone not in outbox + audit, gone
    assert "Dear Kim Kept" in outbox and "Dear Wendy Waiting" in outbox  # recent, or not yet sent
    db.session.refresh(recent)
    assert recent.summary == "Opened Cohort 2026 by Rita Recent"
    # The anonymised proposal's events keep what happened and when, but no longer point at the applicant.
    about = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "Proposal",
                                                        AuditEvent.object_id == target.id)).all()
    assert {e.action for e in about} == {"proposal.submitted", "proposal.anonymised"}
    assert all(e.actor_id is None for e in about)
    # A blanked message still keeps a deduplicated mail from going twice, and the outbox still counts it.
    assert queue_email(applicant.email, "We received your proposal", "again", dedupe_key="ack-once") is None
    assert db.session.scalar(select(db.func.count()).select_from(OutboxMessage)) == 4

    again = run_retention()
    assert (again.proposals, again.outbox_messages, again.audit_events) == (0, 0, 0)


def test_the_cutoff_is_whole_months_on_the_institutions_calendar(app):
    """31 March 2026 13:00 in London (BST) less one month is 28 February 13:00 GMT, that is 13:00 UTC."""
    app.config["RETENTION_MONTHS"] = 1
    now = datetime(2026, 3, 31, 12, 0, tzinfo=timezone.utc)
    round_ = make_round()
    older = make_proposal(round_, state=ProposalState.NOT_SELECTED,
                          decided_at=datetime(2026, 2, 28, 12, 30, tzinfo=timezone.utc))
    newer = make_proposal(round_, state=ProposalState.WAITLISTED,
                          decided_at=datetime(2026, 2, 28, 13, 30, tzinfo=timezone.utc))
    assert run_retention(now).proposals == 1
    db.session.commit()
    assert db.session.get(Proposal, older.id).motivation == ""
    assert db.session.get(Proposal, newer.id).motivation != ""
    # Waitlisted proposals are anonymised too, once their decision is old enough.
    assert run_retention(now + timedelta(hours=1)).proposals == 1


def test_the_command_reports_every_count(app):
    build_cohort(decided_days_ago=400)
    _mail("old@example.ac.uk", "Old", "Dear Olga", days_ago=100)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "anonymised 1 proposal(s); blanked 1 outbox message(s); cleared 0 audit summary(ies)" in result.output
