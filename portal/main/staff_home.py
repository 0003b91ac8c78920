"""A member of staff's home: their place in the year, round by round, one step after another.

In order: the open round and the time left; the intro session; the proposal and its outcome; then, once
selected, the next workshop and office hours, the mentor and next meeting, portfolio progress and
deadlines. A step shows only when it applies, and offers at most one primary action. Every rule is
asked of its owner (rounds, proposals, schedule, panel, mentoring rules); nothing here decides one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from portal.main.queries import next_meetings, next_session
from portal.main.steps import LONG, Action, Step, when
from portal.mentoring import queries as mentoring_queries
from portal.mentoring import rules as mentoring_rules
from portal.mentoring.models import PairingState, SectionStatus
from portal.panel import queries as panel_queries
from portal.panel import rules as panel_rules
from portal.proposals.models import Proposal, ProposalState
from portal.proposals.queries import proposals_of
from portal.proposals.rules import word_count
from portal.rounds.models import LIMITED_QUESTIONS, Round, RoundState
from portal.rounds.queries import open_rounds
from portal.rounds.rules import describe_remaining, is_accepting, phase, time_left
from portal.schedule.intro import bookable_intro_sessions, has_attended_intro
from portal.schedule.models import BookingStatus, SessionKind
from portal.schedule.queries import my_bookings, viewer_for
from portal.timeutil import format_date, to_local

# Rounds whose year is over for the person: their home no longer follows them.
FINISHED = {RoundState.ARCHIVED}


@dataclass
class Journey:
    """One round as the person lives it: the round and the steps that apply to them in it."""

    round: Round
    proposal: Proposal | None
    steps: list[Step] = field(default_factory=list)


def _round_step(round_: Round, now: datetime) -> Step:
    if is_accepting(round_, now):
        remaining = time_left(round_, now)
        status = f"Proposals close at {when(round_.closes_at, LONG)}."
        details = [f"{describe_remaining(remaining)} left." if remaining else ""]
        return Step("round", f"{round_.name} is open", status, [d for d in details if d],
                    Action("Read about the round", "rounds.detail", {"round_id": round_.id}))
    if phase(round_, now) == RoundState.SCHEDULED:
        return Step("round", f"{round_.name} opens soon", f"Proposals open at {when(round_.opens_at, LONG)}.",
                    action=Action("Read about the round", "rounds.detail", {"round_id": round_.id}))
    return Step("round", round_.name, f"Proposals closed at {when(round_.closes_at, LONG)}.",
                action=Action("Read about the round", "rounds.detail", {"round_id": round_.id}))


def _intro_step(user, round_: Round, bookings, now: datetime) -> Step:
    """Book one / booked for … / attended: what the proposal form's prerequisite reads (schedule.intro)."""
    if has_attended_intro(user, round_):
        return Step("intro", "Intro session", "You attended an intro session.", done=True)
    booked = next((b for b in bookings if b.session.kind == SessionKind.INTRO
                   and b.session.round_id in {round_.id, None}), None)
    if booked is not None:
        verb = "Booked" if booked.status == BookingStatus.BOOKED else "On the waiting list"
        return Step("intro", "Intro session",
                    f"{verb} for {booked.session.display_title} at {when(booked.session.starts_at)}.",
                    ["Attending it lets you submit your proposal."],
                    Action("See your booking", "schedule.session_page", {"session_id": booked.session.id}))
    bookable = bookable_intro_sessions(round_, user, now)
    if not bookable:
        return Step("intro", "Intro session", "There are no intro sessions left to book.",
                    ["You need to attend one before you can submit: contact the programme lead."])
    first = bookable[0]
    return Step("intro", "Book an intro session",
                f"Attend one before you submit your proposal. The next is {first.display_title} at {when(first.starts_at)}.",
                [f"{len(bookable)} session{'' if len(bookable) == 1 else 's'} with places left."],
                Action("Book a place", "schedule.session_page", {"session_id": first.id}))


def _words(proposal: Proposal) -> int:
    return sum(word_count(getattr(proposal, question)) for question in LIMITED_QUESTIONS)


