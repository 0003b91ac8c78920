"""Month arithmetic on the schedule: the first of a month some months away, and the page's previous and next."""
from __future__ import annotations

from datetime import date

import pytest

from portal.schedule.month_grid import month_start


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
    body = client.get(f"/schedule/?month={month}").get_data(as_text=True)
    assert f'href="/schedule/?month={previous}&amp;view=list" rel="prev"' in body
    assert f'href="/schedule/?month={following}&amp;view=list" rel="next"' in body
