"""Demo panels, through the panel services: a round's panel and rubric, scores (with a declared conflict
and a disagreement), and for last year's round the decisions, their release and the places accepted."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.panel import assigning, deciding, funding, queries, reviewing, setting_up
from portal.panel.errors import FundingExceeded
from portal.panel.models import Decision, Outcome
from portal.proposals.models import Proposal
from portal.rounds.demo import DemoContext, happened
from portal.rounds.models import Round

RUBRIC = [
    ("Clarity of how learning technology features in the role",
     "Is it clear what they do, with whom, and where learning technology comes in?", 3, True,
     ["Unclear", "Vague", "Clear in places", "Clear", "Clear and specific"]),
    ("Fit of the chosen pathway", "Does the pathway match their experience and ambitions?", 2, True,
     ["Wrong pathway", "Doubtful fit", "Plausible", "Good fit", "Ideal fit"]),
    ("Likely impact and commitment to mentor others later", "Will the award change their practice, and will they "
     "give back by mentoring?", 2, True, ["None evident", "Little", "Some", "Strong", "Exceptional"]),
    ("Would need extra support", "Recorded for planning; not counted in the total.", 1, False,
     ["None", "A little", "Some", "Regular", "A lot"]),
]
COMMENTS = ["Clear and specific about the role.", "Would like more on the pathway choice.",
            "Strong commitment to mentoring later.", "A solid proposal."]
REVIEWERS_PER_PROPOSAL = 3


def set_up(ctx: DemoContext, round_: Round, at: datetime, scoring_deadline: datetime) -> None:
    """The lead sets up the round's panel (all five members, three reviewers a proposal) and its rubric."""
    with happened(ctx, at):
        setting_up.update_settings(ctx.lead, round_, aggregate="mean", reviewers_per_proposal=REVIEWERS_PER_PROPOSAL,
                                   same_department_conflict=False, scoring_deadline=scoring_deadline, offer_days=14)
        setting_up.set_members(ctx.lead, round_, {p.id for p in ctx.panel})
        for name, description, weight, counted, labels in RUBRIC:
            setting_up.save_criterion(ctx.lead, round_, None, name=name, description=description, weight=weight,
                                      counted_in_total=counted, labels=labels)


def assign(ctx: DemoContext, round_: Round, at: datetime) -> None:
    """Proposals assigned once the round is in review (conflicted pairs never are)."""
    with happened(ctx, at):
        assigning.assign(ctx.lead, round_)


def score(ctx: DemoContext, round_: Round, proposals: list[Proposal], at: datetime, *, left_to_do: int = 0,
          conflict: bool = False, dispute: bool = False) -> None:
    """Members score what is assigned to them over the days after `at`.

    conflict: the first member declares a conflict on one proposal first. dispute: two members disagree
    sharply on one proposal. left_to_do: the last member still has that many to score.
    """
    if conflict:
        member = ctx.panel[0]
        mine = [p for p in proposals if queries.is_assigned(p.id, member.id)]
        with happened(ctx, at):
            assigning.declare_conflict(member, mine[1], "We co-authored a paper last year.")
    criteria = queries.criteria(round_.id)
    disputed = next((p for p in proposals if queries.is_assigned(p.id, ctx.panel[1].id)
                     and queries.is_assigned(p.id, ctx.panel[2].id)), None) if dispute else None
    for m, member in enumerate(ctx.panel):
        mine = [p for p in proposals if queries.is_assigned(p.id, member.id)]
        if m == len(ctx.panel) - 1 and left_to_do:
            mine = mine[:-left_to_do]
        for k, proposal in enumerate(mine):
            base = 2 + (proposal.id * 7) % 3  # each proposal has a "true" level the members roughly agree on
            values = [min(5, base + ctx.rng.choice((0, 0, 1))) for _ in criteria]
            comment = ctx.rng.choice(COMMENTS)
            if proposal is disputed and member is ctx.panel[1]:
                values, comment = [5, 5, 4, 1], "Outstanding: exactly the people the scheme is for."
            elif proposal is disputed and member is ctx.panel[2]:
                values, comment = [2, 2, 2, 4], "Hard to see how learning technology features in the role."
            with happened(ctx, at + timedelta(days=1 + m, hours=k)):
                reviewing.record_review(member, proposal, {c.id: v for c, v in zip(criteria, values)}, comment)


