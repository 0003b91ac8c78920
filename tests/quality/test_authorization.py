"""Authorization sweep: every URL rule, GET and POST, as each role, with other people's ids.

Nobody but the lead may see another person's data or change another person's things; the
anonymous visitor is sent to sign in; nothing answers 500.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.routing.converters import AnyConverter, IntegerConverter, NumberConverter

from portal.auth.models import User
from portal.extensions import db
from tests.quality.conftest import ROLE_EMAILS, client_sign_in, report
from tests.quality.known_issues import known
from tests.quality.sweep import markers, snapshot, someone_elses, table_for_argument

ROLES = ["anonymous", "staff", "panel", "mentor", "lead"]
PUBLIC_BLUEPRINTS = {"auth", "main"}
# Signing out ends the sweep's own session; static files are not the app's pages.
SKIP_ENDPOINTS = {"static", "auth.sign_out"}


def _rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in SKIP_ENDPOINTS:
            continue
        for method in ("GET", "POST"):
            if method in (rule.methods or ()):
                yield rule, method


def _public(rule) -> bool:
    """Pages for everyone: sign-in and friends, and feeds addressed by a secret token or named public."""
    return rule.endpoint.split(".")[0] in PUBLIC_BLUEPRINTS or "token" in rule.arguments or "public" in rule.rule


def _placeholder(converter):
    """A value the converter accepts, for arguments that name no table (or a table with no such row)."""
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    if isinstance(converter, (IntegerConverter, NumberConverter)):
        return 999999
    return "not-a-real-value"


def _url_for_someone_else(rule, user_id, cache):
    """The rule's URL with ids of objects unrelated to the person; what must not leak; rows to watch."""
    values, secrets, watched = {}, [], []
    # Later arguments are the more specific object (/rounds/<r>/proposals/<p>): pick those first and
    # take their parents' ids from them so the URL names a real pair.
    for argument in reversed(list(rule.arguments)):
        if argument in values:
            continue
        table, key = table_for_argument(argument)
        if table is not None and (table.name, key) not in cache:
            cache[table.name, key] = someone_elses(table, key, user_id)
        row = cache[table.name, key] if table is not None else None
        if row is None:
            values[argument] = _placeholder(rule._converters[argument])
            continue
        values[argument] = row[key]
        for other in rule.arguments:
            if other not in values and other in row:
                values[other] = row[other]
        found = markers(table, row)
        if found:
            secrets += found
            watched.append((table, row, snapshot(table, row)))
    built = rule.build(values, append_unknown=False)
    url = built[1] if isinstance(built, tuple) else built
    return url, secrets, watched


def sweep(app, role: str) -> tuple[list[str], int, int]:
    """Request every rule as the role; returns (problems, requests made, requests naming others' things)."""
    client = app.test_client()
    user_id = None
    if role != "anonymous":
        client_sign_in(client, ROLE_EMAILS[role])
        with app.app_context():
            user_id = db.session.scalar(db.select(User.id).where(User.email == ROLE_EMAILS[role]))
    problems, checked, personal, cache = [], 0, 0, {}
    for rule, method in _rules(app):
        with app.app_context():
            url, secrets, watched = _url_for_someone_else(rule, user_id, cache)
        response = client.open(url, method=method, data={} if method == "POST" else None)
        checked += 1
        personal += bool(secrets)
        body = response.get_data(as_text=True)
        where = f"{role} {method} {url} ({rule.endpoint})"
        if response.status_code >= 500:
            problems.append(f"{where}: answered {response.status_code}")
            continue
        if role == "lead":
            continue  # the lead may see and do everything; only a 500 is wrong
        if role == "anonymous" and not _public(rule):
            # Refusals (4xx) and a redirect to sign in are fine; a page or a redirect elsewhere is not.
            location = response.headers.get("Location", "")
            if response.status_code < 300 or (response.status_code < 400 and "/auth/sign-in" not in location):
                problems.append(f"{where}: anonymous got {response.status_code} {location}")
        leaked = [s for s in secrets if s in body]
        if leaked:
            problems.append(f"{where}: shows another person's data {leaked[:2]}")
        if method == "POST":
            with app.app_context():
                changed = [f"{table.name} row {row.get('id')}" for table, row, before in watched
                           if snapshot(table, row) != before]
            if changed:
                problems.append(f"{where}: changed {', '.join(changed)}")
    return problems, checked, personal


@pytest.mark.parametrize("role", ROLES)
def test_nobody_sees_or_changes_another_persons_things(demo_app, role):
    problems, checked, personal = sweep(demo_app, role)
    report(f"authorization sweep: {role}: {checked} requests over app.url_map "
           f"({personal} with another person's ids)")
    if role in {"staff", "panel", "mentor"}:
        assert personal >= 5, "the sweep found too few other people's objects to be meaningful"
    unexpected = [p for p in problems if not known("authz", p)]
    assert not unexpected, "\n".join(unexpected)


def test_the_sweep_catches_a_leaky_page_and_a_careless_post(demo_app):
    """The same sweep over the same data, plus two careless views: both are reported."""
    from flask import Blueprint
    from flask_login import login_required

    from portal import create_app

    leaky = Blueprint("leaky", __name__, url_prefix="/leaky")

    @leaky.route("/people/<int:user_id>")
    @login_required
    def person(user_id):
        return f"<p>{db.session.get(User, user_id).email}</p>"

    @leaky.route("/people/<int:user_id>/rename", methods=["POST"])
    @login_required
    def rename(user_id):
        db.session.get(User, user_id).name = "Renamed by someone else"
        db.session.commit()
        return "", 204

    app = create_app(dict(demo_app.config))
    app.test_client_class = demo_app.test_client_class
    app.register_blueprint(leaky)
    problems, _, _ = sweep(app, "staff")
    # Ids are not 1-based on PostgreSQL (sequences outlive deleted rows): find the lead's.
    with demo_app.app_context():
        lead_id = db.session.scalar(select(User.id).where(User.email == "lead@example.ac.uk"))
    assert [p for p in problems if "leaky" in p] == [
        f"staff GET /leaky/people/{lead_id} (leaky.person): shows another person's data ['lead@example.ac.uk']",
        f"staff POST /leaky/people/{lead_id}/rename (leaky.rename): changed users row {lead_id}",
    ]
