"""Demo schedule, built through the schedule's services: each round's intro sessions on working days with
their bookings and registers, the running cohort's five workshops across both clock changes, its office
hours and the awarding body's submission deadlines, term weeks and calendar links for the demo logins."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from portal.auth.models import User
from portal.extensions import db
from portal.rounds.demo import DemoContext, happened, local_day, working_day_at
from portal.rounds.models import Round
from portal.schedule.bookings import book_session, live_bookings
from portal.schedule.feeds import create_feed_token
from portal.schedule.models import Audience, BookingStatus, Session, SessionKind, Term
from portal.schedule.office_hours import BlockInput, create_office_hours_block
from portal.schedule.registers import set_attendance
from portal.schedule.sessions import SessionInput, create_sessions
from portal.timeutil import local_to_utc, zone

TEAMS_LINK = "https://teams.example.ac.uk/l/meetup-join/cmalt-intro"
INTRO_TITLE = "Intro session: is CMALT for you?"
THURSDAY = 3


def intro_sessions(ctx: DemoContext, round_: Round, starts: list[tuple[datetime, str]]) -> list[Session]:
    """The round's one-hour intro sessions, added by the lead while preparing the round.

    An open round's intro sessions are open to everyone (rules.is_in_audience). book_session asks who may
    see a session by today's clock, not the booking's `now`, so a round that has closed by today offers its
    intro sessions to everyone: otherwise nobody could have booked them in the demo's past.
    """
    audience = Audience.APPLICANTS if round_.closes_at > ctx.now else Audience.EVERYONE
    made = []
    with happened(ctx, round_.created_at):
        for start, place in starts:
            made += create_sessions(ctx.lead, SessionInput(
                kind=SessionKind.INTRO, title=INTRO_TITLE, starts_at=start, ends_at=start + timedelta(hours=1),
                description="What the scheme involves, the pathways, and how to write a good proposal. Attending "
                            "one intro session is required before you submit.",
                location=place, online_url=TEAMS_LINK if place.startswith("Online") else "", capacity=40,
                audience=audience, round_id=round_.id, host_id=ctx.lead.id))
    return made


def book(ctx: DemoContext, person: User, session: Session, at: datetime) -> None:
    """The person books the session at `at` (book_session checks it is open to them and not started)."""
    with happened(ctx, at):
        book_session(person, session, now=at)


def take_register(ctx: DemoContext, session: Session, absent: set[int] = frozenset()) -> None:
    """The lead takes the register just after the session ends: everyone booked attended but `absent`."""
    at = session.ends_at + timedelta(minutes=10)
    with happened(ctx, at):
        for booking in live_bookings(session, BookingStatus.BOOKED):
            set_attendance(ctx.lead, booking, booking.user_id not in absent, now=at)


def base(ctx: DemoContext) -> None:
    """Term weeks (this term began on the Monday five weeks ago) and a calendar link for each demo login."""
    today = local_day(ctx.now)
    monday = today - timedelta(days=today.weekday() + 35)
    db.session.add(Term(name=f"T1-{monday.year % 100:02d}", starts_on=monday, weeks=12))
    for person in (ctx.lead, ctx.panel[0], ctx.mentors[0], ctx.staff[0]):
        create_feed_token(person, "My calendar")


def _clock_changes(start: date, end: date) -> list[date]:
    """The local days on which the institution's zone changes its offset (summer time starts or ends)."""
    tz = zone()
    changes, day = [], start
    offset = datetime.combine(day, time(12), tzinfo=tz).utcoffset()
    while day < end:
        day += timedelta(days=1)
        now_offset = datetime.combine(day, time(12), tzinfo=tz).utcoffset()
        if now_offset != offset:
            changes.append(day)
            offset = now_offset
    return changes


def _thursday_before(day: date) -> date:
    return day - timedelta(days=(day.weekday() - THURSDAY) % 7 or 7)


def _thursday_after(day: date) -> date:
    return day + timedelta(days=(THURSDAY - day.weekday()) % 7 or 7)


