"""A realistic demo institution for `flask --app wsgi demo` and `make run`, built through the services in the
order the year happened, so it can only hold what the rules allow (tests/test_demo_rules.py checks it)."""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from portal.auth import invitations
from portal.auth.models import Role, RoleGrant, User
from portal.auth.services import hash_password
from portal.db_types import utcnow
from portal.extensions import db
from portal.mentoring import demo as mentoring_demo
from portal.panel import demo as panel_demo
from portal.panel.setting_up import ensure_settings
from portal.proposals import demo as proposals_demo
from portal.proposals.demo import Applicant
from portal.rounds.demo import (DemoContext, move_round, new_round, next_weekday_at, seed_cmalt_scheme,
                                tick, working_day_at)
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
         "Gareth", "Hana", "Isaac", "Jess", "Kofi", "Leah", "Marcus", "Nadia", "Owen", "Pippa", "Rhys", "Saoirse",
         "Tomasz", "Ravi", "Ines", "Joel", "Mei", "Oscar"]
LAST = ["Adeyemi", "Brown", "Chen", "Davies", "Evans", "Fraser", "Gupta", "Hughes", "Iqbal", "Jones", "Kowalski",
        "Lewis", "McLeod", "Nowak", "Okafor", "Patel", "Quinn", "Roberts", "Singh", "Thomas", "Usman", "Vega",
        "Walsh", "Xu", "Young", "Zielinska"]
TITLES = ["Lecturer", "Senior Lecturer", "Learning Technologist", "Academic Librarian", "Educational Developer",
          "Digital Learning Designer", "Associate Professor", "Teaching Fellow", "Learning Technology Manager"]


class DemoRefused(Exception):
    """The database already has people in it: the demo only fills an empty one (not a service rule)."""


# Each member of staff's experience (years, leadership/strategy/research responsibilities), in staff order:
# staff 17-30 applied last year, 5-16 to the spring round, 1-6 and 31-36 to this year's round.
PROFILES = [(4, False), (2, False), (9, True), (20, True), (3, False), (1, False), (6, True), (4, False), (2, False),
            (8, False), (5, False), (11, True), (3, False), (2, False), (7, False), (4, False),
            (2, False), (5, False), (7, True), (4, False), (1, False), (6, False), (10, True), (3, False), (8, False),
            (2, False), (12, False), (5, False), (9, False), (4, False),
            (3, False), (1, False), (6, False), (5, False), (2, False), (7, False)]
GUIDANCE = ("Tell the panel about your role and how learning technology features in it. Be specific: the panel "
            "scores clarity, pathway fit and likely impact.")


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
    # Mentors get their role when the lead approves them (mentoring.pool.approve_mentor).
    mentors = [person(f"mentor{i + 1}", names.pop(), DEPARTMENTS[(i + 2) % len(DEPARTMENTS)], rng.choice(TITLES))
               for i in range(8)]
    staff = [person(f"staff{i + 1}", names.pop(), DEPARTMENTS[i % len(DEPARTMENTS)], rng.choice(TITLES))
             for i in range(len(PROFILES))]
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
    ctx = DemoContext(now=now, lead=lead, panel=panel, mentors=mentors, staff=staff, scheme=scheme,
                      pathways={p.name: p for p in scheme.pathways}, rng=rng)
    schedule_demo.base(ctx)
    _last_year(ctx)
    _spring(ctx)
    _this_year(ctx)
    mentoring_demo.example_portfolio(ctx)
    db.session.commit()
    return DEMO_LOGINS


def _applicants(ctx: DemoContext, first: int, last: int) -> list[Applicant]:
    return [Applicant(ctx.staff[i], *PROFILES[i]) for i in range(first, last)]


def _call(ctx: DemoContext, round_: Round, applicants: list[Applicant], intros: list, *, absent: int = 0,
          drafts: int = 0, until: datetime | None = None) -> list:
    """Applicants book an intro session as the round opens, the lead takes the registers, and those who
    attended write and submit by `until` (the round's closing time); the last `absent` missed their
    session and the `drafts` before them stop at a draft. Returns the submitted proposals."""
    for n, applicant in enumerate(applicants):
        session = intros[n % len(intros)]
        schedule_demo.book(ctx, applicant.person, session, round_.opens_at + timedelta(hours=2 + n))
    missed = {a.person.id for a in applicants[len(applicants) - absent:]}
    for session in intros:
        if session.ends_at < ctx.now:
            schedule_demo.take_register(ctx, session, absent=missed)
    until = until or round_.closes_at - timedelta(hours=6)
    submitted = []
    for n, applicant in enumerate(applicants):
        attended = intros[n % len(intros)].ends_at
        started = max(attended, round_.opens_at) + timedelta(hours=20)
        if n >= len(applicants) - absent - drafts:
            proposals_demo.apply(ctx, applicant, round_, n, started, complete=n % 2 == 0)
            continue
        when = max(proposals_demo.spread(started, until, n, len(applicants)), started + timedelta(hours=1))
        submitted.append(proposals_demo.apply(ctx, applicant, round_, n, started, submitted=when))
    return submitted


def _two_intros(opens: datetime) -> list[tuple[datetime, str]]:
    """A round's intro sessions: online a few working days after it opens, in the library the week after."""
    return [(working_day_at(opens, time(12, 30), 3), "Online (Teams)"),
            (working_day_at(opens, time(10, 0), 10), "Library seminar room 2")]


