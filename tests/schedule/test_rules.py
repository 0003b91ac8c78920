"""Schedule rules: audiences, visibility (and that the SQL twin agrees), booking refusals, notice, term weeks."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from itertools import product

import pytest
from sqlalchemy import select

import portal.models  # noqa: F401  (every mapper, so Session() can be built without an app)
from portal.extensions import db
from portal.schedule.models import Audience, Booking, BookingStatus, Session, SessionKind, SessionStatus, Term
from portal.schedule.queries import visible_clause
from portal.schedule.rules import (
    Viewer, booking_refusal, can_change_booking, can_see_session, can_take_register, is_within_notice,
    term_week_label,
)

NOW = datetime(2027, 2, 1, 12, 0, tzinfo=timezone.utc)


def _session(**fields) -> Session:
    values = dict(id=1, kind=SessionKind.WORKSHOP, title="S", starts_at=NOW + timedelta(days=2),
                  ends_at=NOW + timedelta(days=2, hours=1), audience=Audience.EVERYONE, round_id=None,
                  host_id=None, status=SessionStatus.SCHEDULED, booked_count=0, capacity=None)
    values.update(fields)
    return Session(**values)


def test_audiences():
    applicant = Viewer(user_id=1, applicant_rounds=frozenset({7}))
    member = Viewer(user_id=2, applicant_rounds=frozenset({7}), cohort_rounds=frozenset({7}))
    stranger = Viewer(user_id=3, open_rounds=frozenset({8}))
    for_applicants = _session(audience=Audience.APPLICANTS, round_id=7)
    cohort = _session(audience=Audience.COHORT, round_id=7)
    open_intro = _session(kind=SessionKind.INTRO, audience=Audience.APPLICANTS, round_id=8)
    assert [can_see_session(v, for_applicants) for v in (applicant, member, stranger)] == [True, True, False]
    assert [can_see_session(v, cohort) for v in (applicant, member, stranger)] == [False, True, False]
    assert can_see_session(stranger, open_intro)
    assert not can_see_session(stranger, _session(audience=Audience.APPLICANTS, round_id=8))  # not an intro


def test_leads_see_everything_hosts_what_they_host_and_people_what_they_booked():
    hidden = _session(audience=Audience.COHORT, round_id=9, host_id=5)
    assert can_see_session(Viewer(user_id=1, is_lead=True), hidden)
    assert can_see_session(Viewer(user_id=5), hidden)
    assert can_see_session(Viewer(user_id=6, booked_sessions=frozenset({1})), hidden)
    assert not can_see_session(Viewer(user_id=6), hidden)
    assert not can_see_session(Viewer(user_id=None), _session())


def test_the_register_is_for_the_lead_and_the_host():
    session = _session(host_id=5)
    assert can_take_register(Viewer(user_id=5), session)
    assert can_take_register(Viewer(user_id=1, is_lead=True), session)
    assert not can_take_register(Viewer(user_id=6), session)


@pytest.mark.parametrize("fields, message", [
    (dict(kind=SessionKind.DEADLINE), "Deadlines are in your calendar; there is nothing to book."),
    (dict(status=SessionStatus.CANCELLED), "This session has been cancelled."),
    (dict(starts_at=NOW), "This session has already started: booking closed at the start time."),
    (dict(audience=Audience.COHORT, round_id=3), "This session is not open to you."),
])
def test_booking_refusals(fields, message):
    assert booking_refusal(Viewer(user_id=1), _session(**fields), NOW) == message
    assert booking_refusal(Viewer(user_id=1), _session(), NOW) is None


def test_notice():
    session = _session(starts_at=NOW + timedelta(hours=10))
    assert is_within_notice(session, 24, NOW)
    assert not is_within_notice(session, 8, NOW)
    assert not is_within_notice(session, 0, NOW)
    booking = Booking(user_id=1, status=BookingStatus.BOOKED, session=session)
    assert not can_change_booking(Viewer(user_id=1), booking, 24, NOW)
    assert can_change_booking(Viewer(user_id=1), booking, 8, NOW)
    assert can_change_booking(Viewer(user_id=9, is_lead=True), booking, 24, NOW)
    assert not can_change_booking(Viewer(user_id=2), booking, 8, NOW)
    booking.status = BookingStatus.WAITLISTED
    assert can_change_booking(Viewer(user_id=1), booking, 24, NOW)


def test_term_week_labels_are_pure():
    terms = [Term(name="HT24", starts_on=date(2024, 1, 15), weeks=8),
             Term(name="TT24", starts_on=date(2024, 4, 22), weeks=8)]
    assert term_week_label(date(2024, 1, 18), terms) == "Wk 1, HT24"
    assert term_week_label(date(2024, 1, 22), terms) == "Wk 2, HT24"
    assert term_week_label(date(2024, 4, 21), terms) is None
    assert term_week_label(date(2024, 6, 16), terms) == "Wk 8, TT24"


def test_the_sql_visibility_agrees_with_the_rule(app):
    """Every audience x round x kind x viewer combination: the query and the predicate give the same answer."""
    sessions = []
    for audience, round_id, kind in product(list(Audience), [None, 1, 2],
                                            [SessionKind.INTRO, SessionKind.WORKSHOP, SessionKind.DEADLINE]):
        sessions.append(Session(kind=kind, title=f"{audience.value}-{round_id}-{kind.value}", starts_at=NOW,
                                ends_at=NOW + timedelta(hours=1), audience=audience, round_id=None, host_id=None))
        sessions[-1]._round = round_id
    from tests.factories import make_round, make_user
    rounds = {1: make_round(), 2: make_round()}
    host = make_user()
    for s in sessions:
        s.round_id = rounds[s._round].id if s._round else None
    sessions[0].host_id = host.id
    db.session.add_all(sessions)
    db.session.commit()
    r1, r2 = rounds[1].id, rounds[2].id
    viewers = [
        Viewer(user_id=999),
        Viewer(user_id=998, applicant_rounds=frozenset({r1})),
        Viewer(user_id=997, applicant_rounds=frozenset({r1}), cohort_rounds=frozenset({r1})),
        Viewer(user_id=996, open_rounds=frozenset({r2})),
        Viewer(user_id=host.id, booked_sessions=frozenset({sessions[5].id})),
        Viewer(user_id=1, is_lead=True),
        # Round 2 has closed: its deadlines stay only with its applicants (995), not with 994.
        Viewer(user_id=995, applicant_rounds=frozenset({r2}), closed_rounds=frozenset({r1, r2})),
        Viewer(user_id=994, applicant_rounds=frozenset({r1}), closed_rounds=frozenset({r2})),
    ]
    for viewer in viewers:
        by_sql = set(db.session.scalars(select(Session.id).where(visible_clause(viewer))))
        by_rule = {s.id for s in sessions if can_see_session(viewer, s)}
        assert by_sql == by_rule, viewer
