"""Calendar feed links: each person's secret, revocable feed tokens and their reminder setting."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from portal.audit.services import record
from portal.db_types import utcnow
from portal.extensions import db
from portal.schedule.errors import ScheduleError
from portal.schedule.models import FeedToken
from portal.schedule.queries import viewer_for


def create_feed_token(user, label: str = "", scope: str = "personal", round_id: int | None = None) -> FeedToken:
    """A new secret feed link. Audit 'feed.created'."""
    if scope not in {"personal", "cohort"}:
        raise ScheduleError("Unknown kind of feed.")
    if scope == "cohort":
        viewer = viewer_for(user)
        if round_id is None or not (viewer.is_lead or round_id in viewer.cohort_rounds):
            raise ScheduleError("Cohort feeds are for the people selected in that round.")
    label = (label or "").strip()[:80] or ("My calendar" if scope == "personal" else "Cohort programme")
    token = FeedToken(user_id=user.id, token=secrets.token_urlsafe(32), label=label, scope=scope, round_id=round_id)
    db.session.add(token)
    db.session.flush()
    record(user, "feed.created", token, summary=f"{user.name} created feed “{label}”")
    return token


def revoke_feed_token(actor, token: FeedToken) -> FeedToken:
    """Stop a feed link working (404 from now on). Audit 'feed.revoked'."""
    if token.revoked_at is not None:
        raise ScheduleError("This feed link is already revoked.")
    token.revoked_at = utcnow()
    record(actor, "feed.revoked", token, summary=f"Feed “{token.label}” of {token.user.name} revoked")
    return token


def regenerate_feed_token(actor, token: FeedToken) -> FeedToken:
    """Replace a feed link with a new one (the old stops working). Audit 'feed.revoked' + 'feed.created'."""
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
