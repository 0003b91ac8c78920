"""Invitations of external people: the service rules, accepting through the link, and expiry."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth import invitations
from portal.auth.link_models import Invitation
from portal.auth.models import Role, User
from portal.auth.services import AccountError
from portal.auth.sign_up import token_hash
from portal.db_types import utcnow
from portal.extensions import db
from portal.privacy.services import subject_access
from portal.timeutil import to_local
from tests.auth.test_sign_up import _link, _sent, _text
from tests.factories import make_user

PASSWORD = "a visiting passphrase"


def _today() -> date:
    return to_local(utcnow()).date()


def _invite(lead, email="examiner@other.org", role=Role.PANEL, days=30):
    invitation = invitations.invite(lead, email, "Eve Examiner", role, _today() + timedelta(days=days))
    db.session.commit()
    return invitation


def test_an_invitation_is_mailed_with_a_single_use_link_to_an_account_with_only_that_role(app, client, smtp_server):
    lead = make_user(roles=[Role.LEAD], name="Lena Lead")
    invitation = _invite(lead)
    [message] = _sent(app, smtp_server)
    assert message["To"] == "examiner@other.org"
    assert "Lena Lead has invited you" in _text(message) and "panel member" in _text(message)
    path = _link(message, "invitation")
    token = path.rsplit("/", 1)[1]
    assert invitation.token_hash == token_hash(token)
    assert all(token not in (e.summary or "") + str(e.detail) for e in db.session.scalars(select(AuditEvent)))

    page = client.get(path)
    assert page.status_code == 200 and 'value="Eve Examiner"' in page.get_data(as_text=True)
    weak = client.post(path, data={"name": "Eve E", "password": "short", "confirm": "short"})
    assert weak.status_code == 400 and "at least 10" in weak.get_data(as_text=True)
    done = client.post(path, data={"name": "Dr Eve Examiner", "password": PASSWORD, "confirm": PASSWORD},
                       follow_redirects=True)
    assert "Your account is ready" in done.get_data(as_text=True)

    user = db.session.scalar(select(User).where(User.email == "examiner@other.org"))
    assert user.name == "Dr Eve Examiner" and user.roles == {Role.PANEL} and user.is_verified
    assert to_local(user.expires_at).date() == _today() + timedelta(days=31)  # the end of the last day
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).status == "used"
    again = client.get(path)
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)

    signed_in = client.post("/auth/sign-in", data={"email": "examiner@other.org", "password": PASSWORD},
                            follow_redirects=True)
    assert "Welcome, Dr Eve Examiner" in signed_in.get_data(as_text=True)
    assert client.get("/panel/").status_code == 200
    assert client.get("/admin/people").status_code == 403


def test_an_expired_account_cannot_sign_in_or_go_on_with_its_session(app, client, smtp_server):
    lead = make_user(roles=[Role.LEAD])
    _invite(lead, role=None)
    path = _link(_sent(app, smtp_server)[0], "invitation")
    client.post(path, data={"name": "Guest", "password": PASSWORD, "confirm": PASSWORD})
    assert client.post("/auth/sign-in", data={"email": "examiner@other.org", "password": PASSWORD}).status_code == 303
    assert client.get("/proposals/").status_code == 200

    user = db.session.scalar(select(User).where(User.email == "examiner@other.org"))
    user.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/proposals/").status_code == 302  # the session is over
    refused = client.post("/auth/sign-in", data={"email": "examiner@other.org", "password": PASSWORD})
    assert refused.status_code == 400 and "do not match an account" in refused.get_data(as_text=True)


def test_an_expired_invitation_cannot_be_used(app, client, smtp_server):
    lead = make_user(roles=[Role.LEAD])
    invitation = _invite(lead)
    path = _link(_sent(app, smtp_server)[0], "invitation")
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert invitation.status == "expired"
    response = client.post(path, data={"name": "Late", "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "examiner@other.org")) is None


def test_the_link_never_outlives_the_account(app):
    lead = make_user(roles=[Role.LEAD])
    invitation = _invite(lead, days=1)
    assert invitation.expires_at == invitation.account_expires_at
    assert invitation.account_last_day == _today() + timedelta(days=1)


def test_invitation_rules(app):
    lead = make_user(roles=[Role.LEAD])
    make_user(email="staff@example.ac.uk")
    with pytest.raises(AccountError, match="already has an account"):
        _invite(lead, email="Staff@example.ac.uk")
    with pytest.raises(AccountError, match="not a programme lead"):
        _invite(lead, role=Role.LEAD)
    with pytest.raises(AccountError, match="after today") as err:
        _invite(lead, days=0)
    assert err.value.field == "account_expires_on"
    _invite(lead)
    with pytest.raises(AccountError, match="already has an invitation"):
        _invite(lead)
    db.session.rollback()
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "invitation.sent")) is not None


def test_an_account_made_meanwhile_for_the_address_stops_the_invitation(app):
    lead = make_user(roles=[Role.LEAD])
    invitation = _invite(lead, email="both@example.ac.uk")
    make_user(email="both@example.ac.uk")
    with pytest.raises(AccountError, match="already has an account"):
        invitations.accept_invitation(invitation, "Both", PASSWORD)


def test_the_subject_access_export_holds_the_invitation_and_the_expiry(app):
    lead = make_user(roles=[Role.LEAD])
    invitation = _invite(lead)
    user = invitations.accept_invitation(invitation, "Eve", PASSWORD)
    db.session.commit()
    data = subject_access(user)
    assert data["account"]["expires_at"] is not None and data["account"]["verified_at"] is not None
    [held] = data["invitations"]
    assert held["role"] == "panel" and held["used_at"] is not None