def workshop_days(today: date) -> list[date]:
    """Five Thursdays for the cohort's workshops: either side of the clock change before today, one between,
    and either side of the one after, so the series crosses both changes. A zone without summer time gets
    five Thursdays six weeks apart, two of them past."""
    changes = _clock_changes(today - timedelta(days=240), today + timedelta(days=240))
    around = next(((a, b) for a, b in zip(changes, changes[1:]) if a <= today < b), None)
    if around is None:
        first = _thursday_before(today - timedelta(days=70))
        return [first + timedelta(weeks=6 * k) for k in range(5)]
    before, after = around
    middle = _thursday_after(before + (after - before) / 2)
    return [_thursday_before(before), _thursday_after(before), middle, _thursday_before(after),
            _thursday_after(after)]


def programme(ctx: DemoContext, round_: Round, cohort: list[User], started: datetime) -> None:
    """The running cohort's programme, set up by the lead a week after the cohort began.

    Five workshops (Thursdays 14:00 to 16:00, "Workshop n of 5"), every participant booked and the past
    registers taken; weekly office hours for the cohort, some slots booked; the awarding body's deadlines.
    """
    lead, host = ctx.lead, ctx.mentors[0]
    planned = started + timedelta(days=7)
    days = workshop_days(local_day(ctx.now))
    workshops = []
    with happened(ctx, planned):
        for number, day in enumerate(days, start=1):
            start = local_to_utc(datetime.combine(day, time(14, 0)))
            workshops += create_sessions(lead, SessionInput(
                kind=SessionKind.WORKSHOP, title="Portfolio workshop", starts_at=start,
                ends_at=start + timedelta(hours=2), description="Writing to the core areas with evidence and "
                "reflection; bring a draft section.", location="Room 2.14, Library", capacity=15,
                audience=Audience.COHORT, round_id=round_.id, host_id=host.id, series_number=number,
                series_total=len(days)))
    for n, person in enumerate(cohort):
        booked = planned + timedelta(days=1 + n % 5)
        for workshop in workshops:
            book(ctx, person, workshop, min(booked, workshop.starts_at - timedelta(days=1)))
    for k, workshop in enumerate(workshops):
        if workshop.ends_at < ctx.now:
            take_register(ctx, workshop, absent={cohort[(3 * k + 1) % len(cohort)].id})
    ctx.extra["workshops"] = workshops

    # Office hours: Tuesdays 14:00 to 16:00 for six weeks from next week, 20-minute slots, for this cohort.
    tuesday = local_day(working_day_at(ctx.now, time(14, 0), 1))
    while tuesday.weekday() != 1:
        tuesday += timedelta(days=1)
    with happened(ctx, ctx.now - timedelta(days=3)):
        block = create_office_hours_block(lead, BlockInput(
            title="Portfolio feedback office hours", first_day=tuesday, start_time=time(14, 0), end_time=time(16, 0),
            weeks=6, slot_minutes=20, description="Twenty minutes of feedback on a draft section of your portfolio.",
            location="Digital Learning Team office, Room 1.05", online_url=TEAMS_LINK, audience=Audience.COHORT,
            round_id=round_.id, host_id=host.id))
    db.session.flush()
    for person, slot in zip(cohort[:4], block.sessions[::2]):
        book(ctx, person, slot, ctx.now - timedelta(days=2))
    ctx.extra["office_hours"] = block

    # The awarding body's submission deadlines for the cohort: all day, on a Friday one, three and six months on.
    deadlines = []
    with happened(ctx, planned):
        for months, label in ((1, "Portfolio submission window A"), (3, "Portfolio submission window B"),
                              (6, "Portfolio submission window C")):
            day = local_day(ctx.now) + timedelta(days=30 * months)
            day += timedelta(days=(4 - day.weekday()) % 7)
            deadlines += create_sessions(lead, SessionInput(
                kind=SessionKind.DEADLINE, title=f"ALT submission deadline: {label}", all_day=True,
                starts_at=local_to_utc(datetime.combine(day, time(0))),
                ends_at=local_to_utc(datetime.combine(day + timedelta(days=1), time(0))),
                description="Portfolios for this window must be submitted to ALT by the end of the day.",
                audience=Audience.COHORT, round_id=round_.id))
    ctx.extra["deadlines"] = deadlines

