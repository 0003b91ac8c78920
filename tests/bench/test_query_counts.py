"""No N+1: each key page sends the same number of SQL queries at two data sizes, and at most 12."""
from __future__ import annotations

from dataclasses import replace

from portal import create_app
from portal.bench.data import QUICK, build
from portal.bench.run import measure_pages
from portal.extensions import db

SMALL = replace(QUICK, staff=200, proposals=30, panel=3, sessions=12, bookings=150, mentors=6, participants=15)


def _counts(tmp_path, size, name):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / f"{name}.sqlite3"),
                      "RATELIMIT_ENABLED": False, "SECRET_KEY": "bench-test-secret-key-0123456789abcdef",
                      "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024})
    with app.app_context():
        db.create_all()
        data = build(size)
    results = measure_pages(app, data, repeat=1)
    return {r.name: (r.status, r.queries) for r in results if not r.name.startswith("matching")}


def test_key_pages_send_the_same_queries_at_two_sizes(tmp_path):
    small = _counts(tmp_path, SMALL, "small")
    large = _counts(tmp_path, QUICK, "large")
    assert small.keys() == large.keys()
    for name in small:
        assert small[name][0] in (200, 303), (name, small[name])
        assert small[name] == large[name], f"{name}: {small[name][1]} queries at the small size, {large[name][1]} at the larger"
        assert large[name][1] <= 12, f"{name}: {large[name][1]} queries"
