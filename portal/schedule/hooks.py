"""What the schedule is handed at start-up by the features above it (wired in portal/blueprints.py).

The schedule sits below proposals and mentoring, so it cannot ask them; instead the composition root
gives it, once: who sent a proposal to / was selected in which round (the audience of a session), and
the functions whose events join a person's personal feed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import Flask, current_app
from sqlalchemy import Select

from portal.schedule.ical import CalendarEvent

# (user id) -> a SELECT of (round id, in the round's cohort?) rows, one per round the person applied to
# (any proposal but a draft). A statement rather than its rows, so the viewer stays one query.
Participation = Callable[[int], Select]
# (person) -> their events of another feature for their personal feed.
FeedEvents = Callable[[object], list[CalendarEvent]]


@dataclass(frozen=True)
class ScheduleHooks:
    """The schedule's start-up configuration, kept in app.extensions["schedule"]."""

    participation: Participation
    feed_events: tuple[FeedEvents, ...] = ()


def configure_schedule(app: Flask, *, participation: Participation, feed_events: tuple[FeedEvents, ...] = ()) -> None:
    """Hand the schedule the facts it needs from above; stored in app.extensions["schedule"]."""
    app.extensions["schedule"] = ScheduleHooks(participation=participation, feed_events=tuple(feed_events))


def schedule_hooks() -> ScheduleHooks:
    """The current app's schedule configuration (an error naming the fix when start-up left it out)."""
    try:
        return current_app.extensions["schedule"]
    except KeyError:
        raise RuntimeError("The schedule is not configured: call portal.schedule.hooks.configure_schedule(app, ...) "
                           "at start-up (portal/blueprints.py does).") from None