def _proposal_step(round_: Round, proposal: Proposal | None, now: datetime) -> Step | None:
    accepting = is_accepting(round_, now)
    if proposal is None:
        if not accepting:
            return None
        return Step("proposal", "Your proposal", "You have not started a proposal for this round.",
                    action=Action("Start your proposal", "proposals.start", {"round_id": round_.id}, post=True))
    if proposal.state == ProposalState.DRAFT:
        words = _words(proposal)
        status = f"Draft saved at {when(proposal.updated_at)}, {words} word{'' if words == 1 else 's'} so far."
        if accepting:
            return Step("proposal", "Your proposal", status, ["Submit it before the round closes."],
                        Action("Continue your draft", "proposals.edit", {"proposal_id": proposal.id}))
        return Step("proposal", "Your proposal", status,
                    ["The round closed before it was submitted. Your draft is kept."],
                    Action("See your draft", "proposals.edit", {"proposal_id": proposal.id}))
    if proposal.state == ProposalState.SUBMITTED:
        details = [f"Version {proposal.version}." if (proposal.version or 0) > 1 else ""]
        details.append("You can still change it until the round closes." if accepting
                       else "The panel is reading the proposals; you will be told the outcome by email.")
        return Step("proposal", "Your proposal", f"Submitted at {when(proposal.submitted_at)}.",
                    [d for d in details if d],
                    Action("View your proposal", "proposals.detail", {"proposal_id": proposal.id}))
    return None


def _outcome_step(user, proposal: Proposal) -> Step | None:
    """The outcome once released (the proposal's state changes only at release), with accept or decline
    where an offer waits (panel.rules.can_respond_to_place decides)."""
    outcome = Action("Read your outcome", "panel.outcome", {"proposal_id": proposal.id})
    state = proposal.state
    if state == ProposalState.SELECTED:
        decision = panel_queries.decision_for(proposal.id)
        settings = panel_queries.settings_for(proposal.round)
        if panel_rules.can_respond_to_place(user, proposal, decision, settings):
            details = ["Tell us whether you take it up."]
            if decision.accept_by is not None:
                details = [f"Please answer by {when(decision.accept_by)}."]
            return Step("outcome", "Your outcome", "You have been offered a funded place.", details,
                        Action("Accept your place", "panel.respond", {"proposal_id": proposal.id, "answer": "accept"},
                               post=True),
                        secondary=Action("Read the outcome or decline", "panel.outcome", {"proposal_id": proposal.id}))
        # done: the place is taken up (or needs no answer), so the programme steps follow.
        return Step("outcome", "Your outcome", "You have a funded place in the cohort.", action=outcome, done=True)
    if state == ProposalState.WAITLISTED:
        decision = panel_queries.decision_for(proposal.id)
        place = f" (number {decision.waitlist_position})" if decision and decision.waitlist_position else ""
        return Step("outcome", "Your outcome", f"You are on the waiting list{place}.",
                    ["If a place comes free it is offered to you by email."], outcome)
    if state == ProposalState.NOT_SELECTED:
        return Step("outcome", "Your outcome", "You were not selected this time.",
                    ["The panel's feedback is on your outcome page."], outcome)
    if state == ProposalState.DECLINED:
        return Step("outcome", "Your outcome", "You declined your place.", action=outcome)
    return None


def _programme_steps(user, proposal: Proposal, bookings, now: datetime) -> list[Step]:
    """Once selected: the next workshop, office hours, the mentor and next meeting, portfolio and deadlines."""
    round_ = proposal.round
    steps = []
    viewer = viewer_for(user)
    booked = {kind: next((b.session for b in bookings if b.session.kind == kind and b.session.round_id in {round_.id, None}
                          and b.status == BookingStatus.BOOKED), None)
              for kind in (SessionKind.WORKSHOP, SessionKind.OFFICE_HOURS)}
    workshop = booked[SessionKind.WORKSHOP] or next_session(viewer, round_.id, SessionKind.WORKSHOP, now)
    if workshop is not None:
        place = workshop.location or ("Online" if workshop.online_url else "")
        steps.append(Step("workshop", "Next workshop", f"{workshop.display_title} at {when(workshop.starts_at)}.",
                          [place] if place else [],
                          Action("See the workshop", "schedule.session_page", {"session_id": workshop.id})))
    slot = booked[SessionKind.OFFICE_HOURS]
    if slot is not None:
        steps.append(Step("office_hours", "Office hours", f"Booked: {slot.display_title} at {when(slot.starts_at)}.",
                          action=Action("See your slot", "schedule.session_page", {"session_id": slot.id})))
    else:
        free = next_session(viewer, round_.id, SessionKind.OFFICE_HOURS, now, with_room=True)
        if free is not None:
            target = (Action("Book office hours", "schedule.block_page", {"block_id": free.block_id})
                      if free.block_id else Action("Book office hours", "schedule.session_page", {"session_id": free.id}))
            steps.append(Step("office_hours", "Office hours",
                              f"Book a slot for feedback. The next free one is at {when(free.starts_at)}.",
                              action=target))
    steps.extend(_mentoring_steps(user, proposal, now))
    deadline = next_session(viewer, round_.id, SessionKind.DEADLINE, now)
    if deadline is not None:
        steps.append(Step("deadline", "Next deadline", f"{deadline.display_title}: {format_date(deadline.starts_at)}.",
                          action=Action("See the deadline", "schedule.session_page", {"session_id": deadline.id})))
    return steps


