"""The database connection's settings on SQLite: what the portal relies on from every connection."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from portal.extensions import db


def test_sqlite_connections_enforce_foreign_keys_wait_for_locks_and_keep_a_large_page_cache(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
        assert conn.execute(text("PRAGMA cache_size")).scalar() == -32768
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
