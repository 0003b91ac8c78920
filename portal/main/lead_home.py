"""The programme lead's home: what needs them today, each with a count and a link to where it is done.

Proposals waiting for scores (and which panel members are behind), decisions to make and outcomes to
release, offers waiting past their accept-by date, sessions in the past without a register, participants
at risk, mentees without a mentor and failed emails. Whether a round is scoring or deciding is the
panel's rule, who is at risk the dashboard's (on mentoring's thresholds), who waits for a mentor
mentoring's; this module only gathers and counts. A fixed number of queries per live round.
"""
from __future__ import annotations

from datetime import datetime

from portal.dashboard.at_risk import at_risk
from portal.dashboard.funnel import participants
from portal.dashboard.queries import rounds as rounds_past_drafting
from portal.dashboard.queries import scoring_progress
from portal.main import queries
from portal.main.steps import Action, Need, when
from portal.mentoring.queries import waiting_participants
from portal.panel import rules as panel_rules
from portal.panel.queries import default_settings
from portal.rounds.models import Round, RoundState
from portal.rounds.rules import phase

# Rounds whose cohort is on the programme: their participants can be at risk or wait for a mentor.
PROGRAMME_STATES = {RoundState.DECIDED, RoundState.RUNNING}
# How many cases a need names on the home page; the page it links to has them all.
NAMED = 5


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _named(cases: list[str], most: int = NAMED) -> list[tuple[str, None]]:
    """The first few cases by name, and how many more the linked page lists."""
    named = [(case, None) for case in cases[:most]]
    if len(cases) > most:
        named.append((f"and {len(cases) - most} more", None))
    return named


def _panel_needs(round_: Round, settings, waiting: int, decided: tuple[int, int], offers: int,
                 now: datetime) -> list[Need]:
    moderation = Action("Open moderation", "panel.moderation", {"round_id": round_.id})
    needs = []
    if panel_rules.is_scoring_open(settings, round_, now):
        behind = [row for row in scoring_progress(round_.id) if row.done < row.assigned]
        if waiting or behind:
            deadline = f" Scoring deadline: {when(settings.scoring_deadline)}." if settings.scoring_deadline else ""
            needs.append(Need("scores", f"Proposals waiting for scores in {round_.name}", waiting,
                              f"{_plural(waiting, 'proposal')} still {'has' if waiting == 1 else 'have'} reviews "
                              f"to come.{deadline}", moderation,
                              [(f"{row.name}: {row.assigned - row.done} of {row.assigned} still to score", None)
                               for row in behind]))
    total, made = decided
    if panel_rules.can_decide(settings) and phase(round_, now) in panel_rules.SCORING_ROUND_STATES and total:
        if made < total:
            needs.append(Need("decide", f"Decisions to make in {round_.name}", total - made,
                              f"{_plural(total - made, 'proposal')} without a decision, of {total}.",
                              Action("Make decisions", "panel.moderation", {"round_id": round_.id})))
        else:
            needs.append(Need("release", f"Outcomes to release in {round_.name}", made,
                              f"Every proposal is decided: {_plural(made, 'applicant')} to be told.",
                              Action("Release outcomes", "panel.moderation", {"round_id": round_.id})))
    if offers:
        needs.append(Need("offers", f"Offers past their accept-by date in {round_.name}", offers,
                          f"{_plural(offers, 'place')} offered from the waiting list and not answered in time.",
                          Action("Lapse them and offer the places on", "panel.moderation", {"round_id": round_.id})))
    return needs


def _programme_needs(round_: Round, now: datetime) -> list[Need]:
    needs = []
    risks = at_risk(round_, now, people=participants(round_.id))
    if risks:
        needs.append(Need("at_risk", f"Participants at risk in {round_.name}", len(risks),
                          f"{_plural(len(risks), 'participant')} need{'s' if len(risks) == 1 else ''} your attention.",
                          Action("See the at-risk list", "dashboard.round_view", {"round_id": round_.id}),
                          _named([f"{risk.name}: {'; '.join(risk.reasons)}" for risk in risks])))
    waiting = waiting_participants(round_.id)
    if waiting:
        needs.append(Need("no_mentor", f"Mentees without a mentor in {round_.name}", len(waiting),
                          f"{_plural(len(waiting), 'participant')} waiting for a mentor.",
                          Action("Run the matching", "mentoring.matching_round", {"round_id": round_.id}),
                          _named([f"{proposal.applicant.name}, waiting since {when(since, '%a %-d %b %Y')}"
                                  for proposal, since in waiting])))
    return needs


def lead_home(now: datetime) -> list[Need]:
    """Everything that needs the lead, round by round (newest first), then the schedule and the outbox."""
    live = [r for r in rounds_past_drafting() if r.state != RoundState.ARCHIVED]
    ids = [r.id for r in live]
    waiting, decided = queries.proposals_waiting_for_scores(ids), queries.decision_counts(ids)
    offers, saved = queries.offers_past_accept_by(ids, now), queries.panel_settings_of(ids)
    needs: list[Need] = []
    for round_ in live:
        settings = saved.get(round_.id) or default_settings(round_)
        needs += _panel_needs(round_, settings, waiting.get(round_.id, 0), decided.get(round_.id, (0, 0)),
                              offers.get(round_.id, 0), now)
        if round_.state in PROGRAMME_STATES:
            needs += _programme_needs(round_, now)
    count, sessions = queries.sessions_without_register(now)
    if count:
        needs.append(Need("registers", "Sessions without a register", count,
                          f"{_plural(count, 'session')} in the past with people booked and no attendance recorded.",
                          Action("Take the register", "schedule.register", {"session_id": sessions[0].id}),
                          [(f"{s.display_title}, {when(s.starts_at)}",
                            Action(f"Register for {s.display_title}", "schedule.register", {"session_id": s.id}))
                           for s in sessions]))
    failed = queries.failed_emails()
    if failed:
        needs.append(Need("emails", "Failed emails", failed,
                          f"{_plural(failed, 'email')} could not be sent after every retry.",
                          Action("See the failed emails", "admin.outbox", {"status": "failed"})))
    return needs
