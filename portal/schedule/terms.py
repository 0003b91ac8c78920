"""Teaching terms, for the week labels shown next to dates ("Wk 1, HT24")."""
from __future__ import annotations

from datetime import date

from portal.audit.services import record
from portal.extensions import db
from portal.schedule.errors import ScheduleError
from portal.schedule.models import Term


def add_term(actor, name: str, starts_on: date, weeks: int) -> Term:
    """Add a term for week labels ("Wk 1, HT24"). Audit 'term.created'."""
    name = name.strip()
    if not name or len(name) > 40:
        raise ScheduleError("Enter a short term name, such as HT24.", "name")
    if not 1 <= weeks <= 30:
        raise ScheduleError("A term has between 1 and 30 weeks.", "weeks")
    term = Term(name=name, starts_on=starts_on, weeks=weeks)
    db.session.add(term)
    db.session.flush()
    record(actor, "term.created", term, summary=f"{name} from {starts_on.isoformat()}, {weeks} weeks")
    return term


def delete_term(actor, term: Term) -> None:
    """Remove a term (dates in it lose their week label). Audit 'term.deleted'."""
    record(actor, "term.deleted", term, summary=f"{term.name} removed")
    db.session.delete(term)
