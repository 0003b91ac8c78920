"""Demo data for the panel: a round in review, its panel of five, a rubric, scores with a conflict and a disagreement."""
from __future__ import annotations

from datetime import timedelta

from portal.rounds.demo import DemoContext
from portal.extensions import db
from portal.panel import assigning, queries, reviewing, setting_up
from portal.proposals.models import Proposal, ProposalState
from portal.rounds.models import Round, RoundState

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

STORIES = [
    ("I run the VLE support desk for the faculty and train new staff in Moodle.",
     "Most of my week is spent on online assessment set-up and accessibility checks."),
    ("I teach on the nursing programme and lead our simulation-based learning.",
     "I use lecture capture and an e-portfolio with 300 students a year."),
    ("I am a subject librarian who designs online information-literacy modules.",
     "I build H5P activities and support staff with reading-list software."),
]


def _review_round(ctx: DemoContext) -> tuple[Round, list[Proposal]]:
    """The proposals demo's round in review, or one made here from the demo staff when it has none."""
    round_ = ctx.extra.get("review_round")
    proposals = ctx.extra.get("review_proposals")
    if round_ is not None and proposals:
        return round_, list(proposals)
    now = ctx.now
    round_ = Round(scheme=ctx.scheme, name="CMALT spring cohort (in review)", opens_at=now - timedelta(days=60),
                   closes_at=now - timedelta(days=9), funded_places=8, budget_pence=150000, intro_required=False,
                   state=RoundState.IN_REVIEW, guidance="Tell the panel about your role.")
    round_.pathways = list(ctx.scheme.pathways)
    db.session.add(round_)
    db.session.flush()
    pathways = list(ctx.scheme.pathways)
    proposals = []
    for i, person in enumerate(ctx.staff[:15]):
        role, tech = STORIES[i % len(STORIES)]
        manager = person.line_manager
        proposal = Proposal(round_id=round_.id, user_id=person.id, pathway_id=pathways[i % 3].id,
                            state=ProposalState.SUBMITTED, job_title=person.job_title, department=person.department,
                            role_summary=role, learning_technology=tech, years_experience=1 + (i * 2) % 9,
                            motivation="I want recognition for this work and to mentor colleagues afterwards.",
                            submission_window="Within 12 months", line_manager_name=manager.name if manager else "",
                            line_manager_email=manager.email if manager else "", line_manager_supports=True,
                            consent=True, submitted_at=now - timedelta(days=10 + i % 5), version=1, active_slot=1)
        db.session.add(proposal)
        proposals.append(proposal)
    db.session.flush()
    return round_, proposals


def run(ctx: DemoContext) -> None:
    round_, proposals = _review_round(ctx)
    lead = ctx.lead
    settings = setting_up.ensure_settings(round_)
    settings.scoring_deadline = ctx.now + timedelta(days=7)
    setting_up.set_members(lead, round_, {p.id for p in ctx.panel})
    criteria = [setting_up.save_criterion(lead, round_, None, name=name, description=description, weight=weight,
                                        counted_in_total=counted, labels=labels)
                for name, description, weight, counted, labels in RUBRIC]
    assigning.assign(lead, round_)
    db.session.flush()

    # A declared conflict: the first panel member knows one applicant well.
    conflicted_member = ctx.panel[0]
    candidates = [p for p in proposals if queries.is_assigned(p.id, conflicted_member.id)]
    declared_on = candidates[1] if len(candidates) > 1 else candidates[0]
    assigning.declare_conflict(conflicted_member, declared_on, "We co-authored a paper last year.")

    # Scores: everyone scores what is assigned, except that the last member has three still to do.
    # The first proposal gets a clear disagreement between two members.
    disputed = next(p for p in proposals if queries.is_assigned(p.id, ctx.panel[1].id)
                    and queries.is_assigned(p.id, ctx.panel[2].id))
    rng = ctx.rng
    for member in ctx.panel:
        mine = [p for p in proposals if queries.is_assigned(p.id, member.id)]
        if member is ctx.panel[4]:
            mine = mine[:-3]
        for proposal in mine:
            base = 2 + (proposal.id * 7) % 3  # each proposal has a "true" level the members roughly agree on
            values = [min(5, base + rng.choice((0, 0, 1))) for _ in criteria]
            comment = rng.choice(["Clear and specific about the role.", "Would like more on the pathway choice.",
                                  "Strong commitment to mentoring later.", "A solid proposal."])
            if proposal is disputed and member is ctx.panel[1]:
                values, comment = [5, 5, 4, 1], "Outstanding: exactly the people the scheme is for."
            elif proposal is disputed and member is ctx.panel[2]:
                values, comment = [2, 2, 2, 4], "Hard to see how learning technology features in the role."
            reviewing.record_review(member, proposal, {c.id: v for c, v in zip(criteria, values)}, comment)
    ctx.extra["panel_round"] = round_