def _last_year(ctx: DemoContext) -> None:
    """Last year's round, from call to a running cohort: selection within the funding, release, a decline
    whose place goes down the waitlist, every other place accepted, the programme (workshops across both clock changes), matching and a year of mentoring."""
    closes = next_weekday_at(ctx.now - timedelta(days=372), 2, time(12, 0), 0)
    opens = working_day_at(closes - timedelta(days=30), time(9, 0))
    year = to_local(opens).year
    round_ = new_round(ctx, "last_year", name=f"CMALT cohort {year}/{(year + 1) % 100:02d}", opens_at=opens,
                       closes_at=closes, places=10, budget_pence=190000, guidance=GUIDANCE)
    intros = schedule_demo.intro_sessions(ctx, round_, _two_intros(opens))
    move_round(ctx, round_, RoundState.SCHEDULED, opens - timedelta(days=14))
    tick(ctx, opens)
    proposals = _call(ctx, round_, _applicants(ctx, 16, 30), intros)
    panel_demo.set_up(ctx, round_, closes - timedelta(days=5), scoring_deadline=closes + timedelta(days=14))
    tick(ctx, closes)
    panel_demo.assign(ctx, round_, closes + timedelta(hours=2))
    panel_demo.score(ctx, round_, proposals, closes + timedelta(days=1))
    selected = panel_demo.select_cohort(ctx, round_, closes + timedelta(days=16))
    released = ensure_settings(round_).released_at
    # The last one selected declines (a job elsewhere); their place goes down the waitlist and is accepted.
    offered = panel_demo.decline(ctx, selected[-1], released + timedelta(days=1))
    cohort = selected[:-1] + ([offered] if offered is not None else [])
    panel_demo.accept(ctx, cohort, released + timedelta(days=1, hours=1))
    running = released + timedelta(days=10)
    move_round(ctx, round_, RoundState.RUNNING, running)
    mentoring_demo.mentor_pool(ctx, opens - timedelta(days=40))
    schedule_demo.programme(ctx, round_, [p.applicant for p in cohort], running)
    confirmed = mentoring_demo.match_cohort(ctx, round_, cohort, running + timedelta(days=7))
    mentoring_demo.progress(ctx, confirmed, ctx.extra["deadlines"])


def _spring(ctx: DemoContext) -> None:
    """The spring round closed three weeks ago and is with the panel: a declared conflict, a disagreement,
    one member still behind; its scoring deadline is next week. One applicant missed the intro session and
    was told, as the round closed, that their draft could no longer be submitted."""
    closes = next_weekday_at(ctx.now - timedelta(days=24), 2, time(12, 0), 0)
    opens = working_day_at(closes - timedelta(days=35), time(9, 0))
    round_ = new_round(ctx, "spring", name=f"CMALT spring cohort {to_local(closes).year}", opens_at=opens,
                       closes_at=closes, places=6, budget_pence=100000, guidance=GUIDANCE)
    intros = schedule_demo.intro_sessions(ctx, round_, _two_intros(opens))
    move_round(ctx, round_, RoundState.SCHEDULED, opens - timedelta(days=14))
    tick(ctx, opens)
    proposals = _call(ctx, round_, _applicants(ctx, 4, 16), intros, absent=1)
    panel_demo.set_up(ctx, round_, closes - timedelta(days=5), scoring_deadline=working_day_at(ctx.now, time(17, 0), 7))
    tick(ctx, closes)
    panel_demo.assign(ctx, round_, closes + timedelta(hours=2))
    panel_demo.score(ctx, round_, proposals, closes + timedelta(days=1), left_to_do=3, conflict=True, dispute=True)


def _this_year(ctx: DemoContext) -> None:
    """This year's round, open now: one intro session held (register taken), two to come with bookings;
    submitted proposals (one withdrawn) and drafts; no panel yet, so its set-up checklist has steps left."""
    now = ctx.now
    opens = working_day_at(now - timedelta(days=14), time(9, 0))
    closes = next_weekday_at(now, 2, time(12, 0), 21)  # 12:00 on a Wednesday, three weeks on
    year = to_local(now).year
    round_ = new_round(ctx, "this_year", name=f"CMALT cohort {year}/{(year + 1) % 100:02d}", opens_at=opens,
                       closes_at=closes, places=12, budget_pence=200000, guidance=GUIDANCE)
    intros = schedule_demo.intro_sessions(ctx, round_, [
        (working_day_at(opens, time(12, 30), 3), "Online (Teams)"),
        (working_day_at(now, time(13, 0), 4), "Online (Teams)"),
        (working_day_at(now, time(10, 0), 11), "Library seminar room 2")])
    move_round(ctx, round_, RoundState.SCHEDULED, opens - timedelta(days=14))
    tick(ctx, opens)
    applicants = _applicants(ctx, 0, 6) + _applicants(ctx, 30, 36)
    order = applicants[:4] + applicants[6:9] + [applicants[9], applicants[4], applicants[5]] + applicants[10:]
    proposals = _call(ctx, round_, order, intros[:1], absent=2, drafts=3, until=now - timedelta(hours=2))
    proposals_demo.withdraw(ctx, proposals[-1], now - timedelta(hours=1))
    for n, person in enumerate([a.person for a in order[-2:]] + ctx.staff[6:10]):
        schedule_demo.book(ctx, person, intros[1], now - timedelta(hours=n + 1))
