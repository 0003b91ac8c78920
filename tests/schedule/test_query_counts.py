"""No N+1 on the staff schedule: the page sends the same few SQL queries whatever the shown month holds."""
from __future__ import annotations

from datetime import date, datetime, time

import pytest

from portal.auth.models import Role
from portal.extensions import db
from portal.proposals.models import ProposalState
from portal.rounds.models import RoundState
from portal.schedule.feeds import create_feed_token
from portal.schedule.models import Audience, KindNotice, OfficeHoursBlock, SessionKind, Term
from portal.timeutil import local_to_utc
from tests.query_counts import MOST_QUERIES, page_queries
from tests.factories import make_booking, make_proposal, make_round, make_session, make_user

MONTH = "2030-05"


def _at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    return local_to_utc(datetime(2030, 5, day, hour, minute))


def _one_plain_session() -> None:
    make_session(title="Lonely workshop", starts_at=_at(3))


def _a_busy_month(person) -> None:
    """Many hosts, rounds, audiences, bookings and waitlist places, a block of slots, and sessions the person
    hosts (one with a room clash), feed links and a term."""
    hosts = [make_user(name=f"Host {i}") for i in range(4)]
    cohort = make_round(state=RoundState.RUNNING)
    make_proposal(cohort, person, state=ProposalState.SELECTED)
    applied = make_round(state=RoundState.IN_REVIEW)
    make_proposal(applied, person, state=ProposalState.SUBMITTED)
    open_round = make_round()
    for i in range(12):
        audience, round_id = [(Audience.EVERYONE, None), (Audience.COHORT, cohort.id),
                              (Audience.APPLICANTS, applied.id)][i % 3]
        session = make_session(title=f"Workshop {i}", capacity=2, host_id=hosts[i % 4].id, audience=audience,
                               round_id=round_id, location=f"Room {i}", starts_at=_at(4 + i))
        if i % 4 == 0:
            make_booking(session, person)
        elif i % 4 == 1:
            make_booking(session)
            make_booking(session)
            make_booking(session, status="waitlisted")
            make_booking(session, person, status="waitlisted")
        elif i % 4 == 2:
            make_booking(session, person, status="cancelled")
    make_session("intro", title="Intro", audience=Audience.APPLICANTS, round_id=open_round.id, starts_at=_at(5, 16))
    make_session("deadline", title="Proposals close", starts_at=_at(20, 12), minutes=0)
    make_session("deadline", title="Cancelled thing", starts_at=_at(21), status="cancelled")
    mine = make_session(title="My workshop", host_id=person.id, location="Room 9", starts_at=_at(22))
    make_session(title="Same room", location="room 9", host_id=hosts[0].id, starts_at=mine.starts_at)
    make_session(title="Mine too", host_id=person.id, starts_at=_at(23))
    for b in range(2):
        block = OfficeHoursBlock(title=f"Office hours {b}", first_day=date(2030, 5, 7 + b), start_time=time(14, 0),
                                 end_time=time(15, 0), slot_minutes=20, host_id=hosts[b].id)
        db.session.add(block)
        db.session.flush()
        for k in range(3):
            slot = make_session("office_hours", title=block.title, capacity=1, block_id=block.id,
                                host_id=hosts[b].id, starts_at=_at(7 + b, 14, 20 * k), minutes=20)
            if k == 0:
                make_booking(slot, person if b else None)
    create_feed_token(person, "My calendar")
    create_feed_token(person, "Cohort", scope="cohort", round_id=cohort.id)
    db.session.add_all([Term(name="TT30", starts_on=date(2030, 4, 22), weeks=10),
                        KindNotice(kind=SessionKind.WORKSHOP, hours=24)])
    db.session.commit()


@pytest.mark.parametrize("roles, view", [((), "list"), ((), "grid"), ((Role.LEAD,), "list"), ((Role.LEAD,), "grid")])
def test_the_schedule_page_sends_the_same_queries_for_an_empty_or_a_busy_month(client, login_as, roles, view):
    person = login_as(*roles)
    # Months run only from just before the first to just after the last thing on the schedule: one in a
    # later month keeps MONTH (and the month after it) on the schedule while MONTH itself is empty.
    make_session(title="Far off", starts_at=local_to_utc(datetime(2030, 8, 1, 10)))
    url = f"/schedule/?month={MONTH}&view={view}"
    client.get(url)  # warm the session cookie and sign-in
    empty = page_queries(client, url)
    _one_plain_session()
    one = page_queries(client, url)
    _a_busy_month(person)
    busy = page_queries(client, url)
    body = client.get(url).get_data(as_text=True)
    assert "Workshop 4" in body and "My workshop" in body  # the busy month is really shown
    assert (empty, one, busy) == (empty, empty, empty)
    assert busy <= MOST_QUERIES
    other_month = page_queries(client, f"/schedule/?month=2030-06&view={view}")
    assert other_month == busy
