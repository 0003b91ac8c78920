"""The navigation bar at every role: grouped by what people do, at most seven entries, the current section
marked, every page one level down reachable, and every link answering 200."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask import url_for

from portal.web.nav import MOST_BAR_ENTRIES, SECTIONS
from tests.factories import make_round

BARS = {
    "staff": ["Home", "Rounds & proposals", "Schedule", "Mentoring"],
    "panel": ["Home", "Rounds & proposals", "Panel", "Schedule", "Mentoring"],
    "mentor": ["Home", "Rounds & proposals", "Schedule", "Mentoring"],
    "panel+mentor": ["Home", "Rounds & proposals", "Panel", "Schedule", "Mentoring"],
    "lead": ["Home", "Rounds & proposals", "Panel", "Schedule", "Mentoring", "Reports", "Admin"],
}

# Every page the bar offered before it was grouped: each must still be reachable, one level down at most.
EARLIER_BAR = {"main.home", "admin.people", "admin.invitations", "admin.outbox", "admin.audit", "mentoring.index",
               "mentoring.matching", "panel.index", "schedule.index", "schedule.manage", "proposals.index",
               "rounds.index", "dashboard.index", "privacy.index"}


class Navs(HTMLParser):
    """The links of each <nav>, by its aria-label: (text, href, aria-current)."""

    def __init__(self):
        super().__init__()
        self.navs: dict[str, list[tuple[str, str, str | None]]] = {}
        self.account: list[tuple[str, str, str | None]] = []
        self._nav = None
        self._link = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav":
            self._nav = attrs.get("aria-label")
            self.navs[self._nav] = []
        elif tag == "a" and (self._nav or "account-link" in (attrs.get("class") or "")):
            self._link = [attrs.get("href"), attrs.get("aria-current"), "", self._nav is None]

    def handle_data(self, data):
        if self._link is not None:
            self._link[2] += data

    def handle_endtag(self, tag):
        if tag == "nav":
            self._nav = None
        elif tag == "a" and self._link is not None:
            href, current, text, account = self._link
            (self.account if account else self.navs[self._nav]).append((" ".join(text.split()), href, current))
            self._link = None


def navs_of(html: str) -> Navs:
    parser = Navs()
    parser.feed(html)
    return parser


def sign_in(login_as, who: str):
    roles = [] if who == "staff" else who.split("+")
    return login_as(*roles)


@pytest.mark.parametrize("who", list(BARS))
def test_the_bar_holds_each_roles_sections_in_order_and_no_more_than_seven(client, login_as, who):
    sign_in(login_as, who)
    navs = navs_of(client.get("/").get_data(as_text=True))
    bar = navs.navs["Main"]
    assert [text for text, _, _ in bar] == BARS[who]
    assert len(bar) <= MOST_BAR_ENTRIES
    assert bar[0] == ("Home", "/", "page")
    assert [(text, href) for text, href, _ in navs.account] == [("My data", "/my-data/")]


@pytest.mark.parametrize("who", list(BARS))
def test_every_section_and_every_page_below_it_answers_and_is_marked_current(client, login_as, who):
    make_round(name="Cohort 2027")
    sign_in(login_as, who)
    bar = navs_of(client.get("/").get_data(as_text=True)).navs["Main"]
    for label, href, _ in bar:
        response = client.get(href)
        assert response.status_code == 200, href
        navs = navs_of(response.get_data(as_text=True))
        marked = [(text, current) for text, _, current in navs.navs["Main"] if current]
        assert marked == [(label, "page")], href
        below = navs.navs.get(label, [])
        for text, sub_href, _ in below:
            sub = client.get(sub_href)
            assert sub.status_code == 200, sub_href
            sub_navs = navs_of(sub.get_data(as_text=True))
            assert [(t, c) for t, _, c in sub_navs.navs["Main"] if c] == [(label, "page" if sub_href == href else "true")]
            assert [(t, c) for t, _, c in sub_navs.navs[label] if c] == [(text, "page")], sub_href


def test_a_lead_reaches_every_page_the_bar_used_to_offer_one_level_down_at_most(client, login_as):
    login_as("lead")
    html = client.get("/").get_data(as_text=True)
    navs = navs_of(html)
    offered = {href for _, href, _ in navs.navs["Main"]} | {href for _, href, _ in navs.account}
    for _, href, _ in navs.navs["Main"]:
        offered |= {h for _, h, _ in navs_of(client.get(href).get_data(as_text=True)).navs.get(_label(navs, href), [])}
    with client.application.test_request_context():
        wanted = {url_for(endpoint) for endpoint in EARLIER_BAR}
    assert wanted <= offered, wanted - offered


def _label(navs: Navs, href: str) -> str:
    return next(text for text, h, _ in navs.navs["Main"] if h == href)


def test_a_page_deep_inside_a_section_marks_its_section_and_its_page(client, login_as):
    login_as("lead")
    navs = navs_of(client.get("/rounds/new").get_data(as_text=True))
    assert [(t, c) for t, _, c in navs.navs["Main"] if c] == [("Rounds & proposals", "true")]
    assert [(t, c) for t, _, c in navs.navs["Rounds & proposals"] if c] == [("Rounds", "true")]
    account = navs_of(client.get("/my-data/reminders").get_data(as_text=True)).account
    assert account == [("My data", "/my-data/", "true")]


def test_a_section_of_one_page_has_no_row_below_it(client, login_as):
    login_as("panel")
    navs = navs_of(client.get("/panel/").get_data(as_text=True))
    assert set(navs.navs) == {"Main"}


def test_signed_out_there_is_no_bar_only_the_way_in(client):
    html = client.get("/").get_data(as_text=True)
    assert navs_of(html).navs == {}
    assert 'href="/auth/sign-in"' in html and 'href="/auth/sign-up"' in html


def test_every_entry_is_allowed_to_someone_and_names_a_real_page(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    for section in SECTIONS:
        for item in section.items:
            assert item.endpoint in endpoints, item.endpoint
            for covered in item.covers:
                assert covered.endswith(".") or covered in endpoints, covered
    assert MOST_BAR_ENTRIES == 7
