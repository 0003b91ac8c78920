"""The awarding body's submission deadline agreed for a participant is in their own feed and their mentor's,
without anyone adding it to the schedule by hand."""
from __future__ import annotations

from datetime import date

import icalendar

from portal.extensions import db
from portal.mentoring.models import Pairing, PairingState, Progress
from portal.proposals.models import ProposalState
from portal.rounds.models import RoundState
from portal.schedule.feeds import create_feed_token
from tests.factories import make_mentor, make_proposal, make_round, make_session, make_user


def _events(client, person) -> dict:
    token = create_feed_token(person, "Laptop")
    db.session.commit()
    response = client.get(f"/schedule/feed/{token.token}.ics")
    assert response.status_code == 200
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(response.data).walk("VEVENT")}


def test_a_participants_deadline_is_in_their_feed_and_their_mentors(app, client):
    round_ = make_round(state=RoundState.RUNNING)
    pat, stranger = make_user(name="Pat Participant"), make_user(name="Stranger")
    mentor = make_mentor(name="Morag Mentor")
    proposal = make_proposal(round_, pat, state=ProposalState.SELECTED)
    progress = Progress(proposal_id=proposal.id, target_deadline=date(2031, 3, 31))
    db.session.add_all([progress, Pairing(round_id=round_.id, proposal_id=proposal.id, mentee_id=pat.id,
                                          mentor_id=mentor.id, state=PairingState.CONFIRMED)])
    db.session.commit()
    uid = f"portfolio-deadline-{progress.id}@cohort-portal"

    own = _events(client, pat)[uid]
    assert own["SUMMARY"] == "Portfolio submission deadline"
    assert own.decoded("DTSTART") == date(2031, 3, 31) and own.decoded("DTEND") == date(2031, 4, 1)
    assert _events(client, mentor.user)[uid]["SUMMARY"] == "Portfolio submission deadline: Pat Participant"
    assert uid not in _events(client, stranger)

    # Taken from a deadline on the schedule, the participant has that session already, so not twice.
    deadline = make_session("deadline", title="ALT submission window closes", round_id=round_.id,
                            audience="cohort", all_day=True)
    progress.deadline_session_id = deadline.id
    db.session.commit()
    events = _events(client, pat)
    assert deadline.uid in events and uid not in events
    assert uid in _events(client, mentor.user)
