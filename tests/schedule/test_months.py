"""Month arithmetic on the schedule: the first of a month some months away, and the page's previous and next."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from portal.db_types import utcnow
from portal.schedule.month_grid import clamp_month, month_range, month_start
from portal.timeutil import local_to_utc, to_local
from tests.factories import make_session


@pytest.mark.parametrize("day, months, first", [
    (date(2027, 1, 1), 1, date(2027, 2, 1)),
    (date(2027, 1, 1), -1, date(2026, 12, 1)),
    (date(2026, 12, 1), 1, date(2027, 1, 1)),
    # From the end of a long month the day would overflow a short one by hand (31 Jan + 32 days is 4 March).
    (date(2027, 1, 31), 1, date(2027, 2, 1)),
    (date(2027, 3, 31), -1, date(2027, 2, 1)),
    (date(2028, 1, 30), 1, date(2028, 2, 1)),
    (date(2027, 5, 17), 0, date(2027, 5, 1)),
    (date(2027, 5, 17), 12, date(2028, 5, 1)),
    (date(2027, 5, 17), -17, date(2025, 12, 1)),
])
def test_month_start(day, months, first):
    assert month_start(day, months) == first


@pytest.mark.parametrize("month, previous, following", [
    ("2027-01", "2026-12", "2027-02"),
    ("2026-12", "2026-11", "2027-01"),
    ("2028-03", "2028-02", "2028-04"),
])
def test_the_schedule_links_to_the_month_before_and_after(client, login_as, month, previous, following):
    login_as()
    make_session(title="Early", starts_at=local_to_utc(datetime(2026, 10, 5, 10)))
    make_session(title="Late", starts_at=local_to_utc(datetime(2028, 6, 5, 10)))
    body = client.get(f"/schedule/?month={month}").get_data(as_text=True)
    assert f'href="/schedule/?month={previous}&amp;view=list" rel="prev"' in body
    assert f'href="/schedule/?month={following}&amp;view=list" rel="next"' in body


def test_month_range_runs_from_the_month_before_the_first_to_the_month_after_the_last(app):
    at = [local_to_utc(datetime(2030, 3, 31, 23, 30)), None, local_to_utc(datetime(2029, 5, 1, 0, 30))]
    # 23:30 on 31 March (BST) is still March on the institution's clock; this month counts too.
    assert month_range(at, date(2029, 7, 14)) == (date(2029, 4, 1), date(2030, 4, 1))
    assert month_range([], date(2029, 7, 14)) == (date(2029, 6, 1), date(2029, 8, 1))
    assert clamp_month(date(2100, 1, 1), date(2029, 6, 1), date(2029, 8, 1)) == date(2029, 8, 1)
    assert clamp_month(date(2000, 1, 1), date(2029, 6, 1), date(2029, 8, 1)) == date(2029, 6, 1)
    assert clamp_month(date(2029, 7, 1), date(2029, 6, 1), date(2029, 8, 1)) == date(2029, 7, 1)


def test_month_navigation_stops_a_month_beyond_what_the_schedule_holds(client, login_as):
    login_as()
    make_session(title="Far workshop", starts_at=local_to_utc(datetime(2030, 3, 12, 10)))
    last = client.get("/schedule/?month=2030-04").get_data(as_text=True)
    assert 'rel="prev"' in last and 'rel="next"' not in last
    this_month = to_local(utcnow()).date().replace(day=1)
    first = month_start(this_month, -1).strftime("%Y-%m")
    earliest = client.get(f"/schedule/?month={first}&view=grid").get_data(as_text=True)
    assert 'rel="next"' in earliest and 'rel="prev"' not in earliest


@pytest.mark.parametrize("asked, shown", [("2100-01", "2030-04"), ("2000-01", None)])
def test_a_month_beyond_the_range_is_sent_to_the_nearest_one(client, login_as, asked, shown):
    login_as()
    make_session(title="Far workshop", starts_at=local_to_utc(datetime(2030, 3, 12, 10)))
    shown = shown or month_start(to_local(utcnow()).date(), -1).strftime("%Y-%m")
    response = client.get(f"/schedule/?month={asked}&view=grid")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/schedule/?month={shown}&view=grid"
    assert client.get(response.headers["Location"]).status_code == 200
