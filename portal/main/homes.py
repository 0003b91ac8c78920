"""Which parts of the home page a person sees: each role's part that applies to them, as plain data."""
from __future__ import annotations

from datetime import datetime

from portal.main.lead_home import lead_home
from portal.main.role_homes import mentor_home, panel_home
from portal.main.staff_home import staff_home


def home_for(user, now: datetime) -> dict:
    """The parts of one person's home, lead's first, then the panel's, the mentor's and their own year.

    A part is None when the person's roles do not give it. A lead's or a mentor's own year shows only the
    rounds they applied to: the open round's invitation to apply is for the staff the lead runs it for,
    and a mentor already holds the award.
    """
    applies_only_if_applied = user.is_lead or user.is_mentor
    journeys = staff_home(user, now, invited=not applies_only_if_applied)
    in_pool, mentees = mentor_home(user, now) if user.is_mentor else (False, None)
    return {
        "lead_needs": lead_home(now) if user.is_lead else None,
        "panel_needs": panel_home(user, now) if user.is_panel else None,
        "in_mentor_pool": in_pool,
        "mentees": mentees,
        "journeys": journeys,
        # Someone who is only staff always sees their year, if only to be told that no round is open.
        "show_year": bool(journeys) or not applies_only_if_applied,
    }
