"""Matching and pairings: a matching run's proposals, locking and swapping, confirming, ending, a concern.

Each service writes an audit event and queues its mail in the caller's transaction; the view commits.
A service that reads a mentor's places left locks the mentor's profile first (lock_mentors), so two
changes at once cannot both take a mentor's last place.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import update

from portal.audit.services import record
from portal.auth.models import User
from portal.db_types import utcnow
from portal.extensions import db
from portal.mentoring import matching, queries, rules
from portal.mentoring.errors import MentoringError
from portal.mentoring.models import MatchingRun, MentorProfile, Pairing, PairingState
from portal.mentoring.progress import ensure_progress
from portal.outbox.services import queue_email
from portal.web.links import absolute_url


def lock_mentors(*profiles: MentorProfile) -> None:
    """Serialise changes to these mentors' places (every mentor when none is named) and re-read them.

    As schedule/bookings.py lock_session: an UPDATE that touches the rows takes PostgreSQL's row locks and,
    as the transaction's first write, SQLite's write lock. Counts read after it see the other side's commit.
    """
    stmt = update(MentorProfile).values(capacity=MentorProfile.capacity)
    if profiles:
        stmt = stmt.where(MentorProfile.id.in_([p.id for p in profiles]))
    db.session.execute(stmt.execution_options(synchronize_session=False))
    for profile in profiles:
        db.session.refresh(profile)


def _department_rule() -> str:
    rule = current_app.config.get("MENTORING_DEPARTMENT_RULE", "hard")
    return rule if rule in ("hard", "soft") else "hard"


def _min_level() -> dict:
    return current_app.config.get("MENTORING_MIN_MENTOR_LEVEL") or matching.DEFAULT_MIN_LEVEL


def run_matching(actor: User, round_) -> MatchingRun:
    """Propose a mentor for every participant of the round who has no locked or confirmed pairing.

    Earlier proposed (unlocked) pairs are replaced; locked and confirmed ones stay and use up
    their mentors' places. This is also the rematch: participants whose pairing ended are matched
    again, those waiting longest first, and nobody else's pairing moves.
    Side effects: pairings in state 'proposed' rewritten; a MatchingRun with the unmatched and
    their reasons; audit 'matching.run'.
    """
    lock_mentors()  # the run reads every mentor's places left
    for pairing in queries.pairings_in_round(round_.id, [PairingState.PROPOSED]):
        db.session.delete(pairing)
    db.session.flush()
    mentees, mentors = queries.matching_records(round_)
    result = matching.match(mentees, mentors, department_rule=_department_rule(), min_level=_min_level())
    proposals = {p.id: p for p in queries.participants(round_.id)}
    for pair in result.pairs:
        db.session.add(Pairing(round_id=round_.id, proposal_id=pair.mentee_id, mentee_id=proposals[pair.mentee_id].user_id,
                               mentor_id=pair.mentor_id, state=PairingState.PROPOSED, explanation=pair.explanation,
                               score=pair.score))
    run = MatchingRun(round_id=round_.id, run_by_id=actor.id, proposed=len(result.pairs),
                      unmatched={str(k): v for k, v in result.unmatched.items()})
    db.session.add(run)
    db.session.flush()
    record(actor, "matching.run", run, summary=f"{round_.name}: {len(result.pairs)} proposed, "
                                               f"{len(result.unmatched)} unmatched")
    return run


def set_locked(actor: User, pairing: Pairing, locked: bool) -> Pairing:
    """Lock a proposed pair so re-runs keep it, or unlock it. Audit 'pairing.locked/unlocked'."""
    if not rules.can_change_pairing(pairing):
        raise MentoringError("Only proposed or locked pairs can be locked or unlocked.")
    pairing.state = PairingState.LOCKED if locked else PairingState.PROPOSED
    record(actor, "pairing.locked" if locked else "pairing.unlocked", pairing, summary=pairing.explanation)
    return pairing


def swap_mentor(actor: User, pairing: Pairing, profile: MentorProfile) -> Pairing:
    """Give a proposed or locked pair another mentor; the hard rules and capacity still apply.

    The pair is then locked (a lead's choice survives re-runs). Audit 'pairing.swapped'.
    """
    lock_mentors(profile)
    db.session.refresh(pairing)
    if not rules.can_change_pairing(pairing):
        raise MentoringError("Only proposed or locked pairs can change mentor.")
    if not profile.is_available:
        raise MentoringError(f"{profile.user.name} is not an approved, active mentor.", "mentor")
    mentee = queries.mentee_record(pairing.proposal)
    mentor = queries.mentor_record(profile, remaining=1)
    failure = matching.hard_rule_failure(mentee, mentor, department_rule=_department_rule(), min_level=_min_level())
    if failure:
        raise MentoringError(f"{profile.user.name} cannot mentor {pairing.mentee.name}: {failure}.", "mentor")
    if profile.id != pairing.mentor_id and queries.places_taken(profile.id) >= profile.capacity:
        raise MentoringError(f"{profile.user.name} has no places left.", "mentor")
    previous = pairing.mentor.user.name
    pairing.mentor_id = profile.id
    pairing.mentor = profile
    pairing.explanation = matching.explain(mentee, mentor)
    pairing.score = matching.pair_score(mentee, mentor, department_rule=_department_rule())
    pairing.state = PairingState.LOCKED
    record(actor, "pairing.swapped", pairing, summary=f"{previous} -> {profile.user.name}")
    return pairing


def confirm_pairing(actor: User, pairing: Pairing) -> Pairing:
    """Confirm one pair: it opens (progress record made) and both people are told.

    Side effects: state confirmed, confirmed_at; Progress with the pathway's sections; an email to
    the mentee and one to the mentor; audit 'pairing.confirmed'.
    """
    if not rules.can_change_pairing(pairing):
        raise MentoringError("Only proposed or locked pairs can be confirmed.")
    pairing.state = PairingState.CONFIRMED
    pairing.confirmed_at = utcnow()
    ensure_progress(pairing.proposal)
    mentor_user, mentee = pairing.mentor.user, pairing.mentee
    scheme = current_app.config["SCHEME_NAME"]
    queue_email(mentee.email, f"Your {scheme} mentor: {mentor_user.name}",
                f"Hello {mentee.name},\n\n{mentor_user.name} ({mentor_user.email}, {pairing.mentor.award_name}) "
                f"will be your mentor. They will be in touch to arrange a first meeting.\n\n"
                f"Your progress page: {absolute_url('mentoring.pairing', pairing_id=pairing.id)}\n", kind="mentoring")
    queue_email(mentor_user.email, f"Your new mentee: {mentee.name}",
                f"Hello {mentor_user.name},\n\nYou are now mentoring {mentee.name} ({mentee.email}), "
                f"{pairing.proposal.pathway.name if pairing.proposal.pathway else 'pathway not set'}.\n"
                f"Why you were matched: {pairing.explanation}.\n\n"
                f"Your dashboard: {absolute_url('mentoring.dashboard')}\n", kind="mentoring")
    record(actor, "pairing.confirmed", pairing, summary=f"{mentor_user.name} mentors {mentee.name}")
    return pairing


def confirm_round(actor: User, round_) -> list[Pairing]:
    """Confirm every proposed and locked pair of the round (see confirm_pairing)."""
    pairings = queries.pairings_in_round(round_.id, [PairingState.PROPOSED, PairingState.LOCKED])
    return [confirm_pairing(actor, p) for p in pairings]


def end_pairing(actor: User, pairing: Pairing, reason: str) -> Pairing:
    """End a pairing (not working, mentor withdrew…); the mentee then waits for a rematch.

    Side effects: state ended with the time and reason; the mentee is told; audit 'pairing.ended'.
    Progress stays with the participant for their next mentor.
    """
    if pairing.state == PairingState.ENDED:
        return pairing
    was_confirmed = pairing.state == PairingState.CONFIRMED
    pairing.state = PairingState.ENDED
    pairing.ended_at = utcnow()
    pairing.ended_reason = (reason or "").strip()[:300] or "Ended by the programme lead."
    if was_confirmed:
        queue_email(pairing.mentee.email, "Your mentoring pairing has ended",
                    f"Hello {pairing.mentee.name},\n\nYour pairing with {pairing.mentor.user.name} has ended "
                    f"({pairing.ended_reason}). The programme lead will find you a new mentor; your progress "
                    "is kept.\n", kind="mentoring")
    record(actor, "pairing.ended", pairing, summary=pairing.ended_reason)
    return pairing


def report_concern(actor: User, pairing: Pairing, concern: str) -> Pairing:
    """Mentor or mentee tells the lead the pairing is not working.

    Side effects: the concern is kept on the pairing (shown on the matching page); every lead is
    emailed; audit 'pairing.concern'. The pairing continues until the lead ends it.
    """
    if not rules.can_update_progress(actor, pairing) or actor.is_lead:
        raise MentoringError("Only the mentor or the participant can report a concern about their pairing.")
    concern = (concern or "").strip()
    if not concern:
        raise MentoringError("Say briefly what is not working.", "concern")
    pairing.concern_reported_at = utcnow()
    pairing.concern = concern[:2000]
    pairing.concern_reported_by_id = actor.id
    for lead in queries.leads():
        queue_email(lead.email, f"Mentoring pairing not working: {pairing.mentee.name}",
                    f"Hello {lead.name},\n\n{actor.name} reports that the pairing of {pairing.mentee.name} with "
                    f"{pairing.mentor.user.name} is not working:\n\n{pairing.concern}\n\n"
                    f"End it and rematch from the matching page: "
                    f"{absolute_url('mentoring.matching_round', round_id=pairing.round_id)}\n", kind="mentoring")
    record(actor, "pairing.concern", pairing, summary=pairing.concern[:200])
    return pairing
