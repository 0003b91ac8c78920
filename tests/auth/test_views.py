"""Sign-up, sign-in and bad input through HTTP."""
from __future__ import annotations

from portal.auth.models import User
from portal.extensions import db
from tests.factories import DEFAULT_PASSWORD, make_user

GENERIC = "do not match an account"


def test_wrong_password_and_unknown_account_get_the_same_message(client):
    user = make_user()
    wrong = client.post("/auth/sign-in", data={"email": user.email, "password": "not the password"})
    unknown = client.post("/auth/sign-in", data={"email": "ghost@example.ac.uk", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 400
    assert GENERIC in wrong.get_data(as_text=True)
    assert GENERIC in unknown.get_data(as_text=True)
    assert "ghost@example.ac.uk" in unknown.get_data(as_text=True)  # input kept


def test_sign_in_then_out(client):
    user = make_user(name="Ada Lovelace")
    response = client.post("/auth/sign-in", data={"email": user.email, "password": DEFAULT_PASSWORD},
                           follow_redirects=True)
    assert "Welcome, Ada Lovelace" in response.get_data(as_text=True)
    response = client.post("/auth/sign-out", follow_redirects=True)
    assert "You have signed out" in response.get_data(as_text=True)
    assert client.get("/admin/people").status_code == 302


def test_sign_in_ignores_offsite_next(client):
    user = make_user()
    for target in ["https://evil.example.com/", "//evil.example.com/", "/\\evil.example.com"]:
        response = client.post("/auth/sign-in?next=" + target,
                               data={"email": user.email, "password": DEFAULT_PASSWORD})
        assert response.headers["Location"] == "/"
        client.post("/auth/sign-out")
    response = client.post("/auth/sign-in?next=/admin/audit", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.headers["Location"] == "/admin/audit"


def test_sign_up_with_other_domain_keeps_input(client):
    response = client.post("/auth/sign-up", data={
        "name": "Kim Park", "email": "kim@gmail.com", "job_title": "Lecturer", "department": "Law",
        "password": "a long enough passphrase", "confirm": "a long enough passphrase"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Use your institution email address (@example.ac.uk)" in html
    assert 'value="Kim Park"' in html and 'value="kim@gmail.com"' in html and 'value="Law"' in html
    assert db.session.query(User).count() == 0


def test_sign_up_with_a_weak_password_says_why(client):
    response = client.post("/auth/sign-up", data={
        "name": "New", "email": "new@example.ac.uk", "password": "short", "confirm": "short"})
    assert "at least 10 characters" in response.get_data(as_text=True)
    assert db.session.query(User).count() == 0


# An existing address, and a new account waiting for its link: tests/auth/test_sign_up.py.


def test_missing_csrf_token_reshows_form_with_input(client):
    response = client.post("/auth/sign-up", csrf=False, data={
        "name": "Kept Name", "email": "kept@example.ac.uk", "department": "Kept Dept",
        "password": "a long enough passphrase", "confirm": "a long enough passphrase"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "security token was missing or out of date" in html
    assert 'value="Kept Name"' in html and 'value="Kept Dept"' in html
    assert db.session.query(User).count() == 0


def test_wrong_csrf_token_on_a_button_gets_a_friendly_page(client, login_as):
    login_as()
    response = client.post("/auth/sign-out", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert "Your form had expired" in response.get_data(as_text=True)
    assert client.get("/").status_code == 200


def test_login_is_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        client = app.test_client()
        codes = [client.post("/auth/sign-in", data={"email": "x@example.ac.uk", "password": "nope nope nope"}).status_code
                 for _ in range(5)]
        assert codes[:3] == [400, 400, 400]
        assert codes[3:] == [429, 429]
        response = client.post("/auth/sign-in", data={"email": "x@example.ac.uk", "password": "nope nope nope"})
        assert "Too many sign-in attempts" in response.get_data(as_text=True)


def test_session_cookie_is_httponly_and_lax(client):
    user = make_user()
    response = client.post("/auth/sign-in", data={"email": user.email, "password": DEFAULT_PASSWORD})
    cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure(make_app):
    app = make_app(ENV_NAME="production")
    assert app.config["SESSION_COOKIE_SECURE"] is True
