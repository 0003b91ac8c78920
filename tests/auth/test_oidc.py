"""Institutional sign-in end to end against a real OpenID Connect provider running locally
(oidc-provider-mock: discovery, keys, codes and signed ID tokens over HTTP)."""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from oidc_provider_mock import run_server_in_thread
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from portal.audit.models import AuditEvent
from portal.auth import oidc
from portal.auth.models import OidcIdentity, Role, SignInSession, User
from portal.config import environment_overrides
from portal.extensions import db
from portal.privacy.services import subject_access
from tests.factories import DEFAULT_PASSWORD, make_user

CLIENT_ID = "cohort-portal"
INSTITUTION = "Example University"


@pytest.fixture(scope="module")
def provider():
    """The institution's identity provider: its base URL, which is also its issuer."""
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


def _settings(discovery_url: str, **extra) -> dict:
    return {"OIDC_DISCOVERY_URL": discovery_url, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": "not-checked",
            "OIDC_NAME": INSTITUTION, **extra}


@contextmanager
def _app_context(app):
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        yield app
        db.session.remove()


@pytest.fixture
def institution(make_app, provider):
    """The portal with institutional sign-in at the local provider (an app context is open)."""
    with _app_context(make_app(**_settings(f"{provider}/.well-known/openid-configuration"))) as app:
        yield app


@pytest.fixture
def web(institution):
    return institution.test_client()


def sign_in_at_provider(client, provider: str, sub: str, claims: dict, next_page: str | None = None):
    """Press "Sign in with …", sign in at the provider as `sub` with these claims, and come back."""
    requests.put(f"{provider}/users/{sub}", json=claims, timeout=10).raise_for_status()
    start = client.post("/auth/oidc/start" + (f"?next={next_page}" if next_page else ""))
    assert start.status_code == 303, start.get_data(as_text=True)[:300]
    authorize = start.headers["Location"]
    assert authorize.startswith(f"{provider}/oauth2/authorize?")
    asked = parse_qs(urlsplit(authorize).query)
    assert asked["client_id"] == [CLIENT_ID] and asked["response_type"] == ["code"]
    assert asked["state"] and asked["nonce"] and asked["code_challenge_method"] == ["S256"] and asked["code_challenge"]
    assert asked["redirect_uri"] == ["http://localhost/auth/oidc/callback"]
    answer = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/auth/oidc/callback"
    return client.get(f"{back.path}?{back.query}")


def _signed_in_sessions(user: User) -> int:
    return len(db.session.scalars(select(SignInSession).where(SignInSession.user_id == user.id,
                                                              SignInSession.revoked_at.is_(None))).all())


def _actions(user: User) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "User",
                                                                   AuditEvent.object_id == user.id)
                                   .order_by(AuditEvent.id)))


def _flashed(client) -> str:
    return client.get("/auth/sign-in").get_data(as_text=True)


# ---------------------------------------------------------------- off: nothing changes

def test_without_oidc_the_sign_in_page_is_unchanged(client):
    html = client.get("/auth/sign-in").get_data(as_text=True)
    assert "Sign in with" not in html and "oidc" not in html
    assert client.post("/auth/oidc/start").status_code == 404
    assert client.get("/auth/oidc/callback?code=x&state=y").status_code == 404
    user = make_user()
    assert client.post("/auth/sign-in", data={"email": user.email, "password": DEFAULT_PASSWORD}).status_code == 303


def test_settings_are_checked_at_start_up(make_app, provider):
    with pytest.raises(RuntimeError, match="CLIENT_ID"):
        make_app(OIDC_DISCOVERY_URL=f"{provider}/.well-known/openid-configuration")
    with pytest.raises(RuntimeError, match="'chair' is not a role"):
        make_app(**_settings(f"{provider}/.well-known/openid-configuration", OIDC_GROUP_ROLES="staff-panel=chair"))
    with pytest.raises(RuntimeError, match="PORTAL_OIDC_ISSUER"):
        make_app(**_settings("https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration"))
    assert oidc.parse_group_roles(" a=panel, b=Mentor ,a=lead,, c=d=mentor") == {
        "a": {Role.PANEL, Role.LEAD}, "b": {Role.MENTOR}, "c=d": {Role.MENTOR}}
    with pytest.raises(ValueError, match="not group=role"):
        oidc.parse_group_roles("panel")


# ---------------------------------------------------------------- sign-in, finding and joining accounts

