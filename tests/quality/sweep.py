"""Ids of other people's objects for every URL rule, and bodies from the portal's own forms: the raw
material of the authorization sweep.

Everything is found from the models' metadata, so a feature's new tables and routes join the
sweep without anyone listing them: `<int:proposal_id>` finds the proposals table, and an
object counts as someone else's when no foreign key from it, to it, or one step beyond
points at the person acting.
"""
from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import urlsplit

from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from portal.extensions import db
from tests.quality.forms import Form

# Foreign keys to users that mean "this is that person's own thing" (whose details must not leak).
OWNER_COLUMNS = {"user_id", "mentee_id", "mentor_id", "owner_id", "reviewer_id", "applicant_id", "author_id",
                 "member_id", "participant_id", "person_id"}
LONG_TEXT = 40


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def tables_by_name():
    return {table.name: table for table in db.metadata.sorted_tables}


def model_tables() -> dict[str, object]:
    """Table for each mapped class, keyed by its snake-case class name."""
    out = {}
    for mapper in db.Model.registry.mappers:
        if mapper.local_table is not None and hasattr(mapper.local_table, "name"):
            out[_snake(mapper.class_.__name__)] = mapper.local_table
    return out


def table_for_argument(argument: str):
    """`proposal_id` -> the proposals table; `message_id` -> outbox_messages; `token` -> a table with a token column."""
    models = model_tables()
    stem = argument[:-3] if argument.endswith("_id") else argument
    if stem in models:
        return models[stem], "id"
    for table in db.metadata.sorted_tables:
        if table.name in {stem, stem + "s", stem + "es"}:
            return table, "id"
    for name, table in sorted(models.items(), key=lambda item: len(item[0])):
        if name.endswith("_" + stem):
            return table, "id"
    if not argument.endswith("_id"):
        for table in db.metadata.sorted_tables:
            if argument in table.c and "id" in table.c:
                return table, argument
    return None, None


def _user_fks(table) -> list:
    return [fk.parent for fk in table.foreign_keys if fk.column.table.name == "users"]


def related_to(table, row, user_id: int) -> bool:
    """True when the row is the person, names the person, or is linked to them one step away."""
    if table.name == "users":
        return row["id"] == user_id
    if any(row[col.name] == user_id for col in _user_fks(table)):
        return True
    tables = tables_by_name()
    for fk in table.foreign_keys:  # a parent that is the person's (e.g. a pairing of my mentor profile)
        parent = fk.column.table
        value = row[fk.parent.name]
        if value is None or parent.name == "users":
            continue
        for col in _user_fks(parent):
            if db.session.execute(select(parent.c[col.name]).where(fk.column == value)).scalar() == user_id:
                return True
    for other in tables.values():  # a child that links the row to the person (assignment, booking, ...)
        to_row = [fk for fk in other.foreign_keys if fk.column.table is table]
        to_user = _user_fks(other)
        for fk in to_row:
            for col in to_user:
                found = db.session.execute(select(other.c[fk.parent.name]).where(
                    fk.parent == row[fk.column.name], col == user_id).limit(1)).first()
                if found:
                    return True
    return False


def markers(table, row) -> list[str]:
    """What would show another person's data: their email, and long text they wrote."""
    out = []
    if table.name == "users":
        out.append(row["email"])
    owners = [row[col.name] for col in _user_fks(table) if col.name in OWNER_COLUMNS and row[col.name]]
    if owners:
        users = tables_by_name()["users"]
        out += list(db.session.scalars(select(users.c.email).where(users.c.id.in_(owners))))
        for column in table.columns:
            value = row[column.name]
            if isinstance(value, str) and len(value) >= LONG_TEXT and not column.name.endswith(
                    ("token", "hash", "uid", "key")):
                out.append(value[:LONG_TEXT])
    return out


def someone_elses(table, key: str, user_id: int | None):
    """A row of the table unrelated to the person, preferring one with an owner; None if there is none."""
    rows = db.session.execute(select(table).order_by(*table.primary_key.columns).limit(200)).mappings().all()
    owner_columns = [c.name for c in _user_fks(table) if c.name in OWNER_COLUMNS]
    fallback = None
    for row in rows:
        if user_id is not None and related_to(table, row, user_id):
            continue
        if table.name == "users" or any(row[name] for name in owner_columns):
            return row
        fallback = fallback or row
    return fallback


def snapshot(table, row) -> dict | None:
    """The row as it is in the database now (None once deleted)."""
    pk = list(table.primary_key.columns)
    found = db.session.execute(select(table).where(*[c == row[c.name] for c in pk])).mappings().first()
    return dict(found) if found else None


# ---------------------------------------------------------------- bodies from the forms on the pages

# Values no form offers, for the fields a person chooses rather than types (and for every GET field).
NOT_ON_OFFER = ("bogus", "99999999999999999999")
CHOSEN_KINDS = {"select", "radio", "checkbox", "hidden", "number", "date", "datetime-local", "time", "month", "week"}
# The client sends a valid token of its own session; a token read from another session's page would fail.
SESSION_FIELDS = {"csrf_token"}
FORMS_PER_ENDPOINT = 2


def forms_by_endpoint(app, forms: list[Form]) -> dict[tuple[str, str], list[Form]]:
    """The forms found, by the (method, endpoint) their action reaches."""
    adapter = app.url_map.bind("localhost")
    out: dict[tuple[str, str], list[Form]] = defaultdict(list)
    for form in forms:
        method = form.method.upper()
        try:
            endpoint, _ = adapter.match(urlsplit(form.action).path, method=method)
        except (HTTPException, RequestRedirect):
            continue
        if len(out[method, endpoint]) < FORMS_PER_ENDPOINT:
            out[method, endpoint].append(form)
    return out


def bodies(form: Form) -> list[tuple[str, dict[str, str]]]:
    """What to send with the form: its own values, then values no form offers (all at once for a POST,
    one field at a time for a GET, where each is a filter of its own)."""
    own = {name: value for name, value in form.filled().items() if name not in SESSION_FIELDS}
    # A number field is a text box here (WTForms draws IntegerField so); its value on the page gives it away.
    numbers = {name for name, kind, value in form.fields if kind == "number" or (kind == "text" and value.isdigit())}
    chosen = [name for name, kind, _ in form.fields
              if name in own and (form.method == "get" or kind in CHOSEN_KINDS or name in numbers)]
    out = [("its own values", own)]
    if form.method == "post":
        if chosen:
            out.append(("values not on offer", dict(own, **{name: NOT_ON_OFFER[1] if name in numbers else NOT_ON_OFFER[0]
                                                            for name in chosen})))
        return out
    for name in dict.fromkeys(chosen):
        out += [(f"{name}={value}", dict(own, **{name: value})) for value in NOT_ON_OFFER]
    return out
