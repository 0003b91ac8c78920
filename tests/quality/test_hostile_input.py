"""Hostile input into every form: never a 500, never markup reflected unescaped, and text that is
stored is stored exactly as it was typed."""
from __future__ import annotations

import itertools
import re
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import String, Text, select

from portal.extensions import db
from tests.quality.conftest import ROLE_EMAILS, client_sign_in, report
from tests.quality.forms import discover_forms
from tests.quality.known_issues import known
from tests.quality.crawl import seeds_from

ROLES = ["anonymous", "staff", "panel", "mentor", "lead"]
EXAMPLES = 12  # per form and role: enough variety across ~50 forms while CI stays fast

HOSTILE = [
    "<script>alert(1)</script>", "\"><x-hostile onmouseover=alert(1)>", "'><x-hostile>", "<X-HOSTILE/>",
    "'; DROP TABLE users; --", "\" OR 1=1 --", "Robert'); DELETE FROM proposals;--", "{{ 7*7 }}{% raw %}",
    "${7*7}", "%s%n%x", "../../../etc/passwd", "\u202eevil\u202c", "\ufeff\u200b\u00a0", "𝕏 😀 ﷽ Zalgo̴̢͖",
    "\x01\x02\x1b[31m\x7f", "nul\x00byte", "\t\r\n\r\n", "é" * 3000, "a" * 100_000, "", "   ", "0", "-1", "1e309", "NaN",
    "2026-02-30", "25:61", "null", "[]", "{}", "\\", "%00", "\u0085\u2028\u2029",
]
text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=200),
    st.tuples(st.text(max_size=40), st.sampled_from(HOSTILE), st.text(max_size=40)).map("".join),
)
VALID_EMAIL = "valid@example.ac.uk"


def _for_kind(kind: str):
    """Hostile text for every field, mixed with well-formed values so that forms are also accepted
    (and the stored text can be compared)."""
    sensible = {
        "email": st.just(VALID_EMAIL),
        "password": st.just("a long enough passphrase 2026"),
        "number": st.integers(-5, 500).map(str),
        "date": st.dates().map(lambda d: d.isoformat()),
        "time": st.times().map(lambda t: t.strftime("%H:%M")),
        "datetime-local": st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
    }.get(kind)
    return st.one_of(text, sensible) if sensible is not None else text


REFLECTED = re.compile(r"<x-hostile|<script>alert", re.IGNORECASE)
# Fields whose stored form is legitimately not the typed text.
NOT_STORED_AS_TYPED = re.compile(r"password|email|^q$|search|token|^next$", re.IGNORECASE)
_tokens = itertools.count(1)


def _text_columns():
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (String, Text)):
                yield table, column


def _stored_values(token: str) -> list[str]:
    """Every stored text that contains the token, wherever the feature put it."""
    found = []
    for table, column in _text_columns():
        found += [v for v in db.session.scalars(select(column).where(column.contains(token, autoescape=True)))]
    return found


def _signed_in_client(app, role):
    client = app.test_client()
    if role != "anonymous":
        client_sign_in(client, ROLE_EMAILS[role])
    return client


def fuzz_form(app, client, role: str, form, problems: list[str], stats: dict) -> None:
    """Post hypothesis-drawn hostile text into the form's text fields; record what goes wrong."""
    fuzzable = form.fuzzable()
    parts = urlsplit(form.action)
    action = parts.path + ("?" + parts.query if parts.query else "")

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.tuples(*[_for_kind(kind) for _, kind in fuzzable]))
    def post_hostile(values):
        data = {name: value for name, _, value in form.fields}
        typed = {}
        for (name, kind), value in zip(fuzzable, values):
            token = f"qz{next(_tokens)}q"
            if kind == "email" and value == VALID_EMAIL:
                value = f"{token}@example.ac.uk"
            elif kind in {"text", "textarea"}:
                value += token
            typed[name] = data[name] = value
        try:
            response = client.post(action, data=data)
        except Exception as exc:  # noqa: BLE001  TESTING propagates what production answers with a 500
            problems.append(f"{role} POST {action} (form on {urlsplit(form.page).path}): answered 500 "
                            f"({type(exc).__name__}: {exc}) for {_short(typed)}")
            return
        body = response.get_data(as_text=True)
        stats["posts"] += 1
        where = f"{role} POST {action} (form on {urlsplit(form.page).path})"
        if response.status_code >= 500:
            problems.append(f"{where}: answered {response.status_code} for {_short(typed)}")
            return
        if REFLECTED.search(body):
            problems.append(f"{where}: reflected unescaped markup for {_short(typed)}")
        if response.status_code not in (302, 303):
            return
        stats["accepted"] += 1
        with app.app_context():
            for name, value in typed.items():
                if NOT_STORED_AS_TYPED.search(name) or "qz" not in value:
                    continue
                stored = _stored_values(value[value.rindex("qz"):])
                # Wherever it is kept (its own column, or quoted in an email or audit summary)
                # it must be there exactly as typed: not escaped, cut or cleaned inside
                # (only outer blanks and CRLF line ends may be tidied).
                accepted = {value, value.strip(), value.replace("\r\n", "\n"),
                            value.replace("\r\n", "\n").strip()} - {""}
                if not stored:
                    continue
                stats["stored"] += 1
                if not any(a in s for a in accepted for s in stored):
                    problems.append(f"{where}: field {name} stored {stored[0][:80]!r}, typed {value[:80]!r}")

    post_hostile()


