"""Conflicts of interest as the panel reads them: declared and automatic, for one pair or a whole round.

Automatic conflicts are never stored (rules.py says when facts conflict); the conflict map joins them
with the declared ones, and not_conflicted carries the map into a query.
"""
from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import BigInteger, ColumnElement, cast, select, true

from portal.auth.models import User
from portal.extensions import db
from portal.panel import rules
from portal.panel.models import Conflict, PanelSettings
from portal.panel.queries import plain_rows
from portal.proposals.models import Proposal
from portal.rounds.models import Round


class MemberFacts(NamedTuple):
    """What the conflict rules need of a panel member, read once (not through a request proxy)."""

    id: int
    email: str
    department: str | None


class ProposalFacts(NamedTuple):
    """What the conflict rules need of a proposal."""

    user_id: int
    line_manager_email: str | None
    department: str | None


class ApplicantFacts(NamedTuple):
    """What the conflict rules need of an applicant."""

    line_manager_id: int | None
    department: str | None


def member_facts(user: User) -> MemberFacts:
    return MemberFacts(user.id, user.email, user.department)


def conflict_map(round_: Round, props: list[Proposal], people: list[User],
                 settings: PanelSettings) -> dict[tuple[int, int], tuple[str, str]]:
    """{(user id, proposal id): (kind, reason)} for every conflict, declared or automatic."""
    found = [(p.id, ProposalFacts(p.user_id, p.line_manager_email, p.department),
              ApplicantFacts(p.applicant.line_manager_id, p.applicant.department) if p.applicant else None)
             for p in props]
    return find_conflicts(found, people, settings, declared_conflicts(round_.id))


def declared_conflicts(round_id: int, user_id: int | None = None) -> dict[tuple[int, int], str]:
    """{(user id, proposal id): reason} of the conflicts declared in a round (by one member, if given)."""
    stmt = select(Conflict.user_id, Conflict.proposal_id, Conflict.reason).where(Conflict.round_id == round_id)
    if user_id is not None:
        stmt = stmt.where(Conflict.user_id == user_id)
    return {(uid, pid): reason for uid, pid, reason in plain_rows(stmt)}


def conflict_for(user: User, proposal: Proposal, settings: PanelSettings) -> tuple[str, str] | None:
    """The conflict, if any, between one person and one proposal."""
    reason = rules.automatic_conflict_reason(user, proposal, proposal.applicant, settings.same_department_conflict)
    if reason:
        return ("automatic", reason)
    declared = db.session.scalar(select(Conflict).where(Conflict.proposal_id == proposal.id,
                                                        Conflict.user_id == user.id))
    if declared is not None:
        return ("declared", declared.reason or "Declared by the panel member.")
    return None


def find_conflicts(found: list[tuple], people: list[User], settings: PanelSettings,
                   declared: dict[tuple[int, int], str]) -> dict[tuple[int, int], tuple[str, str]]:
    """{(user id, proposal id): (kind, reason)} for every member's conflicts, automatic and declared.

    found: (proposal id, ProposalFacts, ApplicantFacts) per proposal.

    Automatic conflicts are found by the facts a member and a proposal share (rules.*_conflict_keys),
    so the cost grows with members plus proposals, not their product.
    """
    same_department = settings.same_department_conflict
    by_key: dict[tuple, list[int]] = {}
    for pid, facts, applicant in found:
        for key in rules.proposal_conflict_keys(facts, applicant, same_department):
            by_key.setdefault(key, []).append(pid)
    conflicts: dict[tuple[int, int], tuple[str, str]] = {}
    for person in people:
        for key, reason in rules.member_conflict_keys(member_facts(person), same_department):
            for pid in by_key.get(key, ()):
                conflicts.setdefault((person.id, pid), ("automatic", reason))
    for (uid, pid), reason in declared.items():
        conflicts.setdefault((uid, pid), ("declared", reason or "Declared by the panel member."))
    return conflicts


# Pair keys for not_conflicted: member id × PAIR + proposal id, unique while ids stay below 2³².
PAIR = 2 ** 32


def not_conflicted(member_column, proposal_column, conflicts) -> ColumnElement[bool]:
    """A condition leaving out every conflicted (member, proposal) pair.

    The conflicts are found in Python (find_conflicts); this only carries them into a query, as one list
    of pair keys that the database probes once a row (a list a member is several times slower on SQLite).
    """
    if not conflicts:
        return true()
    key = cast(member_column, BigInteger) * PAIR + proposal_column
    return key.not_in(sorted(uid * PAIR + pid for uid, pid in conflicts))
