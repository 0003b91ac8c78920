"""Security headers and cookies on every kind of response; CSRF on every state-changing route,
htmx requests included."""
from __future__ import annotations

import re

import pytest

from portal.auth.models import Role, User
from portal.extensions import db
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.quality.conftest import ROLE_EMAILS, browser_sign_in, client_sign_in, report

CSRF_WORDS = "security token was missing or out of date"


def _responses(client, base_url):
    """One of each kind: a page, a redirect, a 404, a 405, JSON, a static file, a form error."""
    def get(path, method="GET", **kwargs):
        return client.open(path, method=method, base_url=base_url, **kwargs)
    return {
        "page": get("/"),
        "sign-in page": get("/auth/sign-in"),
        "redirect to sign in": get("/admin/people"),
        "404": get("/no/such/page"),
        "405": get("/", method="DELETE"),
        "JSON health check": get("/healthz"),
        "static file": get("/static/css/portal.css"),
        "form with errors": get("/auth/sign-in", method="POST", data={"email": "", "password": ""},
                                headers={"Referer": base_url + "/auth/sign-in"}),
    }


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_every_kind_of_response_carries_the_security_headers(app, scheme):
    client = app.test_client()
    for kind, response in _responses(client, f"{scheme}://localhost").items():
        headers = response.headers
        csp = {d.strip().split(" ")[0]: d.strip() for d in headers.get("Content-Security-Policy", "").split(";")}
        assert csp.get("default-src") == "default-src 'self'", kind
        assert csp.get("script-src") == "script-src 'self'", kind
        assert csp.get("style-src") == "style-src 'self'", kind
        assert csp.get("frame-ancestors") == "frame-ancestors 'none'", kind
        assert csp.get("object-src") == "object-src 'none'", kind
        assert csp.get("base-uri") == "base-uri 'self'", kind
        assert csp.get("form-action") == "form-action 'self'", kind
        assert headers["X-Content-Type-Options"] == "nosniff", kind
        assert headers["Referrer-Policy"] == "same-origin", kind
        assert headers["X-Frame-Options"] == "DENY", kind
        if scheme == "https":
            assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains", kind
        else:
            assert "Strict-Transport-Security" not in headers, kind
        if kind not in {"static file", "JSON health check"}:
            assert response.status_code != 500 and response.mimetype == "text/html", kind


