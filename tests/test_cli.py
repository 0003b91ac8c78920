"""Command-line contracts: migrations, create-lead, demo."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.auth.models import Role, User
from portal.demo import DEMO_LOGINS, load_demo
from portal.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def _flask(tmp_path, *args, env_extra=None):
    env = dict(os.environ, PORTAL_INSTANCE_PATH=str(tmp_path / "instance"),
               DATABASE_URL="sqlite:///" + str(tmp_path / "cli.sqlite3"), PORTAL_ARGON2_TIME_COST="1",
               PORTAL_ARGON2_MEMORY_COST="1024")
    env.pop("TEST_DATABASE_URL", None)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_migrations_build_the_schema_the_models_describe(tmp_path):
    upgrade = _flask(tmp_path, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    check = _flask(tmp_path, "db", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr


def test_demo_and_create_lead_from_the_command_line(tmp_path):
    assert _flask(tmp_path, "db", "upgrade").returncode == 0
    demo = _flask(tmp_path, "demo")
    assert demo.returncode == 0, demo.stderr
    for _role, email, password in DEMO_LOGINS:
        assert email in demo.stdout and password in demo.stdout
    again = _flask(tmp_path, "demo")
    assert again.returncode != 0
    assert "only fills an empty database" in again.stderr
    lead = _flask(tmp_path, "create-lead", "boss@example.ac.uk", "--name", "The Boss",
                  "--password", "a long enough passphrase")
    assert lead.returncode == 0, lead.stderr
    assert "Created boss@example.ac.uk: programme lead." in lead.stdout


def test_create_lead_promotes_existing_account(app):
    from portal.auth.services import create_lead
    from tests.factories import make_user
    person = make_user(email="existing@example.ac.uk")
    user, created = create_lead("existing@example.ac.uk", None, None)
    assert (user, created) == (person, False)
    assert Role.LEAD in user.roles


def test_demo_institution_and_its_logins(app, client):
    logins = load_demo()
    assert db.session.query(User).count() >= 44
    people = db.session.query(User).all()
    assert sum(1 for p in people if Role.PANEL in p.roles) == 5
    assert sum(1 for p in people if Role.MENTOR in p.roles) == 7  # the eighth volunteer awaits approval
    assert sum(1 for p in people if Role.LEAD in p.roles) == 1
    for _role, email, password in logins:
        response = client.post("/auth/sign-in", data={"email": email, "password": password})
        assert response.status_code == 303, email
        home = client.get("/").get_data(as_text=True)
        assert "Welcome," in home
        client.post("/auth/sign-out")


def test_demo_refuses_a_non_empty_database(app):
    from portal.demo import DemoRefused
    from tests.factories import make_user
    make_user()
    with pytest.raises(DemoRefused):
        load_demo()
