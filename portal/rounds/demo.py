"""The demo's base: what every feature's demo step builds on (the people, the CMALT scheme, its rounds)."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from portal.auth.models import User
from portal.extensions import db
from portal.rounds.models import Pathway, Round, Scheme
from portal.timeutil import local_to_utc, to_local

CMALT_SECTIONS = {
    "Associate CMALT": ["Contextual statement", "Core area 1: operational issues",
                        "Core area 2: teaching, learning and/or assessment processes",
                        "Core area 3: the wider context", "Core area 4: communication and working with others",
                        "Future plans"],
    "CMALT": ["Contextual statement", "Core area 1: operational issues",
              "Core area 2: teaching, learning and/or assessment processes",
              "Core area 3: the wider context", "Core area 4: communication and working with others",
              "Specialist option(s)", "Future plans"],
    "Senior CMALT": ["Contextual statement", "Core area 1: operational issues",
                     "Core area 2: teaching, learning and/or assessment processes",
                     "Core area 3: the wider context", "Core area 4: communication and working with others",
                     "Specialist option(s)", "Advanced area: leadership, strategy or research", "Future plans"],
}



@dataclass
class DemoContext:
    """What the base demo built; feature steps add to the institution from it."""

    now: datetime
    lead: User
    panel: list[User]
    mentors: list[User]
    staff: list[User]
    scheme: Scheme
    pathways: dict[str, Pathway]
    open_round: Round
    past_round: Round
    rng: random.Random
    extra: dict = field(default_factory=dict)



def seed_cmalt_scheme() -> Scheme:
    """The CMALT scheme with its three pathways, fees and portfolio sections (all editable later)."""
    scheme = Scheme(name="CMALT", awarding_body="Association for Learning Technology (ALT)",
                    description="Certified Membership of the Association for Learning Technology: a portfolio-based "
                                "accreditation for people whose work involves learning technology.",
                    website="https://www.alt.ac.uk/certified-membership")
    scheme.pathways = [
        Pathway(name="Associate CMALT", fee_pence=11000, min_years=0, max_years=3, level=1, position=0,
                eligibility="For colleagues with less than three years' experience, or for whom learning "
                            "technology is a small part of the role.",
                portfolio_sections=CMALT_SECTIONS["Associate CMALT"]),
        Pathway(name="CMALT", fee_pence=16500, min_years=3, max_years=None, level=2, position=1,
                eligibility="For colleagues with three or more years' experience of learning technology.",
                portfolio_sections=CMALT_SECTIONS["CMALT"]),
        Pathway(name="Senior CMALT", fee_pence=26500, min_years=4, max_years=None, level=3, position=2,
                eligibility="For colleagues with more than three years' experience who also lead, shape "
                            "strategy or research in learning technology.",
                portfolio_sections=CMALT_SECTIONS["Senior CMALT"]),
    ]
    db.session.add(scheme)
    return scheme


def next_weekday_at(start: datetime, weekday: int, at: time, min_days: int) -> datetime:
    """The first given weekday at least min_days after start, at a wall-clock time, as UTC."""
    local_day = to_local(start).date() + timedelta(days=min_days)
    while local_day.weekday() != weekday:
        local_day += timedelta(days=1)
    return local_to_utc(datetime.combine(local_day, at))
