"""portal.timeutil: wall-clock times in the institution's zone and the UTC instants they are stored as."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from portal.timeutil import combine_local, format_local, local_to_utc, to_local

LONDON = ZoneInfo("Europe/London")
UTC = timezone.utc


@pytest.mark.parametrize("wall, instant", [
    # The last Sunday of March 2026: at 01:00 GMT the clocks go forward to 02:00 BST, so 01:00-02:00 never
    # happens. A time in the gap moves forward by the gap, as calendars do: 01:30 is read as 02:30 BST.
    (datetime(2026, 3, 29, 1, 30), datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
    (datetime(2026, 3, 29, 1, 0), datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
    (datetime(2026, 3, 29, 1, 59), datetime(2026, 3, 29, 1, 59, tzinfo=UTC)),
    # Either side of the gap, times are what they say.
    (datetime(2026, 3, 29, 0, 59), datetime(2026, 3, 29, 0, 59, tzinfo=UTC)),
    (datetime(2026, 3, 29, 2, 0), datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
    # The last Sunday of October 2026: 01:00-02:00 happens twice (BST, then GMT); the first is meant.
    (datetime(2026, 10, 25, 1, 30), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    (datetime(2026, 10, 25, 1, 0), datetime(2026, 10, 25, 0, 0, tzinfo=UTC)),
    (datetime(2026, 10, 25, 2, 0), datetime(2026, 10, 25, 2, 0, tzinfo=UTC)),
])
def test_local_to_utc_across_both_clock_changes(wall, instant):
    assert local_to_utc(wall, LONDON) == instant


def test_a_time_in_the_spring_gap_is_shown_an_hour_later_not_earlier(app):
    stored = combine_local(date(2026, 3, 29), time(1, 30))
    assert stored == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert to_local(stored).strftime("%H:%M %Z") == "02:30 BST"
    assert format_local(stored) == "Sun 29 Mar 2026, 02:30 BST"


def test_the_autumn_overlap_is_read_as_the_first_of_the_two(app):
    stored = combine_local(date(2026, 10, 25), time(1, 30))
    assert to_local(stored).strftime("%H:%M %Z") == "01:30 BST"


def test_other_zones_move_forward_through_their_gap_too():
    # New York springs forward at 02:00 EST (UTC-5) to 03:00 EDT on 8 March 2026: 02:30 is read as 03:30 EDT.
    new_york = ZoneInfo("America/New_York")
    assert local_to_utc(datetime(2026, 3, 8, 2, 30), new_york) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert local_to_utc(datetime(2026, 11, 1, 1, 30), new_york) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_an_aware_time_is_only_converted():
    aware = datetime(2026, 3, 29, 1, 30, tzinfo=LONDON)
    assert local_to_utc(datetime(2026, 6, 1, 9, 0, tzinfo=UTC), LONDON) == datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    assert local_to_utc(aware, LONDON) == aware.astimezone(UTC)