def test_first_sign_in_creates_an_account(web, provider):
    browser = web
    html = browser.get("/auth/sign-in").get_data(as_text=True)
    assert f"Sign in with {INSTITUTION}" in html and 'action="/auth/oidc/start"' in html

    response = sign_in_at_provider(browser, provider, "subject-ada", {
        "email": "Ada@Example.ac.uk", "email_verified": True, "name": "Ada Lovelace"}, next_page="/privacy/")
    assert response.status_code == 303 and response.headers["Location"] == "/privacy/"
    user = db.session.scalar(select(User).where(User.email == "ada@example.ac.uk"))
    assert user.name == "Ada Lovelace" and user.is_active
    identity = db.session.scalar(select(OidcIdentity))
    assert (identity.user_id, identity.issuer, identity.subject) == (user.id, provider, "subject-ada")
    assert _actions(user) == ["account.created", "auth.signed_in"]
    assert _signed_in_sessions(user) == 1
    assert "Welcome, Ada Lovelace" in browser.get("/").get_data(as_text=True)
    # The provider made this account: no password signs in to it.
    assert browser.post("/auth/sign-in", data={"email": user.email, "password": oidc.NO_PASSWORD}).status_code == 400


def test_the_link_is_in_the_persons_own_data_export(institution, provider):
    sign_in_at_provider(institution.test_client(), provider, "subject-ida", {"email": "ida@example.ac.uk",
                                                                             "email_verified": True})
    user = db.session.scalar(select(User))
    [link] = subject_access(user)["institution_sign_in"]
    assert (link["issuer"], link["subject"]) == (provider, "subject-ida")


def test_names_and_addresses_from_the_provider_are_cleaned(institution, provider):
    sign_in_at_provider(institution.test_client(), provider, "subject-odd", {
        "email": "bad\x00address@example.ac.uk", "preferred_username": "Odd.One@Example.ac.uk",
        "given_name": "Odd\n\x00", "family_name": " One "})
    user = db.session.scalar(select(User))
    assert (user.email, user.name) == ("odd.one@example.ac.uk", "Odd One")
    refused = institution.test_client()
    sign_in_at_provider(refused, provider, "subject-none", {"email": "no address"})
    assert "did not send your email address" in _flashed(refused)
    assert db.session.query(User).count() == 1


def test_a_second_sign_in_finds_the_account_by_subject_even_when_the_email_changed(institution, provider):
    first = institution.test_client()
    sign_in_at_provider(first, provider, "subject-grace", {"email": "grace@example.ac.uk", "email_verified": True,
                                                           "name": "Grace Hopper"})
    again = institution.test_client()
    response = sign_in_at_provider(again, provider, "subject-grace", {
        "email": "g.hopper@example.ac.uk", "email_verified": True, "name": "Grace Hopper"})
    assert response.status_code == 303
    assert db.session.query(User).count() == 1
    user = db.session.scalar(select(User))
    assert user.email == "grace@example.ac.uk"
    assert _signed_in_sessions(user) == 2


def test_a_first_sign_in_joins_a_password_account_by_verified_email_once(institution, provider):
    person = make_user(email="noor@example.ac.uk", name="Noor Haddad")
    browser = institution.test_client()
    response = sign_in_at_provider(browser, provider, "subject-noor", {"email": "noor@example.ac.uk",
                                                                        "email_verified": True})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert db.session.query(User).count() == 1
    assert db.session.scalar(select(OidcIdentity.user_id)) == person.id
    assert "account.oidc_linked" in _actions(person) and _signed_in_sessions(person) == 1
    # The password still works while OIDC_PASSWORDS_FOR_INSTITUTION is on (the default).
    assert institution.test_client().post("/auth/sign-in", data={"email": person.email,
                                                                  "password": DEFAULT_PASSWORD}).status_code == 303

    # Once: another identity claiming the same verified address is not joined to it.
    stranger = institution.test_client()
    response = sign_in_at_provider(stranger, provider, "subject-other", {"email": "noor@example.ac.uk",
                                                                         "email_verified": True})
    assert response.status_code == 303 and response.headers["Location"] == "/auth/sign-in"
    assert "already joined to another Example University sign-in" in _flashed(stranger)
    assert db.session.query(OidcIdentity).count() == 1
    assert _signed_in_sessions(person) == 2


