"""Demo proposals, written and submitted through the proposals services at their time in the year: the
pathway each applicant aims for is the one the pathway guidance suggests for their experience and role."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portal.auth.models import User
from portal.extensions import db
from portal.proposals.models import Proposal, ProposalVersion
from portal.proposals.services import save_draft, start_proposal, submit_proposal, withdraw_proposal
from portal.rounds.demo import DemoContext, happened
from portal.rounds.guidance import suggest
from portal.rounds.models import Round

ROLES = [
    "I look after the virtual learning environment for the school and train colleagues in using it well.",
    "I teach undergraduate modules and lead our move to online formative assessment.",
    "I design online courses with academic colleagues, from storyboards to accessible media.",
    "I run the library's digital skills programme for students and staff.",
    "I coordinate lecture capture and hybrid teaching rooms across two campuses.",
]
TECH = [
    "Most of my week: course templates, quiz banks, accessibility checks and analytics for module teams.",
    "I use our VLE, polling and peer-review tools in every session and support colleagues who want to.",
    "Learning technology is the core of the role: I choose, pilot and evaluate tools for teaching.",
]
SMALL_PART = "It is a smaller part of my role: I support students with reference managers and online reading lists."
LEADING = "I lead the faculty's digital education strategy and a small research project on online feedback."
MOTIVATIONS = [
    "I want my practice recognised and to share what works with colleagues across the faculty.",
    "Working towards CMALT with a cohort would give me the structure and peer feedback I have missed.",
    "I would like to reflect on years of practice and share what our team has learned with the sector.",
    "The portfolio would help me evidence the impact of the accessibility work we started last year.",
]
WINDOWS = ["Spring next year", "Summer next year", "Open submission, autumn term", "Within twelve months"]


@dataclass(frozen=True)
class Applicant:
    """Who applies and what they bring: years of experience and whether they lead, shape strategy or research."""

    person: User
    years: int
    leads: bool = False


def answers(ctx: DemoContext, applicant: Applicant, round_: Round, n: int, complete: bool = True) -> dict:
    """A proposal's answers; the pathway is the guidance's suggestion (rounds.guidance.suggest)."""
    person, rng = applicant.person, ctx.rng
    suggestion = suggest(round_.pathways, applicant.years, applicant.leads, role=person.job_title)
    tech = LEADING if applicant.leads else (SMALL_PART if applicant.years < 3 and n % 2 else rng.choice(TECH))
    manager = person.line_manager
    result = dict(job_title=person.job_title, department=person.department, role_summary=rng.choice(ROLES),
                  learning_technology=tech, years_experience=applicant.years,
                  leads_learning_technology=applicant.leads, pathway_id=suggestion.pathway.id,
                  motivation=rng.choice(MOTIVATIONS), submission_window=rng.choice(WINDOWS),
                  line_manager_name=manager.name if manager else f"Manager of {person.name.split()[0]}",
                  line_manager_email=manager.email if manager else f"manager{n}@example.ac.uk",
                  line_manager_supports=True, consent=True)
    if not complete:
        result.update(motivation="", submission_window="", line_manager_supports=False, consent=False,
                      line_manager_email="", line_manager_name="")
    return result


def apply(ctx: DemoContext, applicant: Applicant, round_: Round, n: int, started: datetime,
          submitted: datetime | None = None, complete: bool = True) -> Proposal:
    """The applicant starts a draft at `started` and, when `submitted` is given, submits it then
    (submit_proposal checks the round is open at that time and that they attended an intro session)."""
    person = applicant.person
    with happened(ctx, started):
        proposal = start_proposal(person, round_, now=started)
        save_draft(person, proposal, answers(ctx, applicant, round_, n, complete))
    # When the person wrote it (no rule reads these two; the closing time is checked against `now`).
    proposal.created_at = proposal.updated_at = started
    if submitted is not None:
        with happened(ctx, submitted):
            submit_proposal(person, proposal, now=submitted)
        proposal.updated_at = submitted
        for version in db.session.scalars(select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)):
            version.created_at = submitted
    return proposal


def withdraw(ctx: DemoContext, proposal: Proposal, at: datetime) -> None:
    """The applicant withdraws a submitted proposal (proposals.services.withdraw_proposal)."""
    with happened(ctx, at):
        withdraw_proposal(proposal.applicant, proposal)
    proposal.withdrawn_at = at  # set_proposal_state stamps the real clock; this is when it happened


def spread(start: datetime, end: datetime, n: int, total: int) -> datetime:
    """The n-th of `total` moments spread evenly between start and end (when applicants submit)."""
    return start + (end - start) * (n + 1) / (total + 1)
