"""The refusal every rounds service raises, and the rule that two rounds of a scheme never accept at once."""
from __future__ import annotations

from datetime import datetime

from portal.errors import ServiceError
from portal.rounds import queries
from portal.rounds.models import Round
from portal.rounds.rules import CLOCK_STATES, phase, windows_overlap
from portal.timeutil import format_local


class RoundError(ServiceError):
    """A change to a scheme, pathway or round refused by a rule; field names the form field it concerns."""


def check_no_overlap(round_: Round | None, scheme_id: int, window, now: datetime) -> None:
    """Refuse a window (anything with opens_at and closes_at) that overlaps another scheduled or open round
    of the same scheme: only one round of a scheme accepts proposals at any instant. The next round can be
    prepared and scheduled while one is open, as long as it opens once that one closes."""
    for other in queries.rounds_in_window(scheme_id, round_.id if round_ is not None else None):
        if phase(other, now) in CLOCK_STATES and windows_overlap(other, window):
            raise RoundError(
                f"“{other.name}” accepts proposals from {format_local(other.opens_at)} to "
                f"{format_local(other.closes_at)}, which overlaps these dates. Only one round of a scheme can "
                "accept proposals at a time: open this one when that one closes, or change its dates.", "opens_on")
