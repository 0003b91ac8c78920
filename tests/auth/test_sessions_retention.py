"""Sign-ins: loaded with the person in one query; ended ones deleted by retention; unknown tokens load nobody."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.auth import sessions
from portal.auth.models import Role, SignInSession
from portal.db_types import utcnow
from portal.extensions import db
from portal.privacy.services import run_retention
from tests.factories import make_user
from tests.query_counts import call_queries


def test_the_person_their_roles_and_the_sign_in_come_in_one_query(app):
    user = make_user(roles=["lead", "panel"])
    token = sessions.start_session(user, remembered=False)
    db.session.commit()
    uid = user.id
    db.session.expunge_all()
    found = []
    assert call_queries(lambda: found.append(sessions.user_for_token(token))) == 1
    loaded = found[0]
    assert loaded.id == uid and loaded.roles == {Role.LEAD, Role.PANEL}
    assert loaded.get_id() == token and loaded.sign_in_session.user_id == uid


def test_unknown_revoked_and_odd_tokens_load_nobody(app):
    user = make_user()
    token = sessions.start_session(user, remembered=True)
    db.session.commit()
    assert sessions.user_for_token(token) is not None
    for odd in (None, "", 12, str(user.id), "x" * 500, token + "x"):
        assert sessions.user_for_token(odd) is None
    sessions.revoke_all(None, user, "test")
    db.session.commit()
    assert sessions.user_for_token(token) is None


def test_retention_deletes_sign_ins_ended_long_ago_and_keeps_the_rest(app):
    user = make_user()
    now = utcnow()
    rows = {
        "live": SignInSession(user_id=user.id, token_hash="a" * 64, expires_at=now + timedelta(days=1)),
        "revoked_lately": SignInSession(user_id=user.id, token_hash="b" * 64, expires_at=now + timedelta(days=1),
                                        revoked_at=now - timedelta(days=10)),
        "revoked_long_ago": SignInSession(user_id=user.id, token_hash="c" * 64, expires_at=now + timedelta(days=1),
                                          revoked_at=now - timedelta(days=91)),
        "expired_long_ago": SignInSession(user_id=user.id, token_hash="d" * 64, expires_at=now - timedelta(days=91)),
    }
    db.session.add_all(rows.values())
    db.session.commit()
    report = run_retention()
    db.session.commit()
    assert report.sign_in_sessions == 2
    left = set(db.session.scalars(select(SignInSession.token_hash)))
    assert left == {"a" * 64, "b" * 64}
    assert db.session.scalar(select(func.count()).select_from(SignInSession)) == 2
