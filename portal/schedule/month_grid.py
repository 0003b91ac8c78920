"""The schedule's month as a grid of weeks (Monday first), each day with its sessions and office-hours blocks."""
from __future__ import annotations

import calendar
from datetime import date

from dateutil.relativedelta import relativedelta

from portal.db_types import utcnow
from portal.schedule.models import Session
from portal.timeutil import to_local


def parse_month(value: str | None) -> date:
    """The first of the month asked for as "YYYY-MM" (years 2000 to 2100), else of this month."""
    today = to_local(utcnow()).date()
    if value:
        try:
            year, month = value.split("-")
            parsed = date(int(year), int(month), 1)
            if 2000 <= parsed.year <= 2100:
                return parsed
        except ValueError:
            pass
    return today.replace(day=1)


def month_start(day: date, months: int = 0) -> date:
    """The first of the month `months` after (negative: before) the month `day` is in."""
    # relativedelta clamps to the month's length (31 Jan + 1 month = 28/29 Feb), so no day overflows into
    # the month after; the first of that month is then always the right one.
    return (day + relativedelta(months=months)).replace(day=1)


def month_range(instants, today: date) -> tuple[date, date]:
    """The months the schedule offers: from the month before the first that holds something to the month
    after the last (this month counts as holding something), so "Previous" and "Next" stop somewhere."""
    months = [to_local(t).date().replace(day=1) for t in instants if t is not None] + [today.replace(day=1)]
    return month_start(min(months), -1), month_start(max(months), 1)


def clamp_month(month: date, earliest: date, latest: date) -> date:
    """The month asked for, moved inside [earliest, latest]."""
    return min(max(month, earliest), latest)


def month_grid(month: date, sessions: list[Session], blocks, deadlines=()) -> list[list[dict]]:
    """Weeks of days: each day, whether it is in the month, its sessions, the rounds' closing times (see
    round_deadlines), and the blocks with a slot that day."""
    closing: dict[date, list] = {}
    for deadline in deadlines:
        closing.setdefault(to_local(deadline.closes_at).date(), []).append(deadline)
    by_day: dict[date, list] = {}
    for session in sessions:
        by_day.setdefault(to_local(session.starts_at).date(), []).append(session)
    block_days: dict[date, list] = {}
    for block, slots in blocks:
        for slot in slots:
            day = to_local(slot.starts_at).date()
            if block not in block_days.setdefault(day, []):
                block_days[day].append(block)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        weeks.append([{"day": day, "in_month": day.month == month.month, "sessions": by_day.get(day, []),
                       "deadlines": closing.get(day, []), "blocks": block_days.get(day, [])} for day in week])
    return weeks
