"""Retention: unselected proposals are anonymised after RETENTION_MONTHS; report counts survive."""
from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.dashboard import funnel, years
from portal.db_types import utcnow
from portal.extensions import db
from portal.panel.funding import round_funding
from portal.panel.models import Decision, Outcome, Review
from portal.privacy.services import ANONYMOUS_EMAIL, run_retention
from portal.proposals.models import PendingDraft, Proposal, ProposalVersion
from tests.dashboard.cohort import build_cohort
from tests.factories import make_user


def _figures(round_):
    by_department, by_pathway = funnel.applications_by(round_.id)
    return ([(s.label, s.count) for s in funnel.funnel(round_)], by_department, by_pathway,
            [(r.applications, r.selected, r.awarded) for r in years.year_rows()], round_funding(round_))


def _all_text() -> str:
    proposals = [p.answers() for p in db.session.scalars(select(Proposal))]
    versions = [v.answers for v in db.session.scalars(select(ProposalVersion))]
    comments = [r.comment for r in db.session.scalars(select(Review))]
    feedback = [d.feedback for d in db.session.scalars(select(Decision))]
    return json.dumps([proposals, versions, comments, feedback], default=str)


def test_anonymisation_keeps_counts_and_removes_names_emails_and_free_text(app):
    cohort = build_cohort(decided_days_ago=400)
    target = cohort.not_selected
    target.line_manager_name = "Lorna Linemanager"
    target.line_manager_email = "lorna@example.ac.uk"
    applicant = db.session.get(type(target.applicant), target.user_id)
    db.session.add_all([
        Review(round_id=cohort.round.id, proposal_id=target.id, reviewer_id=make_user().id,
               comment="Strong on accessibility but Applicant 3 lacks evidence"),
        Decision(round_id=cohort.round.id, proposal_id=target.id, outcome=Outcome.NOT_SELECTED,
                 feedback="Dear Applicant 3, please reapply"),
        PendingDraft(token="draft-token", user_id=applicant.id, proposal_id=target.id,
                     answers={"motivation": "unsaved words"}),
    ])
    db.session.commit()
    before = _figures(cohort.round)
    assert "Motivation of Applicant 3" in _all_text()

    assert run_retention().proposals == 1
    db.session.commit()

    assert _figures(cohort.round) == before
    text = _all_text()
    for gone in ("Motivation of Applicant 3", "Lorna Linemanager", "lorna@example.ac.uk",
                 "lacks evidence", "please reapply"):
        assert gone not in text, gone
    db.session.refresh(target)
    assert target.applicant.email == ANONYMOUS_EMAIL and target.applicant.is_active_account is False
    assert target.department == "Library" and target.state.value == "not_selected"
    assert db.session.scalar(select(PendingDraft)) is None
    # The selected people of the same round keep everything.
    assert "Motivation of Applicant 0" in text
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "proposal.anonymised")).all()
    assert [(e.object_type, e.object_id, e.actor_id) for e in events] == [("Proposal", target.id, None)]
    assert run_retention().proposals == 0  # nothing is anonymised twice


def test_recent_decisions_are_kept(app):
    cohort = build_cohort(decided_days_ago=200)
    assert run_retention().proposals == 0
    app.config["RETENTION_MONTHS"] = 6
    assert run_retention().proposals == 1
    db.session.commit()
    db.session.refresh(cohort.not_selected)
    assert cohort.not_selected.motivation == ""


def test_retention_command(app):
    build_cohort(decided_days_ago=400)
    result = app.test_cli_runner().invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "anonymised 1 proposal(s)" in result.output
    assert db.session.scalar(select(db.func.count()).select_from(Proposal).where(Proposal.motivation == "")) == 1


def test_anonymised_person_keeps_their_account_and_other_data(app):
    cohort = build_cohort(decided_days_ago=400)
    person_id = cohort.not_selected.user_id
    run_retention(utcnow() + timedelta(days=1))
    db.session.commit()
    from portal.auth.models import User
    person = db.session.get(User, person_id)
    assert person.name == "Applicant 3" and person.is_active_account
