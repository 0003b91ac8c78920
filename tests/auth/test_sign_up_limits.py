"""A token-less flood of sign-ups and resets is limited, per address and per client, with a friendly page.

These apps come from make_app, which does not empty the database: counts are taken as differences."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.outbox.models import OutboxMessage
from portal.extensions import db
from tests.factories import make_user

PASSWORD = "a long enough passphrase"


def _sign_up(client, email: str, address: str = "127.0.0.1"):
    return client.post("/auth/sign-up", environ_base={"REMOTE_ADDR": address}, data={
        "name": "Flood", "email": email, "password": PASSWORD, "confirm": PASSWORD})


def _limited_app(make_app, **limits):
    config = {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "100 per minute", "ADDRESS_RATE_LIMIT": "100 per minute"}
    config.update(limits)
    return make_app(**config)


def _queued() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)))


def test_many_sign_ups_for_one_address_from_many_clients_are_limited(make_app):
    app = _limited_app(make_app, ADDRESS_RATE_LIMIT="3 per minute")
    with app.app_context():
        client, before = app.test_client(), _queued()
        codes = [_sign_up(client, "victim@example.ac.uk", f"10.0.0.{n}").status_code for n in range(6)]
        assert codes == [200, 200, 200, 429, 429, 429]
        assert _queued() - before == 3  # one address gets at most three emails
        response = _sign_up(client, "Victim@Example.ac.uk ", "10.0.0.99")
        assert response.status_code == 429
        assert "Too many requests" in response.get_data(as_text=True)
        assert "Wait a minute and try again" in response.get_data(as_text=True)
        # Another address is not held up.
        assert _sign_up(client, "someone.else@example.ac.uk", "10.0.0.100").status_code == 200


def test_the_address_limit_is_shared_by_sign_up_reset_and_resend(make_app):
    app = _limited_app(make_app, ADDRESS_RATE_LIMIT="3 per minute")
    with app.app_context():
        make_user(email="owner@example.ac.uk")
        client = app.test_client()
        assert _sign_up(client, "owner@example.ac.uk").status_code == 200
        assert client.post("/auth/reset", data={"email": "owner@example.ac.uk"}).status_code == 303
        assert client.post("/auth/sign-up/resend", data={"email": "owner@example.ac.uk"}).status_code == 200
        assert client.post("/auth/reset", data={"email": "owner@example.ac.uk"}).status_code == 429
        assert client.post("/auth/sign-up/resend", data={"email": "owner@example.ac.uk"}).status_code == 429
        assert _sign_up(client, "owner@example.ac.uk").status_code == 429


def test_many_sign_ups_from_one_client_are_limited(make_app):
    app = _limited_app(make_app, LOGIN_RATE_LIMIT="4 per minute")
    with app.app_context():
        client, before = app.test_client(), _queued()
        codes = [_sign_up(client, f"person{n}@example.ac.uk").status_code for n in range(6)]
        assert codes == [200, 200, 200, 200, 429, 429]
        assert _queued() - before == 4
        assert "Too many requests" in _sign_up(client, "more@example.ac.uk").get_data(as_text=True)
        # Another client is not held up.
        assert _sign_up(client, "other@example.ac.uk", "10.9.9.9").status_code == 200


def test_many_resets_from_one_client_for_many_addresses_are_limited(make_app):
    app = _limited_app(make_app, LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        client = app.test_client()
        codes = [client.post("/auth/reset", data={"email": f"p{n}@example.ac.uk"}).status_code for n in range(5)]
        assert codes == [303, 303, 303, 429, 429]


def test_the_neutral_answer_is_the_same_under_the_limit_for_new_and_existing(make_app):
    app = _limited_app(make_app)
    with app.app_context():
        make_user(email="exists@example.ac.uk")
        client = app.test_client()
        new, existing = _sign_up(client, "new@example.ac.uk"), _sign_up(client, "exists@example.ac.uk")
        assert new.status_code == existing.status_code == 200
        strip = lambda r: r.get_data(as_text=True).split("<main", 1)[1].split("</main>", 1)[0]  # noqa: E731
        assert strip(new) == strip(existing)
