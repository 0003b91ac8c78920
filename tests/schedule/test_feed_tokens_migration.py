"""Migration 0012: feed links handed out before it keep working after it, though only their hash is kept.

A fresh database of the suite's kind (SQLite, or PostgreSQL when TEST_DATABASE_URL names a server) is built
by `flask db upgrade` in a subprocess, as production builds it; a person and two feed links (one live, one
revoked) are written at 0009 with their secrets in clear, then the database is upgraded to the head and the
real app answers the old URLs.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa

from portal import create_app
from portal.config import normalise_database_url
from portal.extensions import db
from tests.schedule.test_migration_office_hours_times import _flask, database  # noqa: F401 (a fixture)

LIVE, REVOKED = "live-feed-secret-made-before-the-migration-0123", "revoked-feed-secret-made-before-0123456"


def _write_feeds_at_0009(engine) -> None:
    now = datetime(2026, 11, 1, 9, 0)
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO users (id, email, name, job_title, department, campus, password_hash, is_active_account,"
            " created_at, wants_reminders) VALUES (1, 'ann@example.ac.uk', 'Ann', '', '', '', 'x', :yes, :now, :yes)"),
            dict(yes=True, now=now))
        connection.execute(sa.text(
            "INSERT INTO feed_tokens (id, user_id, token, scope, label, created_at, revoked_at) VALUES"
            " (1, 1, :live, 'personal', 'Phone', :now, NULL), (2, 1, :revoked, 'personal', 'Old', :now, :now)"),
            dict(live=LIVE, revoked=REVOKED, now=now))


def test_0012_hashes_feed_secrets_and_old_links_keep_working(tmp_path, database):  # noqa: F811
    engine = sa.create_engine(normalise_database_url(database))
    try:
        _flask(tmp_path, database, "db", "upgrade", "0009")
        _write_feeds_at_0009(engine)
        _flask(tmp_path, database, "db", "upgrade")
        with engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("feed_tokens")}
            stored = connection.execute(sa.text("SELECT id, token_hash FROM feed_tokens ORDER BY id")).all()
        assert "token" not in columns
        assert stored == [(1, hashlib.sha256(LIVE.encode()).hexdigest()),
                          (2, hashlib.sha256(REVOKED.encode()).hexdigest())]
        assert "No new upgrade operations detected" in _flask(tmp_path, database, "db", "check")

        app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
                          "SQLALCHEMY_DATABASE_URI": normalise_database_url(database), "RATELIMIT_ENABLED": False,
                          "BASE_URL": "http://localhost", "SERVER_NAME": None, "MAIL_SERVER": None})
        client = app.test_client()
        live = client.get(f"/schedule/feed/{LIVE}.ics")
        assert live.status_code == 200 and live.data.startswith(b"BEGIN:VCALENDAR")
        assert client.get(f"/schedule/feed/{REVOKED}.ics").status_code == 410
        assert client.get(f"/schedule/feed/{hashlib.sha256(LIVE.encode()).hexdigest()}.ics").status_code == 404
        with app.app_context():
            db.engine.dispose()

        _flask(tmp_path, database, "db", "downgrade", "0011")
        with engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("feed_tokens")}
        assert "token" in columns and "token_hash" not in columns
        _flask(tmp_path, database, "db", "upgrade")
    finally:
        engine.dispose()
