"""A realistic demo institution for `flask --app wsgi demo` and `make run`."""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Callable

from sqlalchemy import func, select

from portal.audit.services import record
from portal.auth import invitations
from portal.auth.models import Role, RoleGrant, User
from portal.auth.services import hash_password
from portal.db_types import utcnow
from portal.extensions import db
from portal.mentoring import demo as mentoring_demo
from portal.panel import demo as panel_demo
from portal.proposals import demo as proposals_demo
from portal.rounds.demo import DemoContext, next_weekday_at, seed_cmalt_scheme
from portal.rounds.models import Round, RoundState
from portal.schedule import demo as schedule_demo
from portal.timeutil import to_local

DOMAIN = "example.ac.uk"
DEMO_PASSWORD = "cohort-demo-2026"

DEMO_LOGINS = [
    ("programme lead", f"lead@{DOMAIN}", DEMO_PASSWORD),
    ("panel member", f"panel1@{DOMAIN}", DEMO_PASSWORD),
    ("mentor", f"mentor1@{DOMAIN}", DEMO_PASSWORD),
    ("staff", f"staff1@{DOMAIN}", DEMO_PASSWORD),
]

DEPARTMENTS = [
    ("School of Education", "City campus"),
    ("School of Health Sciences", "Riverside campus"),
    ("Business School", "City campus"),
    ("School of Engineering", "Riverside campus"),
    ("Library and Learning Services", "City campus"),
    ("Digital Learning Team", "City campus"),
    ("School of Humanities", "Park campus"),
    ("School of Computing", "Riverside campus"),
]

FIRST = ["Amira", "Ben", "Chloe", "Dev", "Eilidh", "Farid", "Grace", "Hugo", "Ifeoma", "Jonah", "Kasia",
         "Liam", "Maya", "Niall", "Olu", "Priya", "Quentin", "Rosa", "Sam", "Tariq", "Una", "Viktor",
         "Wen", "Xavier", "Yasmin", "Zoe", "Aled", "Bethan", "Callum", "Deepa", "Elliot", "Fiona",
         "Gareth", "Hana", "Isaac", "Jess", "Kofi", "Leah", "Marcus", "Nadia", "Owen", "Pippa", "Rhys", "Saoirse"]
LAST = ["Adeyemi", "Brown", "Chen", "Davies", "Evans", "Fraser", "Gupta", "Hughes", "Iqbal", "Jones", "Kowalski",
        "Lewis", "McLeod", "Nowak", "Okafor", "Patel", "Quinn", "Roberts", "Singh", "Thomas", "Usman", "Vega",
        "Walsh", "Xu", "Young", "Zielinska"]
TITLES = ["Lecturer", "Senior Lecturer", "Learning Technologist", "Academic Librarian", "Educational Developer",
          "Digital Learning Designer", "Associate Professor", "Teaching Fellow", "Learning Technology Manager"]


class DemoRefused(Exception):
    """The database already has people in it: the demo only fills an empty one (not a service rule)."""


# Each feature's demo step adds its part of the year, in this order: the schedule first (intro
# attendance gates proposals), then proposals, panel, mentoring.
FEATURE_DEMOS: list[Callable[[DemoContext], None]] = [schedule_demo.run, proposals_demo.run, panel_demo.run,
                                                      mentoring_demo.run]


def load_demo(now: datetime | None = None, seed: int = 2026) -> list[tuple[str, str, str]]:
    """Fill an empty database with a demo institution; refuses to touch a non-empty one."""
    if db.session.scalar(select(func.count()).select_from(User)):
        raise DemoRefused("The database already has people in it; the demo only fills an empty database.")
    now = now or utcnow()
    rng = random.Random(seed)
    password_hash = hash_password(DEMO_PASSWORD)

    def person(email_local: str, name: str, dept: tuple[str, str], title: str, roles=()) -> User:
        user = User(email=f"{email_local}@{DOMAIN}", name=name, department=dept[0], campus=dept[1],
                    job_title=title, password_hash=password_hash)
        user.role_grants = [RoleGrant(role=r) for r in roles]
        db.session.add(user)
        return user

    names = [f"{f} {l}" for f, l in zip(rng.sample(FIRST, len(FIRST)), rng.choices(LAST, k=len(FIRST)))]
    lead = person("lead", "Dr Helen Marsh", DEPARTMENTS[5], "Head of Digital Education", roles=[Role.LEAD])
    panel = [person(f"panel{i + 1}", names.pop(), DEPARTMENTS[i % len(DEPARTMENTS)], rng.choice(TITLES),
                    roles=[Role.PANEL]) for i in range(5)]
    mentors = [person(f"mentor{i + 1}", names.pop(), DEPARTMENTS[(i + 2) % len(DEPARTMENTS)], rng.choice(TITLES),
                      roles=[Role.MENTOR]) for i in range(8)]
    staff = [person(f"staff{i + 1}", names.pop(), DEPARTMENTS[i % len(DEPARTMENTS)], rng.choice(TITLES))
             for i in range(30)]
    db.session.flush()
    # An external examiner the lead has invited (Invitations lists it, pending); the link went by email.
    invitations.invite(lead, "examiner@partner.example.org", "Prof Sam Okafor", Role.PANEL,
                       to_local(utcnow()).date() + timedelta(days=120))
    # Line managers: a few staff report to panel members (for conflict rules).
    for i, member in enumerate(staff):
        if i % 6 == 0:
            member.line_manager_id = panel[(i // 6) % len(panel)].id

    scheme = seed_cmalt_scheme()
    db.session.flush()
    pathways = {p.name: p for p in scheme.pathways}
    closes = next_weekday_at(now, 2, time(12, 0), 21)  # 12:00 on a Wednesday, three weeks on
    open_round = Round(scheme=scheme, name=f"CMALT cohort {to_local(now).year}/{(to_local(now).year + 1) % 100:02d}",
                       opens_at=now - timedelta(days=14), closes_at=closes, funded_places=12,
                       budget_pence=200000, intro_required=True, state=RoundState.OPEN,
                       guidance="Tell the panel about your role and how learning technology features in it. "
                                "Be specific: the panel scores clarity, pathway fit and likely impact.")
    open_round.pathways = list(scheme.pathways)
    last_year = to_local(now).year - 1
    past_round = Round(scheme=scheme, name=f"CMALT cohort {last_year}/{(last_year + 1) % 100:02d}",
                       opens_at=now - timedelta(days=400), closes_at=now - timedelta(days=370), funded_places=10,
                       budget_pence=180000, intro_required=True, state=RoundState.RUNNING,
                       guidance="Tell the panel about your role and how learning technology features in it.")
    past_round.pathways = list(scheme.pathways)
    db.session.add_all([open_round, past_round])
    db.session.flush()
    record(lead, "round.created", open_round, summary=f"Opened {open_round.name}")

    context = DemoContext(now=now, lead=lead, panel=panel, mentors=mentors, staff=staff, scheme=scheme,
                          pathways=pathways, open_round=open_round, past_round=past_round, rng=rng)
    for step in FEATURE_DEMOS:
        step(context)
        db.session.flush()
    db.session.commit()
    return DEMO_LOGINS