@pytest.mark.parametrize("verified", [False, None, "true"])
def test_an_unverified_email_does_not_join_an_existing_account(institution, provider, verified):
    person = make_user(email="kim@example.ac.uk")
    claims = {"email": "kim@example.ac.uk"}
    if verified is not None:
        claims["email_verified"] = verified
    browser = institution.test_client()
    response = sign_in_at_provider(browser, provider, "subject-kim", claims)
    assert response.headers["Location"] == "/auth/sign-in"
    assert "did not confirm that the address is yours" in _flashed(browser)
    assert db.session.query(OidcIdentity).count() == 0 and db.session.query(User).count() == 1
    assert _signed_in_sessions(person) == 0
    assert "account.oidc_linked" not in _actions(person)


# ---------------------------------------------------------------- groups to roles

def test_groups_map_to_roles_added_and_removed_at_each_sign_in_with_audit(institution, provider):
    institution.config["OIDC_GROUP_ROLES"] = "cmalt-panel=panel, cmalt-mentors=mentor, cmalt-leads=lead"
    make_user(roles=[Role.LEAD])  # another lead, so the mapping may take the role away
    browser = institution.test_client()
    sign_in_at_provider(browser, provider, "subject-lin", {
        "email": "lin@example.ac.uk", "email_verified": True, "groups": ["cmalt-panel", "cmalt-mentors", "library"]})
    user = db.session.scalar(select(User).where(User.email == "lin@example.ac.uk"))
    assert user.roles == {Role.PANEL, Role.MENTOR}
    granted = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "role.granted",
                                                          AuditEvent.object_id == user.id)).all()
    assert sorted(event.detail["role"] for event in granted) == ["mentor", "panel"]

    browser.post("/auth/sign-out")
    sign_in_at_provider(browser, provider, "subject-lin", {
        "email": "lin@example.ac.uk", "email_verified": True, "groups": ["cmalt-mentors", "cmalt-leads"]})
    db.session.expire_all()
    assert user.roles == {Role.MENTOR, Role.LEAD}
    revoked = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "role.revoked",
                                                          AuditEvent.object_id == user.id)).all()
    assert [event.detail["role"] for event in revoked] == ["panel"]
    signed_in = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.signed_in")
                                   .order_by(AuditEvent.id)).all()
    assert signed_in[-1].detail["roles_added"] == ["lead"] and signed_in[-1].detail["roles_removed"] == ["panel"]


def test_roles_the_mapping_does_not_name_stay_and_the_only_lead_keeps_the_role(institution, provider):
    institution.config["OIDC_GROUP_ROLES"] = "cmalt-leads=lead"
    person = make_user(email="sam@example.ac.uk", roles=[Role.LEAD, Role.MENTOR])
    sign_in_at_provider(institution.test_client(), provider, "subject-sam", {
        "email": "sam@example.ac.uk", "email_verified": True, "groups": []})
    db.session.expire_all()
    assert person.roles == {Role.LEAD, Role.MENTOR}
    assert "role.kept" in _actions(person) and "role.revoked" not in _actions(person)


# ---------------------------------------------------------------- refused answers

def test_a_token_from_another_issuer_is_refused(institution, provider, caplog):
    institution.config["OIDC_ISSUER"] = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0"
    browser = institution.test_client()
    response = sign_in_at_provider(browser, provider, "subject-eve", {"email": "eve@example.ac.uk",
                                                                       "email_verified": True})
    assert response.status_code == 303 and response.headers["Location"] == "/auth/sign-in"
    assert "Signing in with Example University did not work" in _flashed(browser)
    assert db.session.query(User).count() == 0 and db.session.query(SignInSession).count() == 0
    assert "InvalidClaimError" in caplog.text and "iss" in caplog.text


def test_the_service_refuses_claims_from_another_issuer(institution, provider):
    with pytest.raises(oidc.OidcError, match="did not come from"):
        oidc.sign_in_with_oidc({"iss": "https://elsewhere.example", "sub": "x", "email": "x@example.ac.uk"},
                               issuer=provider)
    assert db.session.query(User).count() == 0


