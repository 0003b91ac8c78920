"""Account rules, tested without HTTP."""
from __future__ import annotations

import pytest

from portal.audit.models import AuditEvent
from portal.auth import services
from portal.auth.models import Role
from portal.extensions import db
from tests.factories import DEFAULT_PASSWORD, make_user


def test_sign_up_refuses_other_domains(app):
    with pytest.raises(services.AccountError) as err:
        services.sign_up("someone@gmail.com", "Some One", "a long enough passphrase")
    assert err.value.field == "email"
    assert "@example.ac.uk" in err.value.message


def test_sign_up_matches_the_domain_exactly_by_default(app):
    with pytest.raises(services.AccountError, match="@example.ac.uk"):
        services.sign_up("jo@staff.example.ac.uk", "Jo Bloggs", "a long enough passphrase")
    with pytest.raises(services.AccountError, match="@example.ac.uk"):
        services.sign_up("jo@notexample.ac.uk", "Jo Bloggs", "a long enough passphrase")
    user = services.sign_up("  Jo.Bloggs@Example.ac.uk ", "Jo Bloggs", "a long enough passphrase")
    assert user.email == "jo.bloggs@example.ac.uk"
    assert user.password_hash.startswith("$argon2id$")
    assert not user.is_verified and not user.is_active


def test_sign_up_accepts_subdomains_only_when_configured(app):
    app.config["ALLOW_SUBDOMAINS"] = True
    user = services.sign_up("  Jo.Bloggs@Staff.Example.ac.uk ", "Jo Bloggs", "a long enough passphrase")
    assert user.email == "jo.bloggs@staff.example.ac.uk"
    with pytest.raises(services.AccountError, match="@example.ac.uk"):
        services.sign_up("jo@notexample.ac.uk", "Jo Bloggs", "a long enough passphrase")


def test_sign_up_refuses_duplicate(app):
    make_user(email="taken@example.ac.uk")
    with pytest.raises(services.AccountError, match="already exists"):
        services.sign_up("TAKEN@example.ac.uk", "Other", "a long enough passphrase")


@pytest.mark.parametrize("password, reason", [
    ("short", "at least 10"),
    ("password123", "too easy"),
    ("aaaaaaaaaaaa", "too easy"),
    ("jbloggs-is-me-2024", "email address"),
])
def test_weak_passwords_are_refused(app, password, reason):
    with pytest.raises(services.AccountError, match=reason):
        services.sign_up("jbloggs@example.ac.uk", "J Bloggs", password)


def test_authenticate_is_the_same_for_unknown_and_wrong(app):
    user = make_user()
    assert services.authenticate(user.email, "wrong password!") is None
    assert services.authenticate("nobody@example.ac.uk", DEFAULT_PASSWORD) is None
    assert services.authenticate(user.email.upper(), DEFAULT_PASSWORD) == user


def test_reset_token_works_once(app):
    user = make_user()
    token = services.make_reset_token(user)
    assert services.user_for_reset_token(token) == user
    services.reset_password(user, "a brand new passphrase")
    db.session.commit()
    with pytest.raises(services.AccountError, match="already been used"):
        services.user_for_reset_token(token)


def test_tampered_reset_token_is_refused(app):
    user = make_user()
    token = services.make_reset_token(user)
    with pytest.raises(services.AccountError, match="not valid"):
        services.user_for_reset_token(token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"))


def test_expired_reset_token_is_refused(app):
    user = make_user()
    token = services.make_reset_token(user)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    with pytest.raises(services.AccountError, match="expired"):
        services.user_for_reset_token(token)


def test_roles_are_granted_and_revoked_with_audit(app):
    lead = make_user(roles=[Role.LEAD])
    person = make_user()
    services.grant_role(lead, person, Role.PANEL)
    services.grant_role(lead, person, Role.PANEL)  # idempotent
    db.session.commit()
    assert person.roles == {Role.PANEL}
    services.revoke_role(lead, person, Role.PANEL)
    db.session.commit()
    assert person.roles == set()
    actions = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions == ["role.granted", "role.revoked"]


def test_last_lead_cannot_be_removed(app):
    lead = make_user(roles=[Role.LEAD])
    with pytest.raises(services.AccountError, match="only programme lead"):
        services.revoke_role(lead, lead, Role.LEAD)
    other = make_user(roles=[Role.LEAD])
    services.revoke_role(other, lead, Role.LEAD)
    assert Role.LEAD not in lead.roles
