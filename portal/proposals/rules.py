"""Who may see and change a proposal, and what stands in the way of submitting it: pure predicates."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from portal.proposals.models import Proposal, ProposalState
from portal.rounds.models import LIMITED_QUESTIONS, Round, RoundState
from portal.rounds.rules import is_accepting, phase

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Answers that must be present before submitting, with the words used in the reason.
REQUIRED_ANSWERS = {
    "job_title": "your job title",
    "department": "your department",
    "role_summary": "a summary of your role",
    "learning_technology": "how learning technology features in your role",
    "years_experience": "your years of experience",
    "pathway_id": "the pathway you aim for",
    "motivation": "your motivation",
    "submission_window": "your intended submission window",
    "line_manager_name": "your line manager's name",
    "line_manager_email": "your line manager's email address",
}

# States in which a proposal counts as "submitted": the one definition, used by the one-per-round rule,
# the panel (what it reviews) and the dashboard (applications).
COUNTS_AS_SUBMITTED = {ProposalState.SUBMITTED, ProposalState.SELECTED, ProposalState.WAITLISTED,
                       ProposalState.NOT_SELECTED, ProposalState.DECLINED}


@dataclass
class Problem:
    """One reason a proposal cannot be submitted; sessions lists intro sessions still bookable."""

    code: str
    message: str
    sessions: list = field(default_factory=list)


def is_owner(user, proposal: Proposal) -> bool:
    return getattr(user, "id", None) is not None and proposal.user_id == user.id


def can_view(user, proposal: Proposal) -> bool:
    """Staff see only their own proposals; the lead sees every one."""
    return is_owner(user, proposal) or bool(getattr(user, "is_lead", False))


def can_save_draft(user, proposal: Proposal) -> bool:
    """A draft can always be saved by its owner (even after closing: typed text is never refused)."""
    return is_owner(user, proposal) and proposal.state == ProposalState.DRAFT


def can_edit_submitted(user, proposal: Proposal, now: datetime) -> bool:
    """A submitted proposal can be changed by its owner until the round's deadline."""
    return (is_owner(user, proposal) and proposal.state == ProposalState.SUBMITTED
            and is_accepting(proposal.round, now))


def can_withdraw(user, proposal: Proposal) -> bool:
    """Withdrawing is possible until decisions are made."""
    return (is_owner(user, proposal) and proposal.state == ProposalState.SUBMITTED
            and proposal.round.state in {RoundState.SCHEDULED, RoundState.OPEN, RoundState.CLOSED,
                                          RoundState.IN_REVIEW})


def word_count(text: str | None) -> int:
    return len((text or "").split())


def words_over(answers: dict, round_: Round) -> dict[str, tuple[int, int]]:
    """{question: (words, limit)} for each long answer over its round's limit."""
    over = {}
    for question in LIMITED_QUESTIONS:
        limit = round_.word_limit(question)
        words = word_count(answers.get(question))
        if limit and words > limit:
            over[question] = (words, limit)
    return over


def answer_problems(answers: dict, round_: Round) -> list[Problem]:
    """Missing or invalid answers and word limits, in the order the form asks them."""
    problems = []
    for name, words in REQUIRED_ANSWERS.items():
        value = answers.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append(Problem(f"missing:{name}", f"Add {words}."))
    pathway_id = answers.get("pathway_id")
    if pathway_id is not None and pathway_id not in {p.id for p in round_.pathways}:
        problems.append(Problem("invalid:pathway_id", "Choose one of the pathways this round offers."))
    email = (answers.get("line_manager_email") or "").strip()
    if email and not EMAIL_RE.match(email):
        problems.append(Problem("invalid:line_manager_email",
                                "Enter your line manager's email address like name@example.ac.uk."))
    if not answers.get("line_manager_supports"):
        problems.append(Problem("missing:line_manager_supports",
                                "Confirm that your line manager supports your proposal."))
    if not answers.get("consent"):
        problems.append(Problem("missing:consent",
                                "Agree to your answers being used to select the cohort."))
    for question, (words, limit) in words_over(answers, round_).items():
        problems.append(Problem(f"words:{question}",
                                f"{LIMITED_QUESTIONS[question]} has {words} words; the limit is {limit}."))
    return problems


def closed_problem(round_: Round, now: datetime) -> Problem | None:
    if is_accepting(round_, now):
        return None
    if phase(round_, now) == RoundState.SCHEDULED:
        return Problem("closed", "This round is not open for proposals yet.")
    return Problem("closed", "This round has closed: proposals were due by its deadline, so it cannot be "
                             "submitted now. Your draft is kept.")


def intro_problem(round_: Round, attended: bool, bookable: list, booked=None) -> Problem | None:
    """The intro-session prerequisite: the round asks for it and the person has not attended one (as
    the lead's register on the schedule says); names the one they are booked on, else those they can book."""
    if not round_.intro_required or attended:
        return None
    if booked is not None:
        return Problem("intro", "You are booked on the intro session below. Once its register shows you "
                                "attended, you can submit.", [booked])
    sessions = list(bookable)
    if sessions:
        message = "Attend an intro session first: you can still book one of the sessions below."
    else:
        message = ("Attend an intro session first. There are no intro sessions left to book; "
                   "contact the programme lead.")
    return Problem("intro", message, sessions)