@contextmanager
def _discovery_with_keys_of(provider: str, other: str):
    """A real HTTP server publishing `provider`'s discovery document, but the keys of `other` under the
    kid of `provider`'s key: its ID tokens then carry a signature these keys cannot verify."""
    document = requests.get(f"{provider}/.well-known/openid-configuration", timeout=10).json()
    kid = requests.get(f"{provider}/jwks", timeout=10).json()["keys"][0].get("kid")
    keys = requests.get(f"{other}/jwks", timeout=10).json()
    for key in keys["keys"]:
        key.pop("kid", None)
        if kid:
            key["kid"] = kid

    @Request.application
    def serve(request):
        body = keys if request.path == "/jwks" else dict(document, jwks_uri=f"{request.host_url}jwks")
        return Response(json.dumps(body), content_type="application/json")

    server = make_server("127.0.0.1", 0, serve, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/.well-known/openid-configuration"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_an_id_token_with_a_bad_signature_is_refused(make_app, provider, caplog):
    with run_server_in_thread() as other, _discovery_with_keys_of(provider, f"http://localhost:{other.server_port}") \
            as discovery, _app_context(make_app(**_settings(discovery))) as app:
        browser = app.test_client()
        response = sign_in_at_provider(browser, provider, "subject-mallory", {"email": "mallory@example.ac.uk",
                                                                               "email_verified": True})
        assert response.status_code == 303 and response.headers["Location"] == "/auth/sign-in"
        assert "Signing in with Example University did not work" in _flashed(browser)
        assert db.session.query(User).count() == 0 and db.session.query(SignInSession).count() == 0
        assert "BadSignatureError" in caplog.text


def test_a_callback_without_its_state_is_refused(web, caplog):
    response = web.get("/auth/oidc/callback?code=made-up&state=made-up")
    assert response.status_code == 303 and response.headers["Location"] == "/auth/sign-in"
    assert db.session.query(User).count() == 0
    assert "MismatchingStateError" in caplog.text


def test_a_provider_that_cannot_be_reached_is_said_kindly(make_app):
    with _app_context(make_app(**_settings("http://127.0.0.1:9/.well-known/openid-configuration"))) as app:
        browser = app.test_client()
        response = browser.post("/auth/oidc/start")
        assert response.status_code == 303 and response.headers["Location"] == "/auth/sign-in"
        assert "cannot be reached just now" in _flashed(browser)


# ---------------------------------------------------------------- passwords for institution accounts

def test_password_sign_in_can_be_switched_off_for_linked_institution_accounts(institution, provider):
    insider = make_user(email="ola@example.ac.uk")
    visitor = make_user(email="visitor@partner.example")
    unlinked = make_user(email="unlinked@example.ac.uk")
    sign_in_at_provider(institution.test_client(), provider, "subject-ola", {"email": insider.email,
                                                                              "email_verified": True})
    sign_in_at_provider(institution.test_client(), provider, "subject-visitor", {"email": visitor.email,
                                                                                  "email_verified": True})
    institution.config["OIDC_PASSWORDS_FOR_INSTITUTION"] = False

    browser = institution.test_client()
    refused = browser.post("/auth/sign-in", data={"email": insider.email, "password": DEFAULT_PASSWORD})
    assert refused.status_code == 400
    assert "Your account signs in with Example University" in refused.get_data(as_text=True)
    assert _signed_in_sessions(insider) == 1  # only the sign-in through the provider
    # A wrong password still gets the usual answer, so the message says nothing without the password.
    wrong = browser.post("/auth/sign-in", data={"email": insider.email, "password": "not the password"})
    assert "do not match an account" in wrong.get_data(as_text=True)
    for person in (visitor, unlinked):  # external people, and accounts not linked, keep their passwords
        assert institution.test_client().post("/auth/sign-in", data={
            "email": person.email, "password": DEFAULT_PASSWORD}).status_code == 303
    # The provider still signs the insider in.
    assert sign_in_at_provider(browser, provider, "subject-ola", {"email": insider.email,
                                                                  "email_verified": True}).status_code == 303
    assert _signed_in_sessions(insider) == 2


def test_config_from_the_environment():
    found = environment_overrides({"PORTAL_OIDC_DISCOVERY_URL": "https://login.example/.well-known/openid-configuration",
                                   "PORTAL_OIDC_PASSWORDS_FOR_INSTITUTION": "off", "PORTAL_OIDC_TIMEOUT": "5",
                                   "PORTAL_OIDC_GROUP_ROLES": "g=panel"})
    assert found["OIDC_PASSWORDS_FOR_INSTITUTION"] is False and found["OIDC_TIMEOUT"] == 5
    assert found["OIDC_GROUP_ROLES"] == "g=panel"
