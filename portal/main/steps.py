"""What a home page is made of: steps, each with what it says and at most one primary action."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for

from portal.timeutil import format_local

# How a home page writes an instant: "12:00 on Wednesday 18 October 2026 GMT", "14:00 on Tue 5 Nov GMT".
LONG = "%H:%M on %A %-d %B %Y"
SHORT = "%H:%M on %a %-d %b"


def when(instant, fmt: str = SHORT) -> str:
    """An instant in the institution's zone, the way a home page says it."""
    return format_local(instant, fmt)


@dataclass(frozen=True)
class Action:
    """A link (GET) or a button (POST with a CSRF token) that a step offers."""

    label: str
    endpoint: str
    args: dict = field(default_factory=dict)
    post: bool = False

    def url(self) -> str:
        return url_for(self.endpoint, **self.args)


@dataclass
class Step:
    """One thing on a home page: a title, where it stands, and the one thing to do next (if any).

    done marks a step that needs nothing more (an intro session attended): shown, with no action.
    secondary is a quieter second way out, never a competing button (e.g. "decline" beside "accept").
    """

    key: str
    title: str
    status: str
    details: list[str] = field(default_factory=list)
    action: Action | None = None
    secondary: Action | None = None
    done: bool = False


@dataclass
class Need:
    """One thing that needs the lead (or a panel member, or a mentor): how many, and where to deal with it.

    items are the individual cases worth naming (members behind, sessions without a register), each a
    (text, action or None) pair.
    """

    key: str
    title: str
    count: int
    summary: str
    action: Action
    items: list[tuple[str, Action | None]] = field(default_factory=list)