def _set_cookies(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def test_cookies_are_httponly_and_lax_and_secure_in_production(make_app):
    production = make_app(ENV_NAME="production")
    with production.app_context():
        from tests.conftest import _empty_tables
        _empty_tables()
        user = make_user(email="prod@example.ac.uk")
        client = production.test_client()
        response = client.post("/auth/sign-in", data={"email": user.email, "password": DEFAULT_PASSWORD,
                                                      "remember": "y"}, base_url="https://localhost",
                               headers={"Referer": "https://localhost/auth/sign-in"})
        assert response.status_code == 303
        cookies = _set_cookies(response)
        for name in ("session", "remember_token"):
            attributes = [a.strip().lower() for a in cookies[name].split(";")[1:]]
            assert "secure" in attributes, cookies[name]
            assert "httponly" in attributes, cookies[name]
            assert "samesite=lax" in attributes, cookies[name]
        db.session.remove()


def test_cookies_in_development_are_httponly_and_lax_but_work_over_http(app, client):
    make_user(email="dev@example.ac.uk")
    response = client.post("/auth/sign-in", data={"email": "dev@example.ac.uk", "password": DEFAULT_PASSWORD})
    attributes = [a.strip().lower() for a in _set_cookies(response)["session"].split(";")[1:]]
    assert "httponly" in attributes and "samesite=lax" in attributes
    assert "secure" not in attributes


def _state_changing_rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        methods = (rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}
        if methods and rule.endpoint != "static":
            yield rule, sorted(methods)


def _example_url(rule):
    values = {}
    for name, converter in rule._converters.items():
        items = getattr(converter, "items", None)
        values[name] = sorted(items)[0] if items else (1 if "Integer" in type(converter).__name__ else "x")
    built = rule.build(values, append_unknown=False)
    return built[1] if isinstance(built, tuple) else built


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_state_changing_route_refuses_a_missing_token_with_a_friendly_page(app, client, signed_in):
    if signed_in:
        client_sign_in(client, make_user(roles=[Role.LEAD], email="lead-csrf@example.ac.uk").email,
                       DEFAULT_PASSWORD)
    before = db.session.scalar(db.select(db.func.count()).select_from(User))
    checked = 0
    for rule, methods in _state_changing_rules(app):
        url = _example_url(rule)
        for method in methods:
            response = client.open(url, method=method, data={"name": "x"}, csrf=False)
            body = response.get_data(as_text=True)
            assert response.status_code == 400, (method, url, response.status_code)
            assert response.mimetype == "text/html", (method, url)
            # Never Werkzeug's bare 400 page nor a redirect's stub.
            assert "The browser (or proxy) sent a request" not in body and "Redirecting..." not in body, (method, url)
            if getattr(app.view_functions[rule.endpoint], "keeps_input_on_csrf_failure", False):
                # The view re-shows its own form (or status) with the input kept and its own words.
                assert len(re.sub(r"<[^>]+>|\s+", " ", body).strip()) > 40, (method, url, body)
            else:
                assert CSRF_WORDS in body, (method, url, body[:300])
                assert "<h1" in body and 'class="skip-link"' in body, (method, url)  # the full friendly page
            checked += 1
    assert checked >= 5
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == before
    report(f"CSRF: {checked} state-changing requests without a token refused ({'signed in' if signed_in else 'signed out'})")


@pytest.mark.browser
def test_htmx_post_succeeds_in_chromium_with_csrf_on_and_the_strict_csp(app, page):
    """No CSP bypass here: htmx runs under the real policy and sends X-CSRFToken from <body data-hx-headers>."""
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    lead = make_user(roles=[Role.LEAD], name="Lena Lead", email="lena-q@example.ac.uk")
    make_user(name="Pat Person", email="pat-q@example.ac.uk")
    console = []
    page.on("console", lambda message: console.append(message.text))
    browser_sign_in(page, lead.email, DEFAULT_PASSWORD)
    page.goto("/admin/people")
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page.locator("body").get_attribute("data-hx-headers")).group(1)
    with page.expect_response(lambda r: r.request.method == "POST" and "/roles" in r.url) as answer:
        page.get_by_role("button", name="Panel member for Pat Person").click()
    response = answer.value
    assert response.request.headers.get("hx-request") == "true"
    assert response.request.headers.get("x-csrftoken") == token
    assert response.status == 200
    page.get_by_text("Roles of Pat Person updated.").wait_for()
    assert page.get_by_role("button", name="Panel member for Pat Person").get_attribute("aria-pressed") == "true"
    pat = db.session.scalar(db.select(User).where(User.email == "pat-q@example.ac.uk"))
    db.session.refresh(pat)
    assert Role.PANEL in pat.roles
    assert not [line for line in console if "Content Security Policy" in line], console


def test_a_post_with_the_header_token_alone_is_accepted(app, client):
    """htmx sends no csrf_token field, only the X-CSRFToken header: that must be enough."""
    from tests.conftest import csrf_token_from
    lead = make_user(roles=[Role.LEAD], email="lead-hdr@example.ac.uk")
    person = make_user(email="person-hdr@example.ac.uk")
    client_sign_in(client, lead.email, DEFAULT_PASSWORD)
    token = csrf_token_from(client.get("/admin/people").get_data(as_text=True))
    response = client.post(f"/admin/people/{person.id}/roles", data={"role": "mentor", "action": "grant"},
                           headers={"X-CSRFToken": token, "HX-Request": "true"}, csrf=False)
    assert response.status_code == 200
    db.session.refresh(person)
    assert Role.MENTOR in person.roles
