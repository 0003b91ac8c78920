"""Revocable sign-ins: cookies copied before sign-out, a reset, a password change or a revocation are refused."""
from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth import services
from portal.auth.models import SignInSession
from portal.db_types import utcnow
from portal.extensions import db
from tests.factories import DEFAULT_PASSWORD, make_user

PROTECTED = "/my-data/"


def _sign_in(app, user, remember=False, password=DEFAULT_PASSWORD, agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"):
    client = app.test_client()
    data = {"email": user.email, "password": password}
    if remember:
        data["remember"] = "y"
    response = client.post("/auth/sign-in", data=data, headers={"User-Agent": agent})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return client


def _cookies(client, *names):
    return {name: client.get_cookie(name).value for name in names if client.get_cookie(name) is not None}


def _replay(app, cookies: dict):
    """A fresh browser holding only these copied cookies; the answer to a page that needs a sign-in."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief.get(PROTECTED)


def _works(response) -> bool:
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and "/auth/sign-in" in response.headers["Location"], response.status_code
    return False


def test_session_cookie_copied_before_sign_out_is_refused_after(app):
    user = make_user()
    client = _sign_in(app, user)
    copied = _cookies(client, "session")
    assert _works(_replay(app, copied))  # the copy works while the sign-in lasts
    client.post("/auth/sign-out")
    assert not _works(_replay(app, copied))
    assert not _works(client.get(PROTECTED))


def test_remember_cookie_copied_before_sign_out_is_refused_after(app):
    user = make_user()
    client = _sign_in(app, user, remember=True)
    copied = _cookies(client, "remember_token")
    assert set(copied) == {"remember_token"}
    assert _works(_replay(app, copied))  # the remember cookie alone signs the device in
    client.post("/auth/sign-out")
    assert not _works(_replay(app, copied))
    both = _cookies(client, "session")
    assert not _works(_replay(app, {**both, **copied}))


def test_remember_cookie_is_new_random_at_each_sign_in_and_stored_hashed(app):
    user = make_user()
    first = _cookies(_sign_in(app, user, remember=True), "remember_token")["remember_token"]
    second = _cookies(_sign_in(app, user, remember=True), "remember_token")["remember_token"]
    assert first != second
    rows = db.session.scalars(select(SignInSession).where(SignInSession.user_id == user.id)).all()
    assert len(rows) == 2 and all(r.remembered for r in rows)
    stored = {r.token_hash for r in rows}
    for cookie in (first, second):
        token = cookie.rsplit("|", 1)[0]
        assert token not in stored and str(user.id) != token
        assert hashlib.sha256(token.encode()).hexdigest() in stored
    # A year was the old lifetime; a remembered device now lasts the configured 30 days.
    assert all(r.expires_at - r.created_at == timedelta(days=30) for r in rows)


def test_signing_in_again_on_a_device_gives_a_new_token_and_ends_the_old_one(app):
    user = make_user()
    client = _sign_in(app, user)
    before = _cookies(client, "session")
    response = client.post("/auth/sign-in", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 303
    assert _cookies(client, "session") != before
    assert not _works(_replay(app, before))
    assert _works(client.get(PROTECTED))


def test_password_reset_ends_every_sign_in(app):
    user = make_user()
    laptop = _cookies(_sign_in(app, user), "session")
    phone = _cookies(_sign_in(app, user, remember=True), "session", "remember_token")
    assert _works(_replay(app, laptop)) and _works(_replay(app, {"remember_token": phone["remember_token"]}))
    token = services.make_reset_token(user)
    anonymous = app.test_client()
    done = anonymous.post(f"/auth/reset/{token}", data={"password": "a brand new passphrase",
                                                        "confirm": "a brand new passphrase"})
    assert done.status_code == 303
    assert not _works(_replay(app, laptop))
    assert not _works(_replay(app, phone))
    assert not _works(_replay(app, {"remember_token": phone["remember_token"]}))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.sessions_revoked"))
    assert event.detail["count"] == 2 and event.detail["reason"] == "password reset"


def test_password_change_ends_every_other_sign_in_and_renews_this_one(app):
    user = make_user()
    other = _cookies(_sign_in(app, user, remember=True), "session", "remember_token")
    client = _sign_in(app, user)
    here_before = _cookies(client, "session")
    page = client.get("/auth/password")
    assert page.status_code == 200 and "Current password" in page.get_data(as_text=True)

    wrong = client.post("/auth/password", data={"current_password": "not my password",
                                                "password": "a brand new passphrase",
                                                "confirm": "a brand new passphrase"})
    assert wrong.status_code == 400 and "That is not your current password." in wrong.get_data(as_text=True)
    assert _works(_replay(app, other))  # a refused change ends nothing

    done = client.post("/auth/password", data={"current_password": DEFAULT_PASSWORD,
                                               "password": "a brand new passphrase",
                                               "confirm": "a brand new passphrase"})
    assert done.status_code == 303
    assert _works(client.get(PROTECTED))  # this device goes on, with a new token
    assert not _works(_replay(app, here_before))
    assert not _works(_replay(app, other))
    assert not _works(_replay(app, {"remember_token": other["remember_token"]}))
    assert services.authenticate(user.email, "a brand new passphrase") is not None


def test_devices_under_my_data_list_mark_and_revoke(app):
    user = make_user()
    phone = _sign_in(app, user, agent="Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1")
    phone_cookies = _cookies(phone, "session")
    client = _sign_in(app, user, agent="Mozilla/5.0 (Windows NT 10.0) Chrome/131.0 Safari/537.36")
    page = client.get(PROTECTED).get_data(as_text=True)
    assert "Signed-in devices" in page
    assert "Chrome on Windows <strong>(this device)</strong>" in page
    assert "Safari on iPhone" in page and "Safari on iPhone <strong>" not in page

    rows = {r.user_agent: r for r in db.session.scalars(select(SignInSession))}
    revoked = client.post(f"/my-data/devices/{rows['Safari on iPhone'].id}/revoke")
    assert revoked.status_code == 303 and revoked.headers["Location"].endswith("/my-data/")
    assert not _works(_replay(app, phone_cookies))
    assert not _works(phone.get(PROTECTED))
    assert _works(client.get(PROTECTED))
    page = client.get(PROTECTED).get_data(as_text=True)
    assert "Safari on iPhone" not in page.split("Signed-in devices")[1].split("</section>")[0]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.session_revoked"))
    assert event.object_type == "SignInSession" and event.detail["reason"] == "revoked under My data"

    # Revoking this device signs it out here.
    here = client.post(f"/my-data/devices/{rows['Chrome on Windows'].id}/revoke")
    assert here.status_code == 303 and "/auth/sign-in" in here.headers["Location"]
    assert not _works(client.get(PROTECTED))


def test_nobody_revokes_another_persons_device(app):
    owner, other = make_user(), make_user()
    owner_cookies = _cookies(_sign_in(app, owner), "session")
    client = _sign_in(app, other)
    row = db.session.scalar(select(SignInSession).where(SignInSession.user_id == owner.id))
    assert client.post(f"/my-data/devices/{row.id}/revoke").status_code == 404
    assert client.post("/my-data/devices/999999/revoke").status_code == 404
    assert _works(_replay(app, owner_cookies))
    # Without a valid CSRF token nothing ends.
    own = db.session.scalar(select(SignInSession).where(SignInSession.user_id == other.id))
    assert client.post(f"/my-data/devices/{own.id}/revoke", csrf=False).status_code in (303, 400)
    assert _works(client.get(PROTECTED))


def test_lead_signs_a_person_out_everywhere(app):
    person = make_user(name="Pat Lost-Laptop")
    laptop = _cookies(_sign_in(app, person, remember=True), "session", "remember_token")
    tablet = _cookies(_sign_in(app, person), "session")
    staff = _sign_in(app, make_user())
    assert staff.post(f"/admin/people/{person.id}/sign-out-everywhere").status_code == 403
    assert _works(_replay(app, laptop))

    lead = _sign_in(app, make_user(roles=["lead"]))
    people = lead.get("/admin/people").get_data(as_text=True)
    assert f"/admin/people/{person.id}/sign-out-everywhere" in people
    done = lead.post(f"/admin/people/{person.id}/sign-out-everywhere", follow_redirects=True)
    assert "Pat Lost-Laptop is signed out everywhere (2 sign-ins ended)." in done.get_data(as_text=True)
    for copied in (laptop, tablet, {"remember_token": laptop["remember_token"]}):
        assert not _works(_replay(app, copied))
    assert _works(lead.get(PROTECTED))  # the lead's own sign-in is untouched
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.sessions_revoked"))
    assert event.object_id == person.id and event.actor_id != person.id


def test_expired_sign_in_is_refused_and_last_seen_is_written_only_now_and_then(app):
    user = make_user()
    client = _sign_in(app, user)
    row = db.session.scalar(select(SignInSession).where(SignInSession.user_id == user.id))
    seen = row.last_seen_at
    assert _works(client.get(PROTECTED))
    db.session.refresh(row)
    assert row.last_seen_at == seen  # a visit within minutes writes nothing

    long_ago = utcnow() - timedelta(minutes=10)
    row.last_seen_at = long_ago
    db.session.commit()
    assert _works(client.get(PROTECTED))
    db.session.refresh(row)
    assert row.last_seen_at > long_ago + timedelta(minutes=9)
    assert row.expires_at > utcnow() + timedelta(hours=11)  # not remembered: it slides on with use

    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert not _works(client.get(PROTECTED))


def test_no_token_reaches_the_audit_log_and_the_export_lists_sign_ins(app):
    user = make_user()
    client = _sign_in(app, user, remember=True)
    token = client.get_cookie("remember_token").value.rsplit("|", 1)[0]
    client.get(PROTECTED)
    exported = client.get("/my-data/export.json").get_data(as_text=True)
    sign_ins = json.loads(exported)["sign_in_sessions"]
    assert len(sign_ins) == 1
    assert sign_ins[0]["user_agent"] == "Firefox on Linux" and sign_ins[0]["remembered"] is True
    assert set(sign_ins[0]) == {"created_at", "last_seen_at", "user_agent", "remembered", "expires_at", "revoked_at"}
    assert token not in exported
    client.post("/auth/sign-out")
    for event in db.session.scalars(select(AuditEvent)):
        assert token not in json.dumps(event.detail) and token not in event.summary