def ranked(round_: Round) -> list[Proposal]:
    """The round's proposals, best average total first (what the lead reads on the moderation page)."""
    reviews = {}
    for proposal in queries.proposals(round_.id):
        totals = [r.total for r in queries.reviews_of_proposal(proposal.id).values() if r.total is not None]
        reviews[proposal] = sum(totals) / len(totals) if totals else 0
    return sorted(reviews, key=lambda p: (-reviews[p], p.id))


FEEDBACK = {
    Outcome.SELECTED: "A clear, well-evidenced proposal: the panel looks forward to your portfolio.",
    Outcome.WAITLISTED: "A good proposal: you are first in line if a place comes free.",
    Outcome.NOT_SELECTED: "Thank you: the panel enjoyed reading your proposal. Places were limited this year; "
                          "please apply again.",
}


def fits(round_: Round, proposal: Proposal) -> bool:
    """Selecting the proposal keeps the round within its funded places and budget (the funding rule's answer)."""
    try:
        funding.check_selection(funding.round_funding(round_), proposal.pathway.fee_pence, confirm=False)
    except FundingExceeded:
        return False
    return True


def select_cohort(ctx: DemoContext, round_: Round, at: datetime, waitlisted: int = 1) -> list[Proposal]:
    """The lead closes scoring and decides down the ranking: selected while the funded places and the budget
    allow (the funding rule says when they no longer do), then the waitlist, then not selected; then releases.

    Returns the selected proposals. Their decisions and states are stamped `at` (release uses the real clock).
    """
    with happened(ctx, at):
        reviewing.close_scoring(ctx.lead, round_)
    selected, waiting = [], 0
    for n, proposal in enumerate(ranked(round_)):
        outcome = Outcome.NOT_SELECTED
        if not waiting and fits(round_, proposal):
            outcome = Outcome.SELECTED
            selected.append(proposal)
        elif waiting < waitlisted:
            outcome, waiting = Outcome.WAITLISTED, waiting + 1
        with happened(ctx, at + timedelta(minutes=n)):
            deciding.decide(ctx.lead, proposal, outcome=outcome.value, feedback=FEEDBACK[outcome])
    released = at + timedelta(days=2)
    with happened(ctx, released):
        deciding.release(ctx.lead, round_)
    for decision in db.session.scalars(select(Decision).where(Decision.round_id == round_.id)):
        decision.decided_at = at  # when the lead decided; release reads decisions, not this stamp
        decision.proposal.decided_at = released
    settings = setting_up.ensure_settings(round_)
    settings.scoring_closed_at, settings.released_at = at, released
    return selected


def accept(ctx: DemoContext, proposals: list[Proposal], at: datetime) -> None:
    """Each selected applicant accepts their place within a few days of the release."""
    for n, proposal in enumerate(proposals):
        when = at + timedelta(days=1 + n % 4, hours=n)
        with happened(ctx, when):
            decision = deciding.accept_place(proposal.applicant, proposal)
        decision.accepted_at = when


def decline(ctx: DemoContext, proposal: Proposal, at: datetime) -> Proposal | None:
    """The applicant declines their place, and the panel offers it to the first on the waitlist whose place
    fits the funding left (deciding.decline_place). Returns the proposal offered the place, or None."""
    with happened(ctx, at):
        offered = deciding.decline_place(proposal.applicant, proposal)
    queries.decision_for(proposal.id).declined_at = at
    if offered is None:
        return None
    # When it was offered, and the accept-by date counted from then as the service counts it from its clock.
    offered.offered_at = at
    offered.accept_by = at + timedelta(days=setting_up.ensure_settings(proposal.round).offer_days)
    return offered.proposal
