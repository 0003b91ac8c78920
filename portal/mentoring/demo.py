"""Demo mentoring, through the mentoring services: holders volunteer and the lead approves them, the running
cohort is matched (the lead adjusting it to the award-level rule's strictest reading) and confirmed, mentors
log meetings and progress, one participant gains the award, and an example portfolio is shared."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from portal.mentoring import meetings, pairings, pool, progress as mentoring_progress, queries, register
from portal.mentoring.errors import MentoringError
from portal.mentoring.models import Outcome, Pairing, PairingState, SectionStatus
from portal.proposals.models import Proposal
from portal.rounds.demo import DemoContext, happened, local_day, working_day_at
from portal.rounds.models import Round

# (award level, award) of each demo mentor; the last volunteers this month and waits for approval.
AWARDS = [(3, "Senior CMALT"), (2, "CMALT"), (2, "CMALT"), (3, "Senior CMALT"), (2, "CMALT"), (1, "Associate CMALT"),
          (2, "CMALT"), (2, "CMALT")]
# The two Senior CMALT holders have room for every Senior participant whichever way the matching breaks ties.
CAPACITIES = [3, 2, 1, 4, 2, 1, 2, 1]
AREAS = [["accessibility", "assessment", "leadership"], ["online learning design", "video and lecture capture"],
         ["assessment", "learning analytics"], ["research", "open education", "leadership"],
         ["digital skills", "staff development"], ["vle administration", "accessibility"],
         ["ai in education", "assessment", "student engagement"], ["copyright and licensing", "open education"]]
MENTEE_AREAS = [["accessibility"], ["assessment", "learning analytics"], ["online learning design"], ["research"],
                ["digital skills"], ["ai in education", "assessment"], ["open education"], ["student engagement"],
                ["video and lecture capture"], ["leadership", "research"]]
STAGES = [SectionStatus.READY, SectionStatus.FEEDBACK, SectionStatus.SHARED, SectionStatus.DRAFTING,
          SectionStatus.NOT_STARTED]


def mentor_pool(ctx: DemoContext, at: datetime) -> None:
    """Each holder volunteers (their own profile) and the lead approves all but the newest volunteer."""
    for i, mentor in enumerate(ctx.mentors):
        level, name = AWARDS[i % len(AWARDS)]
        pending = i == len(ctx.mentors) - 1
        when = ctx.now - timedelta(days=5) if pending else at + timedelta(days=i)
        with happened(ctx, when):
            profile = pool.save_mentor_profile(
                mentor, award_name=name, award_level=level, award_year=2015 + i, department=mentor.department,
                campus=mentor.campus, specialist_areas=AREAS[i % len(AREAS)], capacity=CAPACITIES[i % len(CAPACITIES)],
                availability_notes="Tuesday and Thursday afternoons; online or in person.")
            if not pending:
                pool.approve_mentor(ctx.lead, profile)
        profile.created_at = when
        if not pending:
            profile.approved_at = when


def _meets_own_level(pairing: Pairing) -> bool:
    return pairing.mentor.award_level >= (pairing.proposal.pathway.level if pairing.proposal.pathway else 1)


def match_cohort(ctx: DemoContext, round_: Round, cohort: list[Proposal], at: datetime) -> list[Pairing]:
    """Participants choose their areas; the lead runs the matching, gives a mentor of at least their own level
    to anyone matched below it (swap_mentor: the same hard rules and capacity), and confirms every pair."""
    for proposal, areas in zip(cohort, MENTEE_AREAS):
        with happened(ctx, at - timedelta(days=3)):
            pool.save_mentee_areas(proposal.applicant, proposal, areas)
    with happened(ctx, at):
        pairings.run_matching(ctx.lead, round_)
        for pairing in queries.pairings_in_round(round_.id, [PairingState.PROPOSED]):
            if _meets_own_level(pairing):
                continue
            for profile in queries.available_mentors():
                if profile.award_level < pairing.proposal.pathway.level:
                    continue
                try:
                    pairings.swap_mentor(ctx.lead, pairing, profile)
                    break
                except MentoringError:
                    continue  # that mentor breaks a hard rule for this pair or is full: try the next
        confirmed = pairings.confirm_round(ctx.lead, round_)
    for pairing in confirmed:
        pairing.confirmed_at = at  # when the lead confirmed; the at-risk rules count quiet spells from it
    return confirmed


def progress(ctx: DemoContext, confirmed: list[Pairing], deadlines: list) -> None:
    """Mentors record registration, a target deadline, their mentee's sections and their meetings.

    The first pairs are nearly done, later ones have barely begun; a few have not met for a while and one
    registration is close to expiry, so the at-risk list has something to show.
    """
    today = local_day(ctx.now)
    for n, pairing in enumerate(confirmed):
        mentor = pairing.mentor.user
        started = local_day(pairing.confirmed_at)
        recorded = datetime.combine(started + timedelta(days=20), time(12), tzinfo=ctx.now.tzinfo)
        registered = today - timedelta(days=670 if n == 5 else 300 + 60 * (n % 4))
        with happened(ctx, recorded):
            mentoring_progress.update_progress(mentor, pairing, registered_on=min(registered, local_day(recorded)),
                                               target_deadline=None, deadline_session_id=deadlines[n % 3].id,
                                               now=recorded)
        record = mentoring_progress.ensure_progress(pairing.proposal)
        gap, count = (35, 4) if n % 3 else (60, 2)
        for m in range(count):
            held = today - timedelta(days=10 + gap * (count - 1 - m) + (n % 3) * 20)
            logged = datetime.combine(held, time(17), tzinfo=ctx.now.tzinfo)
            section = record.sections[min(m, len(record.sections) - 1)]
            with happened(ctx, logged):
                meetings.log_meeting(mentor, pairing, held_on=held, duration_minutes=45 + 15 * (m % 2),
                                     notes=f"Talked through {section.name.lower()}.",
                                     next_steps="Draft the next section and share it a week before we meet.",
                                     next_meeting_at=None, now=logged)
        with happened(ctx, ctx.now - timedelta(days=4)):
            for k, section in enumerate(record.sections):
                status = SectionStatus.READY if n == 0 else \
                    STAGES[min(len(STAGES) - 1, max(0, k - (len(record.sections) - n)) + n % 3)]
                if status != SectionStatus.NOT_STARTED:
                    mentoring_progress.set_section_status(mentor, pairing, section, status)
        if n == 0:
            final = ctx.now - timedelta(days=3)
            with happened(ctx, final):
                meetings.log_meeting(mentor, pairing, held_on=local_day(final), duration_minutes=60,
                                     notes="Final read-through; ready to submit.", next_steps="Submit the portfolio.",
                                     next_meeting_at=working_day_at(ctx.now, time(14, 0), 9), now=final)
            with happened(ctx, ctx.now - timedelta(days=2)):
                mentoring_progress.record_outcome(ctx.lead, pairing.proposal, Outcome.AWARDED)
            record.outcome_recorded_at = ctx.now - timedelta(days=2)


def example_portfolio(ctx: DemoContext) -> None:
    """A Senior CMALT holder shares an example portfolio in the register."""
    with happened(ctx, ctx.now - timedelta(days=30)):
        register.share_example(ctx.mentors[0], pathway_id=ctx.pathways["Senior CMALT"].id,
                               job_role="Learning Technology Manager", specialist_areas=["accessibility", "leadership"],
                               summary="A Senior CMALT portfolio on leading an accessibility programme across a "
                                       "faculty.", link_url="https://example.org/portfolios/senior-cmalt-accessibility")
