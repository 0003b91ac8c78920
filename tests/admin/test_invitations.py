"""The lead's Invitations page: the list with each invitation's state, and the invite form."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, select

from portal.auth import invitations
from portal.auth.link_models import Invitation
from portal.auth.models import Role
from portal.db_types import utcnow
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.timeutil import to_local
from tests.factories import make_user


def _tomorrow_plus(days: int):
    return to_local(utcnow()).date() + timedelta(days=days)


def test_the_lead_invites_someone_from_another_domain(client, login_as):
    login_as(Role.LEAD, name="Lena Lead")
    page = client.get("/admin/invitations")
    assert page.status_code == 200 and "No invitations yet" in page.get_data(as_text=True)
    on = _tomorrow_plus(60)
    response = client.post("/admin/invitations", data={"email": "Mentor@Visiting.org", "name": "Vic Visitor",
                                                       "role": "mentor", "account_expires_on": on.isoformat()},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Invitation sent to mentor@visiting.org" in html
    assert "Vic Visitor (mentor@visiting.org)" in html and "Pending until" in html and "Mentor" in html
    invitation = db.session.scalar(select(Invitation))
    assert invitation.role == Role.MENTOR and invitation.account_last_day == on
    assert invitation.invited_by.name == "Lena Lead"
    assert db.session.scalar(select(OutboxMessage.recipient)) == "mentor@visiting.org"


def test_the_list_shows_pending_used_and_expired(client, login_as):
    lead = login_as(Role.LEAD)
    pending = invitations.invite(lead, "pending@other.org", "Pat Pending", None, _tomorrow_plus(10))
    used = invitations.invite(lead, "used@other.org", "Uma Used", Role.PANEL, _tomorrow_plus(10))
    expired = invitations.invite(lead, "expired@other.org", "Ed Expired", Role.MENTOR, _tomorrow_plus(10))
    invitations.accept_invitation(used, "Uma Used", "a visiting passphrase")
    expired.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    html = client.get("/admin/invitations").get_data(as_text=True)
    rows = {name: html.split(name, 1)[1].split("</tr>", 1)[0] for name in ("Pat Pending", "Uma Used", "Ed Expired")}
    assert "Pending until" in rows["Pat Pending"] and "Staff only" in rows["Pat Pending"]
    assert ">Used<" in rows["Uma Used"] and "Panel member" in rows["Uma Used"]
    assert ">Expired<" in rows["Ed Expired"]
    assert pending.status == "pending"


def test_bad_input_is_shown_on_the_form_and_sends_nothing(client, login_as):
    login_as(Role.LEAD)
    make_user(email="staff@example.ac.uk")
    today = to_local(utcnow()).date().isoformat()
    cases = [
        ({"email": "x@other.org", "name": "X", "role": "", "account_expires_on": today}, "after today"),
        ({"email": "x@other.org", "name": "X", "role": "", "account_expires_on": "2026-02-30"}, "not a real date"),
        ({"email": "x@other.org", "name": "X", "role": "", "account_expires_on": ""}, "Enter the last day"),
        ({"email": "x@other.org", "name": "X", "role": "lead", "account_expires_on": _tomorrow_plus(5).isoformat()},
         "Choose one of the options"),
        ({"email": "staff@example.ac.uk", "name": "X", "role": "", "account_expires_on": _tomorrow_plus(5).isoformat()},
         "already has an account"),
        ({"email": "not an address", "name": "X", "role": "", "account_expires_on": _tomorrow_plus(5).isoformat()},
         "Invalid email"),
    ]
    for data, message in cases:
        response = client.post("/admin/invitations", data=data)
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), (data, message)
    assert db.session.scalar(select(Invitation.id)) is None
    assert db.session.scalar(select(OutboxMessage.id)) is None


def test_only_a_lead_sees_or_sends_invitations(client, login_as):
    login_as(Role.PANEL, Role.MENTOR)
    assert client.get("/admin/invitations").status_code == 403
    response = client.post("/admin/invitations", data={"email": "x@other.org", "name": "X", "role": "",
                                                       "account_expires_on": _tomorrow_plus(5).isoformat()})
    assert response.status_code == 403
    assert db.session.scalar(select(Invitation.id)) is None


def _queries_for(client, path: str) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_list_sends_the_same_queries_for_few_and_many_invitations(client, login_as):
    lead = login_as(Role.LEAD)
    invitations.invite(lead, "one@other.org", "One", None, _tomorrow_plus(5))
    db.session.commit()
    few = _queries_for(client, "/admin/invitations")
    for n in range(12):
        inviter = make_user(roles=[Role.LEAD])
        invitations.invite(inviter, f"many{n}@other.org", f"Many {n}", Role.MENTOR, _tomorrow_plus(5))
    db.session.commit()
    assert _queries_for(client, "/admin/invitations") == few <= 12
