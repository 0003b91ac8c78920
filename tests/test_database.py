"""The database connection's settings on SQLite: what the portal relies on from every connection."""
from __future__ import annotations

from sqlalchemy import text

from portal import create_app
from portal.extensions import db


def test_sqlite_connections_enforce_foreign_keys_wait_for_locks_and_keep_a_large_page_cache(tmp_path):
    # Its own SQLite file, so this holds whichever database the rest of the suite runs on.
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "settings.sqlite3"),
                      "SECRET_KEY": "database-settings-test-key-0123456789abcdef"})
    with app.app_context(), db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
        assert conn.execute(text("PRAGMA cache_size")).scalar() == -32768
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
