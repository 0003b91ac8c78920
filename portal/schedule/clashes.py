"""Clashes in the schedule: a host in two places at once, or a room booked twice (warnings, never refusals)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from portal.extensions import db
from portal.schedule.models import Session, SessionKind, SessionStatus


@dataclass(frozen=True)
class Clash:
    session: Session
    other: Session
    reason: str  # "host" or "room"

    @property
    def message(self) -> str:
        if self.reason == "host":
            who = self.session.host.name if self.session.host else "The host"
            return f"{who} is also hosting “{self.other.display_title}” at the same time."
        return f"{self.session.location} is also booked for “{self.other.display_title}” at the same time."


def _room(session: Session) -> str:
    room = (session.location or "").strip().lower()
    return "" if room in {"", "online", "teams", "zoom"} else room


def clashes_among(sessions: list[Session]) -> dict[int, list[Clash]]:
    """Host double-bookings and rooms used twice, among scheduled timed sessions (sweep by start time)."""
    timed = sorted((s for s in sessions if s.status == SessionStatus.SCHEDULED and not s.all_day
                    and s.kind != SessionKind.DEADLINE), key=lambda s: (s.starts_at, s.id))
    found: dict[int, list[Clash]] = {}
    active: list[Session] = []
    for current in timed:
        active = [s for s in active if s.ends_at > current.starts_at]
        for other in active:
            if current.host_id and current.host_id == other.host_id:
                found.setdefault(current.id, []).append(Clash(current, other, "host"))
                found.setdefault(other.id, []).append(Clash(other, current, "host"))
            if _room(current) and _room(current) == _room(other):
                found.setdefault(current.id, []).append(Clash(current, other, "room"))
                found.setdefault(other.id, []).append(Clash(other, current, "room"))
        active.append(current)
    return found


def clashes_for_many(sessions: list[Session]) -> dict[int, list[Clash]]:
    """Clashes of these sessions with anything else on at the same time: always one query (an empty one when
    none of them can clash), so a page's cost does not hang on what it shows."""
    live = [s for s in sessions if s.status == SessionStatus.SCHEDULED and not s.all_day
            and s.kind != SessionKind.DEADLINE]
    hosts = {s.host_id for s in live if s.host_id}
    rooms = {_room(s) for s in live if _room(s)}
    conditions = []
    if hosts:
        conditions.append(Session.host_id.in_(hosts))
    if rooms:
        conditions.append(func.lower(func.trim(Session.location)).in_(rooms))
    if conditions:
        criteria = [Session.status == SessionStatus.SCHEDULED, Session.all_day.is_(False),
                    Session.starts_at < max(s.ends_at for s in live),
                    Session.ends_at > min(s.starts_at for s in live), or_(*conditions)]
    else:
        criteria = [false()]
    others = db.session.scalars(
        select(Session).where(*criteria).options(joinedload(Session.host))
    ).all()
    everything = {s.id: s for s in [*live, *others]}
    ids = {s.id for s in live}
    return {key: found for key, found in clashes_among(list(everything.values())).items() if key in ids}


def clashes_for(session: Session) -> list[Clash]:
    """Clashes of one session with anything overlapping it."""
    if session.all_day or session.status != SessionStatus.SCHEDULED:
        return []
    conditions = []
    if session.host_id:
        conditions.append(Session.host_id == session.host_id)
    if _room(session):
        conditions.append(func.lower(func.trim(Session.location)) == _room(session))
    if not conditions:
        return []
    others = db.session.scalars(
        select(Session).where(Session.id != session.id, Session.status == SessionStatus.SCHEDULED,
                              Session.all_day.is_(False), Session.starts_at < session.ends_at,
                              Session.ends_at > session.starts_at, or_(*conditions))
        .options(selectinload(Session.host))
    ).all()
    return clashes_among([session, *others]).get(session.id, [])
