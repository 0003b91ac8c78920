"""Migration 0009: office-hours blocks' "HH:MM" strings become Time columns and back, on SQLite and PostgreSQL.

Each database is a fresh one built by `flask db upgrade` in a subprocess, as production builds it; a block
with a slot (a session that refers to it) is written at 0008, so the rebuild of the table on SQLite has a
foreign key pointing at it.
"""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, time, timezone
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from portal.config import normalise_database_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database(tmp_path):
    """A URL to a new, empty database of the kind the suite runs on: SQLite by default, PostgreSQL when
    TEST_DATABASE_URL names a server (the second half of .ci/run), so each run checks its own kind."""
    server = os.environ.get("TEST_DATABASE_URL", "")
    if not server.startswith("postgresql"):
        yield "sqlite:///" + str(tmp_path / "migrated.sqlite3")
        return
    name = f"migration_0009_{os.getpid()}"
    admin = sa.make_url(normalise_database_url(server))
    with psycopg.connect(admin.set(drivername="postgresql").render_as_string(hide_password=False),
                         autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin.set(drivername="postgresql").render_as_string(hide_password=False),
                             autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _flask(tmp_path, url, *args):
    env = dict(os.environ, PORTAL_INSTANCE_PATH=str(tmp_path / "instance"), DATABASE_URL=url)
    env.pop("TEST_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def _blocks(engine, kind):
    table = sa.table("office_hours_blocks", sa.column("id"), sa.column("start_time", kind),
                     sa.column("end_time", kind))
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.select(table).order_by(table.c.id))]


def _column_types(engine) -> dict:
    columns = sa.inspect(engine).get_columns("office_hours_blocks")
    return {c["name"]: (type(c["type"]).__name__, c["nullable"]) for c in columns if c["name"].endswith("_time")}


def _write_blocks_at_0008(engine) -> None:
    now = datetime(2026, 12, 1, 9, 0)
    block = dict(description="", first_day=date(2026, 12, 8), weeks=1, slot_minutes=30, per_person=1,
                 location="", online_url="", audience="everyone", created_at=now)
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO office_hours_blocks (id, title, description, first_day, start_time, end_time, weeks,"
            " slot_minutes, per_person, location, online_url, audience, created_at) VALUES (:id, :title,"
            " :description, :first_day, :start_time, :end_time, :weeks, :slot_minutes, :per_person, :location,"
            " :online_url, :audience, :created_at)"),
            [dict(block, id=1, title="Feedback", start_time="14:00", end_time="16:30"),
             dict(block, id=2, title="Early", start_time="08:05", end_time="09:05")])
        connection.execute(sa.text(
            "INSERT INTO sessions (id, kind, title, description, starts_at, ends_at, all_day, location, online_url,"
            " capacity, booked_count, audience, block_id, status, uid, sequence, created_at, updated_at) VALUES"
            " (1, 'office_hours', 'Feedback', '', :starts, :ends, :no, '', '', 1, 0, 'everyone', 1, 'scheduled',"
            " 'slot-1@test', 0, :now, :now)"),
            dict(starts=datetime(2026, 12, 8, 14, 0), ends=datetime(2026, 12, 8, 14, 30), no=False, now=now))


def test_0009_turns_the_strings_into_times_and_back(tmp_path, database):
    engine = sa.create_engine(normalise_database_url(database))
    try:
        _flask(tmp_path, database, "db", "upgrade", "0008")
        _write_blocks_at_0008(engine)

        _flask(tmp_path, database, "db", "upgrade", "0009")
        assert _column_types(engine) == {"start_time": ("TIME", False), "end_time": ("TIME", False)}
        assert _blocks(engine, sa.Time()) == [(1, time(14, 0), time(16, 30)), (2, time(8, 5), time(9, 5))]
        with engine.connect() as connection:
            # The slot still belongs to its block, and nothing points at a missing row.
            assert connection.execute(sa.text("SELECT block_id FROM sessions")).scalar_one() == 1
            if engine.dialect.name == "sqlite":
                assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        # Up to the newest revision, the migrated schema is exactly the one the models describe.
        _flask(tmp_path, database, "db", "upgrade")
        assert "No new upgrade operations detected" in _flask(tmp_path, database, "db", "check")

        _flask(tmp_path, database, "db", "downgrade", "0008")
        assert _column_types(engine) == {"start_time": ("VARCHAR", False), "end_time": ("VARCHAR", False)}
        assert _blocks(engine, sa.String()) == [(1, "14:00", "16:30"), (2, "08:05", "09:05")]

        _flask(tmp_path, database, "db", "upgrade")
        assert _blocks(engine, sa.Time()) == [(1, time(14, 0), time(16, 30)), (2, time(8, 5), time(9, 5))]
    finally:
        engine.dispose()
