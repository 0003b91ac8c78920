"""A hand-built cohort whose funnel is known exactly, shared by dashboard and retention tests."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from portal.db_types import utcnow
from portal.extensions import db
from portal.mentoring.models import (Meeting, Outcome, Pairing, PairingState, Progress, ProgressSection,
                                     SectionStatus)
from portal.panel.models import Decision, Outcome as DecisionOutcome
from portal.proposals.models import ProposalState
from portal.rounds.models import RoundState
from tests.factories import make_booking, make_mentor, make_proposal, make_round, make_session, make_user


@dataclass
class Cohort:
    round: object
    awarded: object      # selected, registered, every section ready, awarded
    drafting: object     # selected, registered, one section not ready, deadline in 10 days, quiet mentor
    unpaired: object     # selected, no mentor, no progress
    not_selected: object
    mentor: object


def _sections(*statuses):
    return [ProgressSection(name=f"Section {i}", position=i, status=s) for i, s in enumerate(statuses)]


def build_cohort(decided_days_ago: int = 60) -> Cohort:
    """Intro 5 attended (+1 absent), 6 started, 5 submitted, 3 selected, 2 registered, 1 portfolio, 1 award."""
    now = utcnow()
    round_ = make_round(state=RoundState.RUNNING, opens_at=now - timedelta(days=120),
                        closes_at=now - timedelta(days=90), name="Cohort 2026")
    intro = make_session(kind="intro", title="Intro to the scheme", round_id=round_.id,
                         starts_at=now - timedelta(days=100))
    people = [make_user(name=f"Applicant {i}", department=("School of Law" if i < 2 else "Library"))
              for i in range(6)]
    for person in people[:5]:
        make_booking(intro, person, attended=True)
    make_booking(intro, make_user(name="Absent Person"), attended=False)

    decided = now - timedelta(days=decided_days_ago)
    cmalt = round_.pathways[1]

    def proposal(person, state):
        p = make_proposal(round_, person, state=state, department=person.department, pathway_id=cmalt.id,
                          motivation=f"Motivation of {person.name}")
        if state in (ProposalState.SELECTED, ProposalState.NOT_SELECTED):
            p.decided_at = decided
        if state == ProposalState.SELECTED:  # the panel's decision, which the funding counts
            db.session.flush()
            db.session.add(Decision(round_id=round_.id, proposal_id=p.id, outcome=DecisionOutcome.SELECTED,
                                    decided_at=decided))
        return p

    awarded = proposal(people[0], ProposalState.SELECTED)
    drafting = proposal(people[1], ProposalState.SELECTED)
    unpaired = proposal(people[2], ProposalState.SELECTED)
    not_selected = proposal(people[3], ProposalState.NOT_SELECTED)
    proposal(people[4], ProposalState.WITHDRAWN)  # submitted, then withdrawn
    proposal(people[5], ProposalState.DRAFT)
    today = date.today()
    db.session.add_all([
        Progress(proposal_id=awarded.id, registered_on=today - timedelta(days=50), outcome=Outcome.AWARDED,
                 outcome_recorded_at=decided + timedelta(days=40),
                 sections=_sections(SectionStatus.READY, SectionStatus.READY)),
        Progress(proposal_id=drafting.id, registered_on=today - timedelta(days=50),
                 target_deadline=today + timedelta(days=10),
                 sections=_sections(SectionStatus.READY, SectionStatus.DRAFTING)),
    ])
    mentor = make_mentor(name="Morag Mentor", capacity=3)
    for p in (awarded, drafting):
        pairing = Pairing(round_id=round_.id, proposal_id=p.id, mentee_id=p.user_id, mentor_id=mentor.id,
                          state=PairingState.CONFIRMED, confirmed_at=now - timedelta(days=80))
        db.session.add(pairing)
        db.session.flush()
        if p is awarded:
            db.session.add(Meeting(pairing_id=pairing.id, held_on=today - timedelta(days=3), notes="Went well"))
    db.session.commit()
    return Cohort(round_, awarded, drafting, unpaired, not_selected, mentor)
