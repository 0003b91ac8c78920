"""Demo proposals: every state in the open round, last year's selected cohort, and a round in review."""
from __future__ import annotations

from datetime import timedelta

from portal.rounds.demo import DemoContext
from portal.extensions import db
from portal.proposals.models import Proposal, ProposalState, ProposalVersion
from portal.proposals.states import set_proposal_state
from portal.rounds.models import Round, RoundState
from portal.timeutil import to_local

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
    "It is a smaller part of my role: I support students with reference managers and online reading lists.",
]
MOTIVATIONS = [
    "I want my practice recognised and to share what works with colleagues across the faculty.",
    "Working towards CMALT with a cohort would give me the structure and peer feedback I have missed.",
    "I would like to reflect on ten years of practice and move towards a leadership role in digital education.",
    "The portfolio would help me evidence the impact of the accessibility work we started last year.",
]
WINDOWS = ["Spring next year", "Summer next year", "Open submission, autumn term", "Within twelve months"]


def _answers(ctx: DemoContext, user, round_: Round, i: int, complete: bool = True) -> dict:
    rng = ctx.rng
    years = rng.choice([1, 2, 3, 4, 5, 6, 8, 10, 12])
    pathway = ctx.pathways["Associate CMALT" if years < 3 else ("Senior CMALT" if years >= 8 else "CMALT")]
    answers = dict(job_title=user.job_title, department=user.department, role_summary=rng.choice(ROLES),
                   learning_technology=rng.choice(TECH), years_experience=years, pathway_id=pathway.id,
                   motivation=rng.choice(MOTIVATIONS), submission_window=rng.choice(WINDOWS),
                   line_manager_name=f"Manager of {user.name.split()[0]}",
                   line_manager_email=f"manager{i}@example.ac.uk", line_manager_supports=True, consent=True)
    if not complete:
        answers.update(motivation="", submission_window="", line_manager_supports=False, consent=False,
                       line_manager_email="", line_manager_name="")
    return answers


def _proposal(ctx: DemoContext, user, round_: Round, i: int, *, states=(), submitted_at=None,
              complete: bool = True) -> Proposal:
    """A proposal moved through the given states by set_proposal_state, as the services would."""
    proposal = Proposal(round_id=round_.id, user_id=user.id, state=ProposalState.DRAFT, active_slot=1,
                        created_at=(submitted_at or ctx.now) - timedelta(days=3),
                        updated_at=submitted_at or ctx.now - timedelta(hours=ctx.rng.randint(1, 72)),
                        **_answers(ctx, user, round_, i, complete))
    db.session.add(proposal)
    db.session.flush()
    for state in states:
        actor = user if state in {ProposalState.SUBMITTED, ProposalState.WITHDRAWN} else ctx.lead
        set_proposal_state(proposal, state, actor, summary="Demo data")
        if state == ProposalState.SUBMITTED:
            proposal.submitted_at = submitted_at or ctx.now - timedelta(days=ctx.rng.randint(1, 10))
            proposal.version = 1
            db.session.add(ProposalVersion(proposal=proposal, version=1, answers=proposal.answers(),
                                           created_at=proposal.submitted_at))
        elif state in {ProposalState.SELECTED, ProposalState.WAITLISTED, ProposalState.NOT_SELECTED}:
            proposal.decided_at = (proposal.submitted_at or ctx.now) + timedelta(days=21)
    return proposal


def run(ctx: DemoContext) -> None:
    staff = list(ctx.staff)
    attendees = [u for u in ctx.extra.get("intro_attendees", []) if u in staff] or staff[:8]
    others = [u for u in staff if u not in attendees]
    S = ProposalState

    # The open round: submitted ones (only from people who attended an intro), one withdrawn, drafts.
    open_round = ctx.open_round
    for i, user in enumerate(attendees[:7]):
        states = (S.SUBMITTED, S.WITHDRAWN) if i == 6 else (S.SUBMITTED,)
        _proposal(ctx, user, open_round, i, states=states)
    for i, user in enumerate(others[:6]):
        _proposal(ctx, user, open_round, 100 + i, complete=i % 2 == 0)

    # Last year's cohort, now running: ten selected, a few waitlisted or not selected.
    past = ctx.past_round
    past_submitted = past.closes_at - timedelta(days=5)
    cohort = staff[-14:]
    selected = [_proposal(ctx, u, past, 200 + i, states=(S.SUBMITTED, S.SELECTED), submitted_at=past_submitted)
                for i, u in enumerate(cohort[:10])]
    for i, user in enumerate(cohort[10:]):
        outcome = S.WAITLISTED if i == 0 else S.NOT_SELECTED
        _proposal(ctx, user, past, 300 + i, states=(S.SUBMITTED, outcome), submitted_at=past_submitted)
    ctx.extra["past_selected"] = selected

    # A spring round that closed last week and is with the panel.
    closes = ctx.now - timedelta(days=7)
    review_round = Round(scheme=ctx.scheme, name=f"CMALT spring cohort {to_local(ctx.now).year}",
                         opens_at=closes - timedelta(days=35), closes_at=closes, funded_places=6,
                         budget_pence=100000, intro_required=True, state=RoundState.IN_REVIEW,
                         guidance="Tell the panel about your role and how learning technology features in it.")
    review_round.pathways = list(ctx.scheme.pathways)
    db.session.add(review_round)
    db.session.flush()
    ctx.extra["review_round"] = review_round
    ctx.extra["review_proposals"] = [
        _proposal(ctx, user, review_round, 400 + i, states=(S.SUBMITTED,),
                  submitted_at=closes - timedelta(days=ctx.rng.randint(1, 20), hours=ctx.rng.randint(0, 12)))
        for i, user in enumerate(staff[:15])]
