"""Role matrix for the schedule: staff pages, lead management, registers, private sessions and public feeds."""
from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from portal.extensions import db
from portal.rounds.models import RoundState
from portal.schedule.feeds import create_feed_token
from portal.schedule.models import Audience
from portal.schedule.office_hours import BlockInput, create_office_hours_block
from tests.access import LEAD_ONLY, ROLES, SIGNED_IN, assert_access, sign_in_as
from tests.factories import make_booking, make_round, make_session, make_user

EVERYONE = {"anonymous", *SIGNED_IN}


def _session():
    return make_session(title="Open workshop").id


def _private_session():
    round_ = make_round(state=RoundState.RUNNING)
    return make_session(title="Secret cohort workshop", audience=Audience.COHORT, round_id=round_.id).id


def _booked_session():
    session = make_session(title="Registered workshop", starts_in=timedelta(hours=-1))
    make_booking(session, make_user(name="Rita Registered"))
    return session.id


def _booking():
    session = make_session(starts_in=timedelta(hours=-1))
    return make_booking(session, make_user()).id


def _block():
    block = create_office_hours_block(make_user(), BlockInput(
        title="Slots", first_day=date(2030, 3, 5), start_time=time(10, 0), end_time=time(11, 0)))
    db.session.commit()
    return block.id


def _round():
    return make_round().id


def _feed_token():
    token = create_feed_token(make_user(), "Theirs")
    db.session.commit()
    return token.token


# (method, url, setup, roles allowed, text only they may see)
PAGES = [
    ("GET", "/schedule/", None, SIGNED_IN, "Calendar feeds"),
    ("GET", "/schedule/sessions/{id}", _session, SIGNED_IN, "Open workshop"),
    ("GET", "/schedule/sessions/{id}.ics", _session, SIGNED_IN, "Open workshop"),
    ("GET", "/schedule/sessions/{id}", _private_session, LEAD_ONLY, "Secret cohort workshop"),
    ("GET", "/schedule/sessions/{id}.ics", _private_session, LEAD_ONLY, "Secret cohort workshop"),
    ("POST", "/schedule/sessions/{id}/book", _session, SIGNED_IN, None),
    ("POST", "/schedule/sessions/{id}/book", _private_session, LEAD_ONLY, None),
    ("GET", "/schedule/office-hours/{id}", _block, SIGNED_IN, "Slots"),
    ("GET", "/schedule/feeds", None, SIGNED_IN, "Your calendar links"),
    ("GET", "/schedule/sessions/{id}/register", _booked_session, LEAD_ONLY, "Rita Registered"),
    ("POST", "/schedule/bookings/{id}/attendance", _booking, LEAD_ONLY, None),
    ("GET", "/schedule/sessions/{id}/register/all", _booked_session, LEAD_ONLY, "will be marked attended"),
    ("POST", "/schedule/sessions/{id}/register/all", _booked_session, LEAD_ONLY, None),
    ("GET", "/schedule/manage", None, LEAD_ONLY, "Manage sessions"),
    ("GET", "/schedule/manage/new", None, LEAD_ONLY, "Add a session"),
    ("GET", "/schedule/manage/office-hours/new", None, LEAD_ONLY, "Add office hours"),
    ("GET", "/schedule/manage/settings", None, LEAD_ONLY, "Term weeks"),
    ("GET", "/schedule/manage/sessions/{id}/edit", _session, LEAD_ONLY, "Open workshop"),
    ("POST", "/schedule/manage/sessions/{id}/cancel", _session, LEAD_ONLY, None),
    ("POST", "/schedule/manage/terms", None, LEAD_ONLY, None),
    ("GET", "/schedule/rounds/{id}/public.ics", _round, EVERYONE, "BEGIN:VCALENDAR"),
    ("GET", "/schedule/feed/{id}.ics", _feed_token, EVERYONE, "BEGIN:VCALENDAR"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, url, setup, allowed, secret", PAGES, ids=[f"{m} {u} {s.__name__ if s else ''}"
                                                                            for m, u, s, *_ in PAGES])
def test_schedule_role_matrix(client, login_as, role, method, url, setup, allowed, secret):
    sign_in_as(login_as, role)
    target = url.format(id=setup()) if setup else url
    if method == "GET":
        response = client.get(target)
    else:
        response = client.post(target, data={"attended": "yes", "expected": "1", "reason": "", "name": "HT30",
                                             "starts_on": "2030-01-07", "weeks": "10"})
    assert_access(response, role, allowed, secret)
