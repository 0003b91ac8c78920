"""Demo data for mentoring: a mentor pool, last year's cohort matched and confirmed, meetings and progress."""
from __future__ import annotations

from datetime import timedelta

from portal.extensions import db
from portal.mentoring import pairings, progress as mentoring_progress
from portal.mentoring.models import (ExamplePortfolio, Meeting, MenteeAreas, MentorProfile, Outcome, PairingState,
                                     SectionStatus)
from portal.mentoring.queries import pairings_in_round
from portal.proposals.models import Proposal, ProposalState
from portal.timeutil import to_local

AWARDS = [(3, "Senior CMALT"), (2, "CMALT"), (2, "CMALT"), (3, "Senior CMALT"), (2, "CMALT"), (1, "Associate CMALT"),
          (2, "CMALT"), (2, "CMALT")]
CAPACITIES = [2, 2, 1, 3, 2, 1, 2, 1]
AREAS = [["accessibility", "assessment", "leadership"], ["online learning design", "video and lecture capture"],
         ["assessment", "learning analytics"], ["research", "open education", "leadership"],
         ["digital skills", "staff development"], ["vle administration", "accessibility"],
         ["ai in education", "assessment", "student engagement"], ["copyright and licensing", "open education"]]
MENTEE_AREAS = [["accessibility"], ["assessment", "learning analytics"], ["online learning design"], ["research"],
                ["digital skills"], ["ai in education", "assessment"], ["open education"], ["student engagement"],
                ["video and lecture capture"], ["leadership", "research"]]


def _selected_proposals(ctx) -> list[Proposal]:
    selected = ctx.extra.get("past_selected")
    if selected:
        return list(selected)
    pathways = [ctx.pathways["Associate CMALT"], ctx.pathways["CMALT"], ctx.pathways["CMALT"], ctx.pathways["Senior CMALT"]]
    proposals = []
    for i, person in enumerate(ctx.staff[10:20]):
        proposal = Proposal(round_id=ctx.past_round.id, user_id=person.id, pathway_id=pathways[i % 4].id,
                            state=ProposalState.SELECTED, job_title=person.job_title, department=person.department,
                            role_summary=f"{person.job_title} in {person.department}.",
                            learning_technology="I support colleagues with the VLE and online assessment.",
                            years_experience=2 + i, motivation="Recognition of my practice.", consent=True,
                            line_manager_supports=True, created_at=ctx.now - timedelta(days=390),
                            submitted_at=ctx.now - timedelta(days=380), decided_at=ctx.now - timedelta(days=360 - i))
        db.session.add(proposal)
        proposals.append(proposal)
    db.session.flush()
    ctx.extra["past_selected"] = proposals
    return proposals


def run(ctx) -> None:
    proposals = _selected_proposals(ctx)
    approved_at = ctx.now - timedelta(days=370)
    profiles = []
    for i, mentor in enumerate(ctx.mentors):
        level, name = AWARDS[i % len(AWARDS)]
        profile = MentorProfile(user_id=mentor.id, award_name=name, award_level=level, award_year=2015 + i,
                                department=mentor.department, campus=mentor.campus, specialist_areas=AREAS[i % len(AREAS)],
                                capacity=CAPACITIES[i % len(CAPACITIES)],
                                availability_notes="Tuesday and Thursday afternoons; online or in person.",
                                close_collaborator_ids=[], created_at=approved_at - timedelta(days=5),
                                approved_at=None if i == 7 else approved_at, approved_by_id=None if i == 7 else ctx.lead.id)
        db.session.add(profile)
        profiles.append(profile)
    db.session.flush()
    for proposal, areas in zip(proposals, MENTEE_AREAS):
        db.session.add(MenteeAreas(proposal_id=proposal.id, areas=areas))
    db.session.flush()

    pairings.run_matching(ctx.lead, ctx.past_round)
    pairings.confirm_round(ctx.lead, ctx.past_round)
    confirmed_at = ctx.now - timedelta(days=320)
    today = to_local(ctx.now).date()
    stages = [SectionStatus.READY, SectionStatus.FEEDBACK, SectionStatus.SHARED, SectionStatus.DRAFTING,
              SectionStatus.NOT_STARTED]
    for n, pairing in enumerate(pairings_in_round(ctx.past_round.id, [PairingState.CONFIRMED])):
        pairing.confirmed_at = confirmed_at
        progress = mentoring_progress.ensure_progress(pairing.proposal)
        # Varied stages: the first pairs are nearly done, later ones have barely begun.
        progress.registered_on = today - timedelta(days=300 + 60 * (n % 4))
        progress.target_deadline = today + timedelta(days=30 + 45 * (n % 3))
        for k, section in enumerate(progress.sections):
            section.status = stages[min(len(stages) - 1, max(0, k - (len(progress.sections) - n)) + n % 3)] \
                if n else SectionStatus.READY
        # Meetings every five or so weeks; a few pairs have not met for a while (overdue flags).
        gap = 35 if n % 3 else 60
        count = 4 if n % 3 else 2
        for m in range(count):
            held = today - timedelta(days=10 + gap * (count - 1 - m) + (n % 3) * 20)
            db.session.add(Meeting(pairing_id=pairing.id, held_on=held, duration_minutes=45 + 15 * (m % 2),
                                   notes=f"Talked through {progress.sections[min(m, len(progress.sections) - 1)].name.lower()}.",
                                   next_steps="Draft the next section and share it a week before we meet.",
                                   logged_by_id=pairing.mentor.user_id))
        if n == 0:
            db.session.add(Meeting(pairing_id=pairing.id, held_on=today - timedelta(days=3), duration_minutes=60,
                                   notes="Final read-through; ready to submit.", next_steps="Submit the portfolio.",
                                   next_meeting_at=ctx.now + timedelta(days=9, hours=2),
                                   logged_by_id=pairing.mentor.user_id))
            progress.outcome = Outcome.AWARDED
            progress.outcome_recorded_at = ctx.now - timedelta(days=2)
            mentoring_progress.invite_to_pool(ctx.lead, pairing.proposal, progress)
    db.session.add(ExamplePortfolio(owner_id=ctx.mentors[0].id, pathway_id=ctx.pathways["Senior CMALT"].id,
                                    job_role="Learning Technology Manager",
                                    specialist_areas=["accessibility", "leadership"],
                                    summary="A Senior CMALT portfolio on leading an accessibility programme across a faculty.",
                                    link_url="https://example.org/portfolios/senior-cmalt-accessibility"))
    db.session.flush()
