"""Mentor swaps at the same moment, in real threads with their own connections (run on PostgreSQL with
TEST_DATABASE_URL): the mentor's profile lock keeps their capacity exact."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.auth.models import Role, User
from portal.extensions import db
from portal.mentoring.errors import MentoringError
from portal.mentoring.models import MentorProfile, Pairing, PairingState
from portal.mentoring.pairings import swap_mentor
from tests.factories import make_cohort_round, make_mentor, make_participant, make_user
from tests.race import at_once


def _swap(lead_id: int, pairing_id: int, profile_id: int):
    return lambda: swap_mentor(db.session.get(User, lead_id), db.session.get(Pairing, pairing_id),
                               db.session.get(MentorProfile, profile_id)).id


def test_two_swaps_at_once_cannot_pass_a_mentors_capacity(app):
    lead = make_user(roles=[Role.LEAD])
    round_ = make_cohort_round()
    wanted = make_mentor(capacity=1, department="Library")
    pairings = []
    for i in range(2):
        proposal = make_participant(round_, department="Education")
        pairing = Pairing(round_id=round_.id, proposal_id=proposal.id, mentee_id=proposal.user_id,
                          mentor_id=make_mentor(department="Computing").id, state=PairingState.PROPOSED)
        db.session.add(pairing)
        pairings.append(pairing)
    db.session.commit()

    results = at_once(app, *(_swap(lead.id, p.id, wanted.id) for p in pairings))

    refusals = [r for r in results if isinstance(r, MentoringError)]
    assert len(refusals) == 1 and "has no places left" in refusals[0].message
    taken = db.session.scalar(select(func.count()).select_from(Pairing).where(Pairing.mentor_id == wanted.id))
    assert taken == 1
