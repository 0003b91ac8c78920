"""The intro-session prerequisite as people read it: nobody already booked is told to book one, and the
round page stops asking once the round has closed or the person has submitted."""
from __future__ import annotations

from datetime import timedelta

from portal.extensions import db
from portal.proposals.models import ProposalState
from portal.rounds.models import RoundState
from portal.schedule.intro import booked_intro_session
from tests.factories import make_booking, make_proposal, make_round, make_session

NOTICE = "You need to attend an intro session before you can submit a proposal"


def test_someone_booked_on_an_intro_is_told_so_not_to_book_one(client, login_as):
    me = login_as()
    round_ = make_round(intro_required=True)
    mine = make_session("intro", title="Intro (online)", round_id=round_.id, starts_in=timedelta(days=3), capacity=30)
    make_session("intro", title="Another intro", round_id=round_.id, starts_in=timedelta(days=5), capacity=30)
    make_booking(mine, me)
    proposal = make_proposal(round_, me, complete=False)
    assert booked_intro_session(me, round_) == mine
    page = client.get(f"/proposals/{proposal.id}/edit").get_data(as_text=True)
    assert "You are booked on the intro session below. Once its register shows you attended, you can submit." in page
    assert "you can still book one" not in page and "Another intro" not in page
    assert f'<a href="/schedule/sessions/{mine.id}">Intro (online)</a>' in page


def test_an_attended_intro_is_no_longer_a_booking_to_wait_for(app, login_as):
    me = login_as()
    round_ = make_round(intro_required=True)
    past = make_session("intro", round_id=round_.id, starts_in=timedelta(days=-3))
    make_booking(past, me, attended=True)
    assert booked_intro_session(me, round_) is None


def test_the_round_page_asks_for_an_intro_only_while_it_can_still_matter(client, login_as):
    me = login_as()
    open_round = make_round(intro_required=True)
    assert NOTICE in client.get(f"/rounds/{open_round.id}").get_data(as_text=True)
    draft = make_proposal(open_round, me)
    assert NOTICE in client.get(f"/rounds/{open_round.id}").get_data(as_text=True)
    draft.state = ProposalState.SUBMITTED
    db.session.commit()
    assert NOTICE not in client.get(f"/rounds/{open_round.id}").get_data(as_text=True)
    closed = make_round(intro_required=True, state=RoundState.CLOSED, opens_at=open_round.opens_at,
                        closes_at=open_round.opens_at + timedelta(days=1))
    assert NOTICE not in client.get(f"/rounds/{closed.id}").get_data(as_text=True)