@pytest.mark.parametrize("role", ROLES)
def test_hostile_text_in_every_form(demo_app, role):
    client = _signed_in_client(demo_app, role)
    forms, pages = discover_forms(client, seeds_from(demo_app))
    if role in {"anonymous", "lead"}:
        assert forms, "no forms found"
    problems: list[str] = []
    stats = {"posts": 0, "accepted": 0, "stored": 0}
    for form in forms:
        fuzz_form(demo_app, client, role, form, problems, stats)
    report(f"hostile input: {role}: {len(forms)} forms on {pages} pages; {stats['posts']} posts, "
           f"{stats['accepted']} accepted, {stats['stored']} stored texts compared")
    problems = sorted(set(problems))
    unexpected = [p for p in problems if not known("hostile", p)]
    assert not unexpected, "\n".join(unexpected[:40])


def test_the_fuzzer_catches_reflection_mangling_and_500s(demo_app):
    """The same fuzzer against three careless forms: every kind of problem is reported."""
    from flask import Blueprint, request
    from markupsafe import Markup

    from portal import create_app
    from portal.auth.models import User
    from tests.quality.forms import Form

    careless = Blueprint("careless", __name__, url_prefix="/careless")

    @careless.route("/echo", methods=["POST"])
    def echo():
        return Markup(f"<p>You said {request.form['said']}</p>")

    @careless.route("/tidy", methods=["POST"])
    def tidy():
        user = db.session.scalars(select(User).order_by(User.id)).first()
        user.job_title = "".join(ch for ch in request.form["title"] if ch.isalnum())[:60]
        db.session.commit()
        return "", 303, {"Location": "/"}

    @careless.route("/crash", methods=["POST"])
    def crash():
        return f"<p>{int(request.form['count']) + 1} places</p>"

    app = create_app(dict(demo_app.config, WTF_CSRF_ENABLED=False))
    app.register_blueprint(careless)
    client = app.test_client()
    problems, stats = [], {"posts": 0, "accepted": 0, "stored": 0}
    for path, name in [("/careless/echo", "said"), ("/careless/tidy", "title"), ("/careless/crash", "count")]:
        fuzz_form(app, client, "anonymous", Form(page="http://localhost/", action="http://localhost" + path,
                                                  fields=[(name, "text", "")]), problems, stats)
    kinds = {(p.split(" POST ")[1].split(" ")[0], p.split(": ")[1].split(" ")[0]) for p in problems}
    assert ("/careless/echo", "reflected") in kinds
    assert ("/careless/tidy", "field") in kinds
    assert ("/careless/crash", "answered") in kinds


def _short(values: dict) -> str:
    return ", ".join(f"{k}={v[:60]!r}{'…' if len(v) > 60 else ''}" for k, v in values.items())


def test_a_nul_character_is_refused_kindly_and_nothing_is_stored(app, client):
    """PostgreSQL cannot store U+0000: every route refuses it with a clear page, not a 500."""
    from portal.auth.models import User
    response = client.post("/auth/sign-up", data={"email": "nul@example.ac.uk", "name": "Nul\x00Person",
                                                  "password": "a long enough passphrase 2026",
                                                  "confirm": "a long enough passphrase 2026"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "invisible control character (NUL)" in body and "<h1>That text could not be accepted</h1>" in body
    assert db.session.scalar(select(User).where(User.email == "nul@example.ac.uk")) is None
    fragment = client.post("/auth/sign-in", data={"email": "x\x00@example.ac.uk", "password": "x"},
                           headers={"HX-Request": "true"})
    assert fragment.status_code == 400
    assert fragment.get_data(as_text=True).startswith('<p class="error-message" role="alert">')
    assert client.get("/?q=a\x00b").status_code == 400
