"""Links the schedule hands out (in mail, feeds, invitations and its subscribe buttons), built from the route map."""
from __future__ import annotations

from portal.web.links import absolute_url


def session_url(session_id: int) -> str:
    """The session's page, where it can be booked or cancelled."""
    return absolute_url("schedule.session_page", session_id=session_id)


def _subscribe(https: str) -> dict:
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


def feed_links(token: str) -> dict:
    """A feed link both ways: https (to paste) and webcal:// (to open in a calendar app)."""
    return _subscribe(absolute_url("schedule.feed", token=token))


def round_feed_links(round_id: int) -> dict:
    """The public feed of a round, https and webcal://."""
    return _subscribe(absolute_url("schedule.round_feed", round_id=round_id))


def round_url(round_id: int) -> str:
    """The round's page, where its closing time and how to apply are."""
    return absolute_url("rounds.detail", round_id=round_id)
