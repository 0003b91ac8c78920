"""portal.web.actions on a real app and database: what a change that is kept, refused or clashes comes to,
where its message lands, and a button's whole answer through a real route."""
from __future__ import annotations

import pytest
from flask import get_flashed_messages, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from wtforms import StringField
from wtforms.validators import AnyOf

from portal.auth.models import User
from portal.errors import ServiceError
from portal.extensions import db
from portal.web.actions import STALE_FORM, attempt, change_then_redirect, place_error
from tests.factories import make_user


class PersonForm(FlaskForm):
    class Meta:
        csrf = False

    email = StringField("Email address")
    name = StringField("Full name")


class PressForm(FlaskForm):
    """A button's form (with its CSRF token) that is valid only when it says yes."""

    confirm = StringField(validators=[AnyOf(["yes"])])


def _add_person(email: str, refuse: ServiceError | None = None) -> User:
    """A stand-in service: it writes a person (flushed, so the database has the row) and then, when told
    to, refuses as a rule would, after the write."""
    person = User(email=email, name="Someone", password_hash="not-a-hash")
    db.session.add(person)
    db.session.flush()
    if refuse is not None:
        raise refuse
    return person


def _in_session(email: str) -> int:
    """People with this address as the current transaction sees them."""
    return db.session.scalar(select(func.count()).select_from(User).where(User.email == email))


def _committed(email: str) -> int:
    """People with this address as another connection sees them: only what was committed."""
    with db.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(User).where(User.email == email))


def test_attempt_commits_a_change_that_returns(app):
    with app.test_request_context():
        done = attempt(lambda: _add_person("kept@example.ac.uk"))
    assert done and done.ok and done.error is None
    assert done.value.email == "kept@example.ac.uk"
    assert _committed("kept@example.ac.uk") == 1


def test_attempt_rolls_back_what_a_refused_change_wrote(app):
    with app.test_request_context():
        done = attempt(lambda: _add_person("refused@example.ac.uk", ServiceError("Not this one.", "email")))
    assert not done and (done.error, done.field, done.value) == ("Not this one.", "email", None)
    # The row the service flushed before refusing is gone from the transaction itself, so a later
    # commit in the same request cannot keep it.
    assert _in_session("refused@example.ac.uk") == 0
    db.session.commit()
    assert _committed("refused@example.ac.uk") == 0


@pytest.mark.parametrize("named, fallback, lands_on", [
    ("name", "email", "name"),      # the field the error names
    (None, "email", "email"),       # no field named: the fallback
    ("no_such", "email", "email"),  # a field this form does not have: the fallback
])
def test_attempt_places_the_message_on_the_named_field_or_the_fallback(app, named, fallback, lands_on):
    with app.test_request_context(method="POST", data={"email": "a@example.ac.uk", "name": "A"}):
        form = PersonForm()
        form.validate()
        done = attempt(lambda: _add_person("x@example.ac.uk", ServiceError("Choose another.", named)),
                       form=form, field=fallback, flash_errors=True)
        flashed = get_flashed_messages(with_categories=True)
    assert done.placed
    assert form[lands_on].errors == ["Choose another."]
    assert [form[other].errors for other in ("email", "name") if other != lands_on] == [[]]
    assert flashed == []  # placed on the form, so not flashed as well


def test_attempt_flashes_a_message_it_could_not_place(app):
    with app.test_request_context(method="POST"):
        done = attempt(lambda: _add_person("x@example.ac.uk", ServiceError("Not now.")), flash_errors=True)
        flashed = get_flashed_messages(with_categories=True)
    assert not done.placed and flashed == [("error", "Not now.")]
    with app.test_request_context(method="POST"):
        attempt(lambda: _add_person("x@example.ac.uk", ServiceError("Not now.")))
        assert get_flashed_messages() == []  # only when asked to


def test_place_error_says_when_the_form_has_neither_field(app):
    with app.test_request_context(method="POST"):
        form = PersonForm()
        assert place_error(form, "Oops.", "no_such", "nor_this") is False
        assert place_error(None, "Oops.", "email", "email") is False
        assert place_error(form, "Oops.", None, "name") is True and form.name.errors == ["Oops."]


def test_a_clash_with_a_unique_constraint_is_answered_with_the_duplicate_message(app):
    make_user(email="taken@example.ac.uk")
    with app.test_request_context(method="POST"):
        form = PersonForm()
        done = attempt(lambda: _add_person("taken@example.ac.uk"), form=form, field="email",
                       duplicate="That address already has an account.")
    assert not done and done.error == "That address already has an account."
    assert form.email.errors == ["That address already has an account."]
    assert db.session.scalar(select(func.count()).select_from(User)) == 1  # rolled back: the session works


def test_a_clash_propagates_when_no_duplicate_message_is_given(app):
    make_user(email="taken@example.ac.uk")
    with app.test_request_context(method="POST"):
        with pytest.raises(IntegrityError):
            attempt(lambda: _add_person("taken@example.ac.uk"))
    # attempt rolled back before letting it go, so the session is usable (no PendingRollbackError).
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


# ---------------------------------------------------------------- a button through a real route

@pytest.fixture
def button(app):
    """A button's view on the real app: one service call, answered by change_then_redirect."""

    def press():
        email = request.form.get("email", "")
        refuse = ServiceError("We do not add that person.") if email.startswith("refused") else None
        return change_then_redirect(lambda: _add_person(email, refuse), url_for("main.home"),
                                    lambda person: f"Added {person.email}.",
                                    valid=PressForm().validate_on_submit())

    app.add_url_rule("/test-only/press", "test_press", press, methods=["POST"])
    return app.test_client()


def _flashes(client) -> list:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}])
def test_a_button_flashes_its_success_and_answers_303(button, headers):
    response = button.post("/test-only/press", data={"email": "new@example.ac.uk", "confirm": "yes"},
                           headers=headers)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert _flashes(button) == [("success", "Added new@example.ac.uk.")]
    assert _committed("new@example.ac.uk") == 1


def test_a_refused_button_flashes_the_refusal_and_keeps_nothing(button):
    response = button.post("/test-only/press", data={"email": "refused@example.ac.uk", "confirm": "yes"})
    assert response.status_code == 303
    assert _flashes(button) == [("error", "We do not add that person.")]
    assert _in_session("refused@example.ac.uk") == 0 and _committed("refused@example.ac.uk") == 0


def test_a_button_whose_form_is_not_valid_does_not_run_the_change(button):
    response = button.post("/test-only/press", data={"email": "stale@example.ac.uk", "confirm": "no"})
    assert response.status_code == 303
    assert _flashes(button) == [("error", STALE_FORM)]
    assert _in_session("stale@example.ac.uk") == 0
