"""The panel member's and the mentor's parts of the home page.

A panel member sees, for each round they score, the proposals left to score and the panel's deadline.
A mentor sees each mentee with their last meeting and the next step. The queue and the overdue rules
are the panel's and mentoring's (panel.queue.queue_for, mentoring.queries.dashboard_rows).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.main import queries
from portal.main.steps import Action, Need, when
from portal.mentoring import queries as mentoring_queries
from portal.mentoring import rules as mentoring_rules
from portal.panel import rules as panel_rules
from portal.panel.queries import settings_for
from portal.panel.queue import TO_SCORE, queue_for
from portal.timeutil import format_date, to_local


def panel_home(user, now: datetime) -> list[Need]:
    """Per round whose scoring is open and whose panel the person is on: what is left to score."""
    needs = []
    for round_ in queries.panel_rounds_of(user.id):
        settings = settings_for(round_)
        if not panel_rules.is_scoring_open(settings, round_, now):
            continue
        queue = queue_for(round_, user, settings)
        left = [item for item in queue.items if item.status in TO_SCORE]
        deadline = f" Scoring deadline: {when(settings.scoring_deadline)}." if settings.scoring_deadline else ""
        if left:
            summary = f"{len(left)} of {queue.to_score} left to score.{deadline}"
            action = Action("Score the next proposal", "panel.score", {"proposal_id": left[0].proposal_id})
        else:
            summary = f"You have scored all {queue.to_score} assigned to you.{deadline}"
            action = Action("Review your scores", "panel.queue", {"round_id": round_.id})
        needs.append(Need("to_score", f"Proposals to score in {round_.name}", len(left), summary, action,
                          [(f"{item.applicant_name} ({item.status.lower()})",
                            Action(f"Score {item.applicant_name}", "panel.score", {"proposal_id": item.proposal_id}))
                           for item in left[:5]]))
    return needs


@dataclass
class MenteeLine:
    """One mentee as the mentor's home shows them."""

    name: str
    pathway: str
    last_meeting: str
    next_step: str
    attention: bool
    action: Action


def _next_step(row, upcoming: datetime | None, written: str | None, today) -> tuple[str, bool]:
    """What the mentor does next, and whether it is overdue: the most pressing first."""
    pairing, progress = row.pairing, row.progress
    started = to_local(pairing.confirmed_at or pairing.created_at).date()
    if row.meeting_overdue:
        since = mentoring_rules.quiet_since(row.last_meeting, started)
        return f"Arrange a meeting: none since {format_date(since)}.", True
    if row.registration_at_risk:
        expiry = mentoring_rules.registration_expiry(progress.registered_on) if progress else None
        if expiry is None:
            return "Check their registration with the awarding body.", True
        verb = "expired" if row.registration == "expired" else "expires"
        return f"Renew their registration: it {verb} on {format_date(expiry)}.", True
    if row.deadline_at_risk:
        return (f"Their target deadline is {format_date(progress.target_deadline)} with "
                f"{row.total - row.ready} section(s) not ready.", True)
    if upcoming is not None:
        return f"Next meeting at {when(upcoming)}." + (f" Agreed: {written}" if written else ""), False
    if written:
        return f"Agreed at the last meeting: {written}", False
    return "Agree a next meeting.", False


def mentor_home(user, now: datetime) -> tuple[bool, list[MenteeLine]]:
    """(whether the person is in the mentor pool, their confirmed mentees with last meeting and next step)."""
    profile = mentoring_queries.profile_of(user.id)
    if profile is None:
        return False, []
    today = to_local(now).date()
    rows = mentoring_queries.dashboard_rows(mentoring_queries.mentor_pairings(profile.id), today)
    ids = [row.pairing.id for row in rows]
    upcoming = queries.next_meetings(ids, now)
    written = queries.latest_next_steps(ids)
    lines = []
    for row in rows:
        step, attention = _next_step(row, upcoming.get(row.pairing.id), written.get(row.pairing.id), today)
        proposal = row.pairing.proposal
        lines.append(MenteeLine(
            name=row.pairing.mentee.name, pathway=proposal.pathway.name if proposal.pathway else "",
            last_meeting=format_date(row.last_meeting) if row.last_meeting else "No meeting yet",
            next_step=step, attention=attention,
            action=Action(f"Open {row.pairing.mentee.name}'s page", "mentoring.pairing",
                          {"pairing_id": row.pairing.id})))
    lines.sort(key=lambda line: (not line.attention, line.name))
    return True, lines