def _mentoring_steps(user, proposal: Proposal, now: datetime) -> list[Step]:
    pairing = mentoring_queries.mentee_pairing(proposal.id)
    if pairing is None or pairing.state != PairingState.CONFIRMED:
        mentor = Step("mentor", "Your mentor", "Your mentor is being matched; you will be told by email.",
                      ["Tell us your specialist areas so the matching can use them."],
                      Action("Add your specialist areas", "mentoring.my"))
        return [mentor]
    upcoming = next_meetings([pairing.id], now).get(pairing.id)
    details = [f"Next meeting at {when(upcoming)}." if upcoming else "No next meeting agreed yet."]
    steps = [Step("mentor", "Your mentor", f"{pairing.mentor.user.name} ({pairing.mentor.award_name}).", details,
                  Action("Open your mentoring page", "mentoring.pairing", {"pairing_id": pairing.id}))]
    progress = mentoring_queries.progress_by_proposal([proposal.id]).get(proposal.id)
    if progress is not None:
        total = len(progress.sections)
        ready = sum(1 for s in progress.sections if s.status == SectionStatus.READY)
        today = to_local(now).date()
        details = []
        if progress.target_deadline:
            details.append(f"Target submission: {format_date(progress.target_deadline)}.")
        expiry = mentoring_rules.registration_expiry(progress.registered_on)
        if expiry is None:
            details.append("Not yet registered with the awarding body.")
        else:
            verb = "expired" if mentoring_rules.registration_state(progress.registered_on, today) == "expired" \
                else "expires"
            details.append(f"Registration {verb} on {format_date(expiry)}.")
        steps.append(Step("portfolio", "Your portfolio", f"{ready} of {total} sections ready.", details,
                          Action("See your progress", "mentoring.pairing", {"pairing_id": pairing.id})))
    return steps


def staff_home(user, now: datetime, invited: bool = True) -> list[Journey]:
    """The person's rounds, each with the steps that apply: every open round (unless not invited to
    apply), then every round they have a live proposal in (newest first) until it is archived."""
    mine = [p for p in proposals_of(user) if p.state != ProposalState.WITHDRAWN and p.round.state not in FINISHED]
    by_round = {p.round_id: p for p in mine}
    rounds = open_rounds(now) if invited else []
    rounds += [p.round for p in mine if p.round not in rounds]
    if not rounds:
        return []
    bookings = my_bookings(user.id, now)
    journeys = []
    for round_ in rounds:
        proposal = by_round.get(round_.id)
        journey = Journey(round_, proposal, [_round_step(round_, now)])
        if round_.intro_required and is_accepting(round_, now) and (
                proposal is None or proposal.state == ProposalState.DRAFT):
            journey.steps.append(_intro_step(user, round_, bookings, now))
        outcome = _outcome_step(user, proposal) if proposal is not None else None
        for step in (_proposal_step(round_, proposal, now), outcome):
            if step is not None:
                journey.steps.append(step)
        if outcome is not None and outcome.done and proposal.state == ProposalState.SELECTED:
            journey.steps.extend(_programme_steps(user, proposal, bookings, now))
        journeys.append(journey)
    return journeys
