"""Authorization sweep: every URL rule, GET and POST, as each role, with other people's ids.

Each rule is asked with no body, then with the bodies of the forms that reach it, read from the pages
themselves (crawled as the role; as the lead for the anonymous visitor): a POST with the form's own
values and with values no form offers, a GET form's query string with its values and with each field
set to one it does not offer. Nobody but the lead may see another person's data or change another
person's things; the anonymous visitor is sent to sign in; nothing answers 500. Each role sweeps a
fresh demo institution, so what the lead's posts change cannot hide anything from another role.
"""
from __future__ import annotations

from urllib.parse import urlencode

import pytest
from sqlalchemy import select
from werkzeug.routing.converters import AnyConverter, IntegerConverter, NumberConverter

from portal.auth.models import User
from portal.demo import load_demo
from portal.extensions import db
from tests.conftest import _empty_tables
from tests.quality.conftest import ROLE_EMAILS, client_sign_in, report
from tests.quality.crawl import seeds_from
from tests.quality.forms import crawl_forms
from tests.quality.known_issues import known
from tests.quality.sweep import bodies, forms_by_endpoint, markers, snapshot, someone_elses, table_for_argument

ROLES = ["anonymous", "staff", "panel", "mentor", "lead"]
# "calls": the public call page of each announced round (portal/main/call.py), for anyone, signed in or not.
PUBLIC_BLUEPRINTS = {"auth", "main", "calls"}
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


# Pages crawled for forms, per role: enough to reach every form the demo shows (the crawl counts a page
# pattern at most twice).
CRAWL_PAGES = 150


def fresh_demo(app) -> None:
    """Start from the demo institution as loaded: an earlier sweep's posts (the lead's) changed it."""
    with app.app_context():
        _empty_tables()
        load_demo()
        db.session.remove()


def _forms_seen_by(app, role: str):
    """The forms on the pages the role sees (the lead's, for the anonymous visitor), by endpoint."""
    client = app.test_client()
    client_sign_in(client, ROLE_EMAILS["lead" if role == "anonymous" else role])
    forms, _pages = crawl_forms(client, seeds_from(app), max_pages=CRAWL_PAGES)
    return forms_by_endpoint(app, forms)


def _requests(rule, method: str, url: str, forms) -> list[tuple[str, str, dict | None]]:
    """The rule's requests: no body, then each body of each form that reaches it."""
    out = [(url, "", {} if method == "POST" else None)]
    for form in forms.get((method, rule.endpoint), []):
        for label, data in bodies(form):
            if method == "POST":
                out.append((url, label, data))
            else:
                out.append((f"{url}?{urlencode(data)}", label, None))
    return out


def sweep(app, role: str) -> tuple[list[str], int, int]:
    """Request every rule as the role; returns (problems, requests made, requests naming others' things)."""
    forms = _forms_seen_by(app, role)
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
        for target, label, data in _requests(rule, method, url, forms):
            checked += 1
            personal += bool(secrets)
            problems += _check(app, client, role, rule, method, target, label, data, secrets, watched)
    return problems, checked, personal


def _check(app, client, role, rule, method, url, label, data, secrets, watched) -> list[str]:
    """One request and what is wrong with its answer."""
    where = f"{role} {method} {url} ({rule.endpoint})" + (f" with the form's {label}" if method == "POST" and label
                                                          else "")
    try:
        response = client.open(url, method=method, data=data)
    except Exception as exc:  # noqa: BLE001  TESTING propagates what production answers with a 500
        return [f"{where}: answered 500 ({type(exc).__name__}: {str(exc)[:120]})"]
    if response.status_code >= 500:
        return [f"{where}: answered {response.status_code}"]
    if role == "lead":
        return []  # the lead may see and do everything; only a 500 is wrong
    problems = []
    if role == "anonymous" and not _public(rule):
        # Refusals (4xx) and a redirect to sign in are fine; a page or a redirect elsewhere is not.
        location = response.headers.get("Location", "")
        if response.status_code < 300 or (response.status_code < 400 and "/auth/sign-in" not in location):
            problems.append(f"{where}: anonymous got {response.status_code} {location}")
    body = response.get_data(as_text=True)
    leaked = [s for s in secrets if s in body]
    if leaked:
        problems.append(f"{where}: shows another person's data {leaked[:2]}")
    if method == "POST":
        with app.app_context():
            changed = [f"{table.name} row {row.get('id')}" for table, row, before in watched
                       if snapshot(table, row) != before]
        if changed:
            problems.append(f"{where}: changed {', '.join(changed)}")
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_nobody_sees_or_changes_another_persons_things(demo_app, role):
    fresh_demo(demo_app)
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
    fresh_demo(demo_app)
    problems, _, _ = sweep(app, "staff")
    # Ids are not 1-based on PostgreSQL (sequences outlive deleted rows): find the lead's.
    with demo_app.app_context():
        lead_id = db.session.scalar(select(User.id).where(User.email == "lead@example.ac.uk"))
    assert [p for p in problems if "leaky" in p] == [
        f"staff GET /leaky/people/{lead_id} (leaky.person): shows another person's data ['lead@example.ac.uk']",
        f"staff POST /leaky/people/{lead_id}/rename (leaky.rename): changed users row {lead_id}",
    ]


def test_the_sweep_sends_the_pages_own_forms_and_values_they_do_not_offer(demo_app):
    """A filter that trusts its select (`?role=bogus`) and a post that trusts its hidden field and its
    number box (`int()` of them): empty bodies never reach them; the forms on the page do."""
    from flask import Blueprint, abort, render_template_string, request
    from flask_login import login_required

    from portal import create_app
    from portal.auth.models import Role

    careless = Blueprint("careless", __name__, url_prefix="/careless")

    @careless.route("/people")
    @login_required
    def people():
        chosen = Role(request.args["role"]) if request.args.get("role") else None  # 500 on a value not offered
        return render_template_string(
            '<form method="get"><select name="role"><option value="">Any</option><option value="lead">Lead</option>'
            '</select><button>Filter</button></form>'
            '<form method="post" action="/careless/hours"><input type="hidden" name="csrf_token" value="{{ csrf_token() }}">'
            '<input type="hidden" name="slot" value="3"><input type="text" name="hours" value="2">'
            '<button>Save</button></form><p>{{ chosen }}</p>', chosen=chosen)

    @careless.route("/hours", methods=["POST"])
    @login_required
    def hours():
        if "slot" not in request.form:
            abort(400)
        # Both trusted as numbers that fit: 500 on "bogus", and on a number too large to store.
        return str(int(request.form["slot"]) + int(request.form["hours"]).to_bytes(8, "big")[0])

    app = create_app(dict(demo_app.config))
    app.test_client_class = demo_app.test_client_class
    app.register_blueprint(careless)
    fresh_demo(demo_app)
    problems, _, _ = sweep(app, "staff")
    found = sorted(p.split(": answered")[0] for p in problems if "careless" in p)
    assert found == [
        "staff GET /careless/people?role=99999999999999999999 (careless.people)",
        "staff GET /careless/people?role=bogus (careless.people)",
        "staff POST /careless/hours (careless.hours) with the form's values not on offer",
    ], problems
