"""Every page each role can reach, in chromium: axe-core (WCAG 2.2 AA), the Nu Html Checker,
no inline script or style (strict CSP), and the security headers on every response."""
from __future__ import annotations

import json
import subprocess
from html.parser import HTMLParser

import pytest

from tests.quality.conftest import ROLE_EMAILS, browser_sign_in, report
from tests.quality.crawl import crawl, seeds_from
from tests.quality.known_issues import known
from tests.quality.tools import JAVA, VNU_JAR

pytestmark = pytest.mark.browser

ROLES = ["anonymous", "staff", "panel", "mentor", "lead"]


@pytest.fixture(scope="module")
def crawled(demo_app, demo_server, browser, quality_tools, request):
    """Crawl once per role; the tests below judge what was collected."""
    results = {}
    for role in ROLES:
        # axe is injected as a script tag, which the portal's own CSP (rightly) forbids.
        context = browser.new_context(base_url=demo_server, bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(15000)
        if role != "anonymous":
            browser_sign_in(page, ROLE_EMAILS[role])
        results[role] = crawl(page, demo_server, seeds_from(demo_app))
        if role == "anonymous":
            results[role] += form_error_states(page, demo_server)
        context.close()
        ok = sum(1 for v in results[role] if v.status == 200)
        report(f"quality crawl: {role}: {len(results[role])} pages checked ({ok} answered 200)")
    return results


def form_error_states(page, origin):
    """The public forms re-shown with errors: their markup must pass too."""
    from tests.quality.crawl import AXE_JS, AXE_TAGS, RUN_AXE, Visited
    states = []
    for path, button in [("/auth/sign-in", "Sign in"), ("/auth/sign-up", "Create account"),
                         ("/auth/reset", None)]:
        page.goto(path)
        if button is None:
            page.locator("main form button[type=submit]").first.click()
        else:
            page.get_by_role("button", name=button).click()
        page.locator(".error-summary, .error-message, .flash").first.wait_for()
        html = page.content()  # before axe's own script joins the page
        page.add_script_tag(path=str(AXE_JS))
        states.append(Visited(url=path + " (submitted empty)", status=400, html=html, headers={},
                              violations=page.evaluate(RUN_AXE, AXE_TAGS)))
    return states


@pytest.mark.parametrize("role", ROLES)
def test_every_page_has_no_axe_violations(crawled, role):
    pages = crawled[role]
    assert len(pages) >= 3, f"the crawl for {role} reached only {[p.url for p in pages]}"
    problems = [f"{p.url} [{v['impact']}] {v['id']}: {v['help']} -> {v['nodes']}"
                for p in pages for v in p.violations]
    problems = [p for p in problems if not known("axe", p)]
    assert not problems, "axe-core violations:\n" + "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_the_window_at_every_width(crawled, role):
    """No page is wider than the window at 1280, 1024 or 390 px, and no table hides columns behind a scroll
    bar: wide tables fit, or fold into labelled rows on a narrow screen."""
    problems = []
    for visit in crawled[role]:
        for width, measured in visit.widths.items():
            if measured["wider_by"] > 0:
                problems.append(f"{visit.url} at {width} px: {measured['wider_by']} px wider than the window")
            for box in measured["clipped"]:
                problems.append(f"{visit.url} at {width} px: {box}")
    assert not problems, "pages that do not fit:\n" + "\n".join(problems)


def test_every_page_is_valid_html(crawled, tmp_path):
    """One run of the Nu Html Checker over every page every role saw, unfiltered: htmx is written as
    data-hx-* attributes, which are valid HTML, so any message at all is a real error."""
    files = {}
    for role, pages in crawled.items():
        for index, visited in enumerate(pages):
            path = tmp_path / f"{role}-{index:03d}.html"
            path.write_text(visited.html, encoding="utf-8")
            files[path.name] = f"{role} {visited.url}"
    result = subprocess.run([JAVA, "-jar", str(VNU_JAR), "--errors-only", "--format", "json",
                             *map(str, sorted(tmp_path.glob("*.html")))],
                            capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [f"{files.get(m.get('url', '').rsplit('/', 1)[-1], m.get('url'))} line {m.get('lastLine')}: {m['message']}  "
              f"{m.get('extract', '')!r}" for m in messages if m.get("type") in {"error", "non-document-error"}]
    errors = [e for e in errors if not known("html", e)]
    assert not errors, "Nu Html Checker errors:\n" + "\n".join(errors)
    assert len(files) >= 5 * 3


class _InlineFinder(HTMLParser):
    """Finds what a strict CSP would block or what htmx would evaluate: inline script, style, handlers."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.found.append(f"style= on <{tag}>")
            elif name.startswith("on") or name.startswith("hx-on") or name.startswith("data-hx-on"):
                self.found.append(f"{name}= on <{tag}>")
            elif name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.found.append(f"javascript: URL on <{tag}>")


def test_no_inline_script_style_or_handlers(crawled):
    problems = []
    for role, pages in crawled.items():
        for visited in pages:
            finder = _InlineFinder()
            finder.feed(visited.html)
            problems += [f"{role} {visited.url}: {item}" for item in finder.found]
    assert not problems, "\n".join(problems)


def test_security_headers_on_every_crawled_response(crawled):
    problems = []
    for role, pages in crawled.items():
        for visited in pages:
            if not visited.headers:
                continue
            headers = {k.lower(): v for k, v in visited.headers.items()}
            csp = headers.get("content-security-policy", "")
            directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";") if d.strip()}
            script_src = directives.get("script-src", directives.get("default-src", ""))
            checks = {
                "CSP frame-ancestors 'none'": directives.get("frame-ancestors") == "frame-ancestors 'none'",
                "CSP script-src without inline or eval": bool(script_src) and "unsafe" not in script_src,
                "CSP style-src without inline": "unsafe" not in directives.get("style-src", ""),
                "X-Content-Type-Options nosniff": headers.get("x-content-type-options") == "nosniff",
                "Referrer-Policy": bool(headers.get("referrer-policy")),
                "no HSTS over plain http": "strict-transport-security" not in headers,
            }
            problems += [f"{role} {visited.url}: {name}" for name, ok in checks.items() if not ok]
    assert not problems, "\n".join(problems)
