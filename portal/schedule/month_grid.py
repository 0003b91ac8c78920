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


def month_grid(month: date, sessions: list[Session], blocks) -> list[list[dict]]:
    """Weeks of days: each day, whether it is in the month, its sessions, and the blocks with a slot that day."""
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
                       "blocks": block_days.get(day, [])} for day in week])
    return weeks
