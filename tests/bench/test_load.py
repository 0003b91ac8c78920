"""The load test really serves the staff home through gunicorn: every counted request is a signed-in 200.

Speed is measured by the benchmark (`python -m portal.bench.load`), never asserted here.
"""
from __future__ import annotations

from portal import create_app
from portal.auth.models import User
from portal.bench.data import QUICK, build
from portal.bench.load import SIGNED_IN_MARKER, run_load
from portal.extensions import db


def test_gunicorn_serves_the_signed_in_staff_home_without_errors(tmp_path):
    url = "sqlite:///" + str(tmp_path / "load.sqlite3")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
                      "SECRET_KEY": "bench-test-secret-key-0123456789abcdef"})
    with app.app_context():
        db.create_all()
        data = build(QUICK)
        staff = db.session.get(User, data.staff_id)
        email, name = staff.email, staff.name
        db.engine.dispose()

    # The home page greets this person by name; the anonymous welcome page has neither marker.
    greeting = f"Welcome, {name}".encode()
    result = run_load(url, email, workers=2, seconds=2, concurrency=2, markers=(SIGNED_IN_MARKER, greeting))

    assert result.requests > 0, result.format()
    assert result.errors == 0, result.format()
    assert result.exceptions == {}, result.format()
    assert result.statuses == {200: result.requests}, result.format()
    assert result.content_ok == result.requests, result.format()
