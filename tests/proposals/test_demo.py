"""The demo institution has proposals in every state for the open round, a running cohort and a round in review."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from portal.demo import load_demo
from portal.extensions import db
from portal.proposals.models import Proposal, ProposalState
from portal.rounds.models import Round, RoundState


def test_demo_proposals(app):
    load_demo()
    rounds = {r.state: r for r in db.session.scalars(select(Round))}
    by_round = Counter((p.round_id, p.state) for p in db.session.scalars(select(Proposal)))
    open_round = rounds[RoundState.OPEN]
    for state in (ProposalState.DRAFT, ProposalState.SUBMITTED, ProposalState.WITHDRAWN):
        assert by_round[(open_round.id, state)] >= 1, state
    running = rounds[RoundState.RUNNING]
    assert by_round[(running.id, ProposalState.SELECTED)] == 10
    assert by_round[(running.id, ProposalState.NOT_SELECTED)] + by_round[(running.id, ProposalState.WAITLISTED)] >= 2
    review = next(r for r in db.session.scalars(select(Round)) if r.name.startswith("CMALT spring cohort"))
    assert review.state == RoundState.IN_REVIEW
    assert sum(n for (rid, _s), n in by_round.items() if rid == review.id) == 12
    assert by_round[(review.id, ProposalState.SUBMITTED)] == 11  # one missed the intro session: still a draft
    submitted = db.session.scalars(select(Proposal).where(Proposal.round_id == open_round.id,
                                                          Proposal.state == ProposalState.SUBMITTED)).all()
    assert all(p.version == 1 and p.consent and p.submitted_at for p in submitted)
