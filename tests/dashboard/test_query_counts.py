"""No N+1 on the lead's dashboard: the round page, the year-on-year table and the annual report send the same
few SQL queries whatever the round holds and however many rounds there are."""
from __future__ import annotations

from datetime import date, timedelta

from portal.auth.models import Role
from portal.db_types import utcnow
from portal.extensions import db
from portal.mentoring.models import (Meeting, Outcome, Pairing, PairingState, Progress, ProgressSection,
                                     SectionStatus)
from portal.panel.models import Assignment, PanelMember, Review
from portal.proposals.models import ProposalState
from portal.rounds.models import Round, RoundState
from tests.query_counts import MOST_QUERIES, page_queries
from tests.factories import make_booking, make_mentor, make_proposal, make_round, make_session, make_user

DEPARTMENTS = ("Library", "School of Law", "School of Health Sciences", "Digital Learning Team", "Business School")


def _a_busy_round(round_id: int) -> None:
    """Proposals in every state across departments and pathways, a panel with assignments and reviews, intro
    and upcoming sessions with bookings and waiting lists, participants with progress, sections, mentors and
    meetings (one awarded), and other rounds around it."""
    round_ = db.session.get(Round, round_id)
    now, today = utcnow(), date.today()
    states = [ProposalState.SUBMITTED, ProposalState.SELECTED, ProposalState.WAITLISTED, ProposalState.NOT_SELECTED,
              ProposalState.DRAFT, ProposalState.WITHDRAWN, ProposalState.SELECTED, ProposalState.SELECTED]
    proposals = [make_proposal(round_, make_user(name=f"Applicant {i}", department=DEPARTMENTS[i % 5]),
                               state=states[i % len(states)], department=DEPARTMENTS[i % 5],
                               pathway_id=round_.pathways[i % 3].id)
                 for i in range(24)]
    selected = [p for p in proposals if p.state == ProposalState.SELECTED]

    panel = [make_user(name=f"Panel {i}") for i in range(3)]
    for i, member in enumerate(panel):
        db.session.add(PanelMember(round_id=round_.id, user_id=member.id))
        for p in proposals[i::2]:
            db.session.add(Assignment(round_id=round_.id, proposal_id=p.id, user_id=member.id))
        for p in proposals[i:i + 4]:
            db.session.add(Review(round_id=round_.id, proposal_id=p.id, reviewer_id=member.id, submitted_at=now))

    intro = make_session("intro", title="Intro", round_id=round_.id, starts_at=round_.opens_at - timedelta(days=5))
    for p in proposals[:6]:
        make_booking(intro, p.applicant, attended=True)
    for i in range(4):
        session = make_session(title=f"Workshop {i}", capacity=2, round_id=round_.id if i % 2 else None,
                               starts_in=timedelta(days=3 + i))
        for _ in range(2):
            make_booking(session)
        make_booking(session, status="waitlisted")

    mentors = [make_mentor(name=f"Mentor {i}", capacity=5) for i in range(2)]
    for i, p in enumerate(selected):
        progress = Progress(proposal_id=p.id, registered_on=today - timedelta(days=660 + i),  # expiring
                            target_deadline=today + timedelta(days=10 + i),
                            sections=[ProgressSection(name=f"Section {k}", position=k, status=(
                                SectionStatus.READY if k <= i % 3 else SectionStatus.DRAFTING)) for k in range(3)])
        if i == 0:
            progress.outcome, progress.outcome_recorded_at = Outcome.AWARDED, now - timedelta(days=2)
        db.session.add(progress)
        if i % 4 == 3:
            continue  # no mentor yet
        pairing = Pairing(round_id=round_.id, proposal_id=p.id, mentee_id=p.user_id, mentor_id=mentors[i % 2].id,
                          state=PairingState.CONFIRMED, confirmed_at=now - timedelta(days=90))
        db.session.add(pairing)
        db.session.flush()
        for weeks in range(i % 3):
            db.session.add(Meeting(pairing_id=pairing.id, held_on=today - timedelta(days=60 + 7 * weeks)))

    earlier = make_round(state=RoundState.CLOSED, opens_at=round_.opens_at - timedelta(days=400),
                         closes_at=round_.closes_at - timedelta(days=400))
    make_proposal(earlier, state=ProposalState.SELECTED)
    make_round(state=RoundState.DRAFT, opens_at=round_.opens_at + timedelta(days=30))
    db.session.commit()


def test_the_round_dashboard_sends_the_same_few_queries_for_a_quiet_or_a_busy_round(client, login_as):
    now = utcnow()
    round_ = make_round(state=RoundState.RUNNING, opens_at=now - timedelta(days=120),
                        closes_at=now - timedelta(days=90), name="Cohort 2030")
    make_proposal(round_, state=ProposalState.SUBMITTED)
    login_as(Role.LEAD)
    round_id = round_.id
    urls = (f"/dashboard/rounds/{round_id}", "/dashboard/", "/dashboard/years", f"/dashboard/rounds/{round_id}/report")
    for url in urls:
        client.get(url)  # warm the session cookie and sign-in
    quiet = [page_queries(client, url) for url in urls]

    _a_busy_round(round_id)
    busy = [page_queries(client, url) for url in urls]

    body = client.get(urls[0]).get_data(as_text=True)
    assert "Dashboard: Cohort 2030" in body and "School of Law" in body and "Panel 2" in body
    assert "No mentor" in body and "No meeting since" in body and "sections not ready" in body or "section not ready" in body
    assert "Registration expires on" in body and "Workshop 3" in body
    assert busy == quiet
    assert max(busy) <= MOST_QUERIES
