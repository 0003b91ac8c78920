"""My data in words: what privacy/services.py held_about() finds, as a person reads it on the page.

The JSON download stays machine-readable (services.plain: ISO times in UTC, states by value); the page
shows labels ("Submitted"), the names of things ("CMALT", the round's name) and times in words in the
institution's zone ("18 October 2026, 14:00 BST").
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import select

from portal.auth.models import Role
from portal.extensions import db
from portal.rounds.models import Pathway, Round
from portal.timeutil import format_date, format_local

DAY = "%-d %B %Y"
MOMENT = "%-d %B %Y, %H:%M"

# Field names that do not read well by themselves; the rest become words from their names.
LABELS = {
    "id": "Number", "email": "Email address", "is_active_account": "Account switched on",
    "wants_reminders": "Reminders wanted", "verified_at": "Email address confirmed",
    "last_login_at": "Last signed in", "updated_at": "Last changed", "pathway_id": "Pathway", "round_id": "Round",
    "proposal_id": "Proposal", "years_experience": "Years of experience",
    "leads_learning_technology": "Leadership, strategy or research responsibilities",
    "line_manager_supports": "Line manager supports it", "line_manager_email": "Line manager's email address",
    "line_manager_name": "Line manager", "consent": "Consent given", "my_role": "Your part",
    "duration_minutes": "Length (minutes)", "alarm_minutes": "Reminder (minutes before)",
    "award_level": "Award level", "user_agent": "Device", "remembered": "Kept signed in",
    "calendar_invitation": "Calendar invitation attached", "mentor_areas_wanted": "Areas you would like a mentor in",
    "unsaved_drafts": "Text kept after a save was refused", "accept_by": "Reply by", "abstain_reason": "Why you abstained",
    "subject": "Subject", "at": "When",
}
ROLE_WORDS = {"mentee": "Mentee", "mentor": "Mentor"}


def label(key: str) -> str:
    """A field's name as words: "submitted_at" -> "Submitted", "job_title" -> "Job title"."""
    if key in LABELS:
        return LABELS[key]
    words = key[:-3] if key.endswith("_at") else key
    return words.replace("_", " ").capitalize()


class Names:
    """The names of the pathways and rounds a record points to by number, read once for the page."""

    def __init__(self) -> None:
        rows = db.session.execute(select(Pathway.id, Pathway.name, Pathway.level).order_by(Pathway.id)).all()
        self.pathways = {pid: name for pid, name, _level in rows}
        self.levels: dict[int, str] = {}
        for _pid, name, level in rows:
            self.levels.setdefault(level, name)
        self.rounds = dict(db.session.execute(select(Round.id, Round.name)).all())


def words(key: str, value, names: Names):
    """One value as the page shows it; None for nothing (the page shows a dash)."""
    if value is None or value == "":
        return None
    if key == "pathway_id":
        return names.pathways.get(value, f"A pathway no longer offered (number {value})")
    if key == "round_id":
        return names.rounds.get(value, "A round since removed")
    if key == "award_level" and isinstance(value, int):
        return names.levels.get(value, str(value))
    if key == "proposal_id":
        return f"Proposal number {value}"
    if key == "roles":
        return [Role(v).label if v in Role._value2member_map_ else v for v in value]
    if key == "my_role":
        return ROLE_WORDS.get(value, value)
    if isinstance(value, bool):
        return value
    if isinstance(value, enum.Enum):
        return getattr(value, "label", value.value)
    if isinstance(value, datetime):
        return format_local(value, MOMENT)
    if isinstance(value, date):
        return format_date(value, DAY)
    if isinstance(value, dict):
        return {label(k): words(k, v, names) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [words(key, item, names) for item in value]
    return value


def audit_in_words(row: dict) -> dict:
    """One thing the person did: when, and what (its summary, else the action's name)."""
    what = row.get("summary") or row.get("action", "").replace(".", " ").replace("_", " ").capitalize()
    return {"When": format_local(row["at"], MOMENT), "What": what}


def readable(data: dict) -> dict:
    """held_about()'s sections with their fields and values in words; the top-level keys stay as they are."""
    names = Names()
    out = {}
    for key, value in data.items():
        if key == "generated_at":
            out[key] = format_local(value, MOMENT)
        elif key == "audit_events":
            out[key] = [audit_in_words(row) for row in value]
        elif isinstance(value, list):
            out[key] = [words(key, item, names) for item in value]
        else:
            out[key] = words(key, value, names)
    return out
