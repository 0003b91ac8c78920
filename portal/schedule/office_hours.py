"""Office hours: a weekly block entered once and split into one-person slots, and its waitlist for any slot."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update

from portal.audit.services import record
from portal.db_types import utcnow
from portal.extensions import db
from portal.schedule.errors import ScheduleError
from portal.schedule.invitations import mail_booked_person
from portal.schedule.models import (
    Audience, BlockWaitlistEntry, Booking, BookingStatus, OfficeHoursBlock, Session, SessionKind, SessionStatus,
)
from portal.schedule.queries import user_slots_in_block, viewer_for
from portal.schedule.rules import can_see_session, hosts_office_hours
from portal.timeutil import local_to_utc


def slot_times(first_day: date, start: time, end: time, weeks: int, slot_minutes: int) -> list[tuple[datetime, datetime]]:
    """The UTC start and end of every slot of a weekly block, in order.

    Each week keeps the same wall-clock times, so slots after a clock change start at the
    same local time (and a different UTC instant). Pure apart from reading the configured zone.
    """
    block_minutes = (datetime.combine(first_day, end) - datetime.combine(first_day, start)).total_seconds() // 60
    if block_minutes <= 0:
        raise ScheduleError("The block must end after it starts.", "end_time")
    if slot_minutes <= 0 or block_minutes % slot_minutes:
        raise ScheduleError(f"Slots of {slot_minutes} minutes do not divide a block of {int(block_minutes)} minutes.",
                            "slot_minutes")
    if not 1 <= weeks <= 52:
        raise ScheduleError("Repeat for between 1 and 52 weeks.", "weeks")
    slots = []
    for week in range(weeks):
        day = first_day + timedelta(weeks=week)
        wall = datetime.combine(day, start)
        for _ in range(int(block_minutes // slot_minutes)):
            following = wall + timedelta(minutes=slot_minutes)
            slots.append((local_to_utc(wall), local_to_utc(following)))
            wall = following
    return slots


@dataclass
class BlockInput:
    title: str
    first_day: date
    start_time: time
    end_time: time
    weeks: int = 1
    slot_minutes: int = 20
    per_person: int = 1
    description: str = ""
    location: str = ""
    online_url: str = ""
    audience: Audience = Audience.EVERYONE
    round_id: int | None = None
    host_id: int | None = None


def create_office_hours_block(actor, data: BlockInput) -> OfficeHoursBlock:
    """Enter a weekly office-hours block once; it is split into one-person slots.

    Side effects: one Session (kind office hours, capacity 1) per slot; audit 'office_hours.created'.
    """
    if not data.title.strip():
        raise ScheduleError("Enter a title.", "title")
    if data.audience != Audience.EVERYONE and data.round_id is None:
        raise ScheduleError("Choose the round whose applicants or cohort these office hours are for.", "round_id")
    if data.per_person < 1:
        raise ScheduleError("Each person may hold at least one slot.", "per_person")
    if data.online_url and not data.online_url.startswith(("https://", "http://")):
        raise ScheduleError("The online link must start with https://", "online_url")
    if data.start_time is None:
        raise ScheduleError("Enter the time the block starts.", "start_time")
    if data.end_time is None:
        raise ScheduleError("Enter the time the block ends.", "end_time")
    # Whole minutes: slots are counted in minutes, and a form's seconds would only make odd slot times.
    start, end = data.start_time.replace(second=0, microsecond=0), data.end_time.replace(second=0, microsecond=0)
    times = slot_times(data.first_day, start, end, data.weeks, data.slot_minutes)
    block = OfficeHoursBlock(
        title=data.title.strip(), description=data.description, first_day=data.first_day,
        start_time=start, end_time=end, weeks=data.weeks,
        slot_minutes=data.slot_minutes, per_person=data.per_person, location=data.location,
        online_url=data.online_url, audience=data.audience, round_id=data.round_id, host_id=data.host_id,
    )
    db.session.add(block)
    now = utcnow()
    for starts_at, ends_at in times:
        db.session.add(Session(
            kind=SessionKind.OFFICE_HOURS, title=block.title, description=data.description, starts_at=starts_at,
            ends_at=ends_at, location=data.location, online_url=data.online_url, capacity=1,
            audience=data.audience, round_id=data.round_id, host_id=data.host_id, block=block, updated_at=now,
        ))
    db.session.flush()
    record(actor, "office_hours.created", block,
           summary=f"{block.title}: {len(times)} slots of {data.slot_minutes} minutes over {data.weeks} weeks")
    return block


def lock_block(block: OfficeHoursBlock) -> OfficeHoursBlock:
    """Serialise the bookings of one person across an office-hours block's slots, and re-read the block.

    The per-person limit counts slots of the whole block, so one slot's lock is not enough: two slots
    booked at once by the same person would both see the other not yet taken. Taken after the slot's
    lock, always in that order (slot, then block), so two bookings never wait for each other in a circle.
    """
    db.session.execute(
        update(OfficeHoursBlock).where(OfficeHoursBlock.id == block.id).values(per_person=OfficeHoursBlock.per_person)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(block)
    return block


def join_block_waitlist(user, block: OfficeHoursBlock, now: datetime | None = None) -> BlockWaitlistEntry:
    """Wait for any slot in a block that has none free. Audit 'office_hours.waitlisted'."""
    now = now or utcnow()
    future = [s for s in block.sessions if s.status == SessionStatus.SCHEDULED and s.starts_at > now]
    viewer = viewer_for(user)
    if not future or not can_see_session(viewer, future[0]):
        raise ScheduleError("These office hours have no slots left to wait for.")
    if hosts_office_hours(viewer, future[0]):
        raise ScheduleError("You host these office hours, so you cannot wait for a slot in them.")
    if any(not s.is_full for s in future):
        raise ScheduleError("There are free slots: please book one of those.")
    lock_block(block)  # the same person may be booking one of the block's slots at this moment
    if user_slots_in_block(user.id, block.id) >= block.per_person:
        raise ScheduleError("You already hold a slot in these office hours.")
    entry = db.session.scalar(select(BlockWaitlistEntry).where(BlockWaitlistEntry.block_id == block.id,
                                                               BlockWaitlistEntry.user_id == user.id))
    if entry is not None and entry.resolved_at is None:
        raise ScheduleError("You are already on the waitlist for these office hours.")
    if entry is None:
        entry = BlockWaitlistEntry(block_id=block.id, user_id=user.id, user=user)
        db.session.add(entry)
    entry.created_at = now
    entry.resolved_at = None
    db.session.flush()
    record(user, "office_hours.waitlisted", block, summary=f"{user.name} waiting for a slot in {block.title}")
    return entry


def leave_block_waitlist(user, block: OfficeHoursBlock, now: datetime | None = None) -> None:
    """Stop waiting for a slot in a block. Audit 'office_hours.left_waitlist'."""
    entry = db.session.scalar(select(BlockWaitlistEntry).where(
        BlockWaitlistEntry.block_id == block.id, BlockWaitlistEntry.user_id == user.id,
        BlockWaitlistEntry.resolved_at.is_(None)))
    if entry is None:
        raise ScheduleError("You are not on the waitlist for these office hours.")
    entry.resolved_at = now or utcnow()
    record(user, "office_hours.left_waitlist", block, summary=f"{user.name} left the waitlist for {block.title}")


# ---------------------------------------------------------------- the block's waitlist, as places free up

def resolve_block_waitlist(block_id: int, user_id: int, now: datetime) -> None:
    """Close the person's open wait for the block (they have a slot now)."""
    entry = db.session.scalar(select(BlockWaitlistEntry).where(
        BlockWaitlistEntry.block_id == block_id, BlockWaitlistEntry.user_id == user_id,
        BlockWaitlistEntry.resolved_at.is_(None)))
    if entry is not None:
        entry.resolved_at = now


