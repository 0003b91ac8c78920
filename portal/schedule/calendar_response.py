"""A calendar as an HTTP answer: text/calendar with an ETag and Last-Modified from its events, 304 when unchanged."""
from __future__ import annotations

import hashlib
from datetime import timedelta, timezone

from flask import current_app, make_response, request

from portal.schedule import ical

FEED_REFRESH = timedelta(hours=1)


def calendar_response(events: list[ical.CalendarEvent], *, name: str, filename: str, alarm: int | None = None,
                      method: str = "PUBLISH", refresh: timedelta | None = FEED_REFRESH, private: bool = True):
    """text/calendar with an ETag and Last-Modified computed from the events, answering 304 when unchanged.

    If-None-Match, when sent, decides alone; If-Modified-Since counts only without it (RFC 9110 13.1.3).
    """
    fingerprint = hashlib.sha256(repr((name, alarm, method, current_app.config["TIMEZONE"], [
        (e.uid, e.sequence, e.status, e.starts_at, e.ends_at, e.summary, e.location, e.description,
         e.last_modified) for e in events])).encode()).hexdigest()[:32]
    modified = max((e.last_modified for e in events if e.last_modified), default=None)
    if modified is not None:
        modified = modified.astimezone(timezone.utc).replace(microsecond=0)
    not_modified = False
    if request.if_none_match:
        # If-None-Match compares weakly (RFC 9110 13.1.2): a proxy that gzips the feed weakens our ETag to
        # W/"…", and the calendar sends that back. contains_weak also takes a list of tags, and "*".
        not_modified = request.if_none_match.contains_weak(fingerprint)
    elif request.if_modified_since and modified is not None:
        not_modified = modified <= request.if_modified_since
    if not_modified:
        response = make_response("", 304)
    else:
        body = ical.build_calendar(events, tzid=current_app.config["TIMEZONE"], name=name, method=method,
                                   alarm_minutes=alarm, refresh=refresh)
        response = make_response(body)
        response.headers["Content-Type"] = "text/calendar; charset=utf-8"
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.set_etag(fingerprint)
    if modified is not None:
        response.last_modified = modified
    response.headers["Cache-Control"] = ("private" if private else "public") + ", max-age=0, must-revalidate"
    return response
