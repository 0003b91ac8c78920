"""One way for a view to run a change: the service call, the commit or the rollback, and the answer.

Every state change in the portal is one service call in one transaction. A view hands that call to
`attempt()`, which commits when it returns and rolls back when a rule refuses it (a ServiceError, or a
unique-constraint clash from a second tab or a double click), putting the message where the person
will read it. `change_then_redirect()` is the whole answer of a button: run, flash what happened, 303.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask import flash, redirect
from sqlalchemy.exc import IntegrityError

from portal.errors import ServiceError
from portal.extensions import db

STALE_FORM = "That could not be done; reload the page and try again."


@dataclass
class Attempt:
    """What a change came to: its value when it was kept, else the message and the field it is about."""

    value: Any = None
    error: str | None = None
    field: str | None = None
    placed: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    def __bool__(self) -> bool:
        return self.ok


def place_error(form, message: str, field: str | None = None, fallback: str | None = None) -> bool:
    """Add the message to the form's field (or the fallback field); False when the form has neither."""
    for name in (field, fallback):
        if form is not None and name and name in form:
            form[name].errors = list(form[name].errors) + [message]
            return True
    return False


def attempt(change: Callable[[], Any], *, form=None, field: str | None = None, duplicate: str | None = None,
            flash_errors: bool = False) -> Attempt:
    """Run one service call as one unit of work and say what it came to.

    Commits when the call returns. On a ServiceError (or, when `duplicate` is given, a unique-constraint
    clash, answered with that message) it rolls back, adds the message to the form field the error
    names (else to `field`), and flashes it when it found no field and `flash_errors` is set. Any other
    exception is not a refusal and propagates (the 500 handler rolls back).
    """
    try:
        value = change()
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        message, named = exc.message, exc.field
    except IntegrityError:
        db.session.rollback()
        if duplicate is None:
            raise
        message, named = duplicate, None
    else:
        return Attempt(value=value)
    placed = place_error(form, message, named, field)
    if not placed and flash_errors:
        flash(message, "error")
    return Attempt(error=message, field=named, placed=placed)


def change_then_redirect(change: Callable[[], Any], to: str, success: str | Callable[[Any], str], *,
                         valid: bool = True, duplicate: str | None = None, invalid: str = STALE_FORM):
    """A button's whole answer, for a page and an htmx request alike: run the change when its form was
    valid, flash the success (text, or made from the change's value) or the refusal, and 303 to `to`."""
    if not valid:
        flash(invalid, "error")
    else:
        done = attempt(change, duplicate=duplicate, flash_errors=True)
        if done:
            flash(success(done.value) if callable(success) else success, "success")
    return redirect(to, 303)