def offer_slot_from_block_waitlist(session: Session, now: datetime) -> Booking | None:
    """Give a freed slot to the first in the block's waitlist who may still hold one (the caller holds the
    session lock). Side effects: the booking, an email with its invitation, audit 'booking.promoted'."""
    block = session.block
    entries = db.session.scalars(
        select(BlockWaitlistEntry).where(BlockWaitlistEntry.block_id == block.id,
                                         BlockWaitlistEntry.resolved_at.is_(None))
        .order_by(BlockWaitlistEntry.created_at, BlockWaitlistEntry.id)
    ).all()
    for entry in entries:
        if user_slots_in_block(entry.user_id, block.id) >= block.per_person:
            entry.resolved_at = now
            continue
        booking = db.session.scalar(select(Booking).where(Booking.session_id == session.id,
                                                          Booking.user_id == entry.user_id))
        if booking is None:
            booking = Booking(session=session, user_id=entry.user_id, user=entry.user, created_at=now)
            db.session.add(booking)
        booking.status = BookingStatus.BOOKED
        booking.promoted_at = now
        booking.updated_at = now
        booking.cancelled_at = None
        session.booked_count += 1
        entry.resolved_at = now
        db.session.flush()
        record(None, "booking.promoted", booking,
               summary=f"{entry.user.name} given a freed slot in {block.title} from its waitlist")
        mail_booked_person(booking, f"You have an office-hours slot: {block.title}", "A slot has freed up and it "
                           "is yours: you are now booked. If the time does not suit you, cancel it so the next person "
                           "can have it.", "REQUEST", "schedule.promoted")
        return booking
    return None
