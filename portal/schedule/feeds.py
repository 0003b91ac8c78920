"""Calendar feed links: each person's secret, revocable feed tokens and their reminder setting."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from portal.audit.services import record
from portal.auth.models import User
from portal.db_types import utcnow
from portal.extensions import db
from portal.schedule.errors import ScheduleError
from portal.schedule.models import FeedToken
from portal.schedule.queries import viewer_for


def _refuse_past_the_cap(user) -> None:
    """Refuse a new link when the person already holds the most live links allowed (FEED_LINKS_PER_PERSON).

    Each link is a secret that works until revoked, so an unbounded number of them is an unbounded number
    of ways in. The person's row is locked first (an UPDATE that changes nothing: PostgreSQL's row lock,
    SQLite's write lock), so two links created at once are counted one after the other.
    """
    db.session.execute(update(User).where(User.id == user.id).values(id=User.id)
                       .execution_options(synchronize_session=False))
    most = current_app.config["FEED_LINKS_PER_PERSON"]
    live = db.session.scalar(select(func.count(FeedToken.id)).where(FeedToken.user_id == user.id,
                                                                    FeedToken.revoked_at.is_(None)))
    if live >= most:
        links = "calendar link" if most == 1 else "calendar links"
        raise ScheduleError(f"You already have {most} {links}, the most one person may have. "
                            "Revoke one you no longer use, then create the new one.", "label")


def create_feed_token(user, label: str = "", scope: str = "personal", round_id: int | None = None) -> FeedToken:
    """A new secret feed link, within the person's cap of live links. Audit 'feed.created'."""
    if scope not in {"personal", "cohort"}:
        raise ScheduleError("Unknown kind of feed.")
    if scope == "cohort":
        viewer = viewer_for(user)
        if round_id is None or not (viewer.is_lead or round_id in viewer.cohort_rounds):
            raise ScheduleError("Cohort feeds are for the people selected in that round.")
    _refuse_past_the_cap(user)
    label = (label or "").strip()[:80] or ("My calendar" if scope == "personal" else "Cohort programme")
    token = FeedToken(user_id=user.id, token=secrets.token_urlsafe(32), label=label, scope=scope, round_id=round_id)
    db.session.add(token)
    db.session.flush()
    record(user, "feed.created", token, summary=f"{user.name} created feed “{label}”")
    return token


def revoke_feed_token(actor, token: FeedToken) -> FeedToken:
    """Stop a feed link working (410 Gone from now on, so calendars stop asking). Audit 'feed.revoked'."""
    if token.revoked_at is not None:
        raise ScheduleError("This feed link is already revoked.")
    token.revoked_at = utcnow()
    record(actor, "feed.revoked", token, summary=f"Feed “{token.label}” of {token.user.name} revoked")
    return token


def regenerate_feed_token(actor, token: FeedToken) -> FeedToken:
    """Replace a feed link with a new one (the old stops working; the number of live links stays the same).

    Audit 'feed.revoked' + 'feed.created'.
    """
    revoke_feed_token(actor, token)
    fresh = FeedToken(user_id=token.user_id, token=secrets.token_urlsafe(32), label=token.label, scope=token.scope,
                      round_id=token.round_id, alarm_minutes=token.alarm_minutes)
    db.session.add(fresh)
    db.session.flush()
    record(actor, "feed.created", fresh, summary=f"Feed “{fresh.label}” regenerated")
    return fresh


ALARM_CHOICES = (None, 10, 30, 60, 24 * 60)


def set_feed_alarm(actor, token: FeedToken, minutes: int | None) -> FeedToken:
    """Switch the feed's reminder alarm on (minutes before) or off. Audit 'feed.alarm'."""
    if minutes not in ALARM_CHOICES:
        raise ScheduleError("Choose one of the reminder times offered.", "alarm_minutes")
    token.alarm_minutes = minutes
    record(actor, "feed.alarm", token, summary=f"Reminder {'off' if minutes is None else f'{minutes} minutes before'}")
    return token


def touch_feed(token: FeedToken, now: datetime | None = None) -> None:
    """Remember when a calendar last fetched the feed (at most once an hour, to keep feeds read-only)."""
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(hours=1):
        token.last_used_at = now
