"""Demo schedule: intro sessions (one past, register taken), a five-workshop series, weekly office hours,
submission deadlines, term weeks and calendar links for the demo logins."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from portal.rounds.demo import DemoContext, next_weekday_at
from portal.extensions import db
from portal.schedule.bookings import book_session
from portal.schedule.feeds import create_feed_token
from portal.schedule.models import Audience, Booking, BookingStatus, SessionKind, Term
from portal.schedule.office_hours import BlockInput, create_office_hours_block
from portal.schedule.sessions import SessionInput, create_sessions
from portal.timeutil import local_to_utc, to_local

TEAMS_LINK = "https://teams.example.ac.uk/l/meetup-join/cmalt-intro"


def run(ctx: DemoContext) -> None:
    lead, now = ctx.lead, ctx.now
    host = ctx.mentors[0]
    today = to_local(now).date()

    # Term weeks: this term began on the Monday five weeks ago.
    monday = today - timedelta(days=today.weekday() + 35)
    db.session.add(Term(name=f"T1-{monday.year % 100:02d}", starts_on=monday, weeks=12))

    # Intro sessions for the open round: one last week with its register taken, two to come.
    intro = dict(kind=SessionKind.INTRO, description="What the scheme involves, the pathways, and how to write a "
                 "good proposal. Attending one intro session is required before you submit.",
                 online_url=TEAMS_LINK, capacity=40, audience=Audience.APPLICANTS, round_id=ctx.open_round.id,
                 host_id=lead.id)
    past_start = next_weekday_at(now - timedelta(days=10), 1, time(12, 30), 0)
    [past_intro] = create_sessions(lead, SessionInput(
        title="Intro session: is CMALT for you?", starts_at=past_start, ends_at=past_start + timedelta(hours=1),
        location="Online (Teams)", **intro))
    booked = ctx.staff[:18]
    attendees = booked[:15]
    for person in booked:
        db.session.add(Booking(session=past_intro, user_id=person.id, status=BookingStatus.BOOKED,
                               attended=person in attendees, attendance_by_id=lead.id,
                               created_at=past_start - timedelta(days=5)))
    past_intro.booked_count = len(booked)
    ctx.extra["intro_attendees"] = list(attendees)

    future_intros = []
    for days, hour, room in ((4, 13, "Online (Teams)"), (11, 10, "Library seminar room 2")):
        start = next_weekday_at(now, (to_local(now).weekday() + days) % 7, time(hour, 0), days)
        future_intros += create_sessions(lead, SessionInput(
            title="Intro session: is CMALT for you?", starts_at=start, ends_at=start + timedelta(hours=1),
            location=room, **intro))
    db.session.flush()
    for person in ctx.staff[18:24]:
        book_session(person, future_intros[0], now=now)

    # Five workshops for last year's cohort, weekly on Thursdays at 14:00; the first two are past.
    first = next_weekday_at(now - timedelta(days=15), 3, time(14, 0), 0)
    workshops = create_sessions(lead, SessionInput(
        kind=SessionKind.WORKSHOP, title="Portfolio workshop", starts_at=first, ends_at=first + timedelta(hours=2),
        description="Writing to the core areas with evidence and reflection; bring a draft section.",
        location="Room 2.14, Library", capacity=15, audience=Audience.COHORT, round_id=ctx.past_round.id,
        host_id=host.id), repeat_weeks=5)
    ctx.extra["workshops"] = workshops

    # Weekly office hours: Tuesdays 14:00-16:00 for six weeks, 20-minute slots.
    tuesday = to_local(next_weekday_at(now, 1, time(14, 0), 1)).date()
    block = create_office_hours_block(lead, BlockInput(
        title="Portfolio feedback office hours", first_day=tuesday, start_time=time(14, 0), end_time=time(16, 0),
        weeks=6, slot_minutes=20, description="Twenty minutes of feedback on a draft section of your portfolio.",
        location="Digital Learning Team office, Room 1.05", online_url=TEAMS_LINK, host_id=host.id))
    db.session.flush()
    for person, slot in zip(ctx.staff[24:28], block.sessions[::2]):
        book_session(person, slot, now=now)
    ctx.extra["office_hours"] = block

    # The awarding body's submission deadlines for the cohort (all day), and the open round's closing time.
    for months, label in ((1, "Portfolio submission window A"), (3, "Portfolio submission window B"),
                          (6, "Portfolio submission window C")):
        day = (to_local(now) + timedelta(days=30 * months)).date()
        start = local_to_utc(datetime.combine(day, time(0)))
        create_sessions(lead, SessionInput(
            kind=SessionKind.DEADLINE, title=f"ALT submission deadline: {label}", all_day=True, starts_at=start,
            ends_at=local_to_utc(datetime.combine(day + timedelta(days=1), time(0))),
            description="Portfolios for this window must be submitted to ALT by the end of the day.",
            audience=Audience.COHORT, round_id=ctx.past_round.id))
    create_sessions(lead, SessionInput(
        kind=SessionKind.DEADLINE, title="Proposals close", starts_at=ctx.open_round.closes_at,
        ends_at=ctx.open_round.closes_at, description="The deadline for proposals of interest.",
        audience=Audience.EVERYONE, round_id=ctx.open_round.id))

    # Calendar links, so the demo logins see working feeds straight away.
    for person in (lead, ctx.panel[0], ctx.mentors[0], ctx.staff[0]):
        create_feed_token(person, "My calendar")
    db.session.flush()
