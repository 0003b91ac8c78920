"""Numbers in addresses: an id too large for any row is 404 on every `<int:...>` route (signed out too), and
a page number that is too large, not a number or past the end shows a real page of the list."""
from __future__ import annotations

import pytest

from portal.auth.models import Role
from portal.extensions import db
from portal.outbox.services import queue_email
from portal.web.pagination import LARGEST_PAGE, paginate_list
from portal.web.routing import LARGEST_ID
from tests.factories import make_round

HUGE = ["99999999999999999999", str(2**63), str(2**63 - 1), str(LARGEST_ID + 1)]


@pytest.mark.parametrize("number", HUGE)
def test_an_id_too_large_for_a_row_is_not_found_signed_out(client, number):
    for url in (f"/schedule/rounds/{number}/public.ics", f"/rounds/{number}", f"/proposals/{number}/edit"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Page not found" in response.get_data(as_text=True)


@pytest.mark.parametrize("number", HUGE)
def test_an_id_too_large_for_a_row_is_not_found_signed_in(client, login_as, number):
    login_as(Role.LEAD)
    for url in (f"/proposals/rounds/{number}", f"/dashboard/rounds/{number}", f"/admin/outbox/{number}"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/proposals/{number}/autosave", data={"motivation": "x"}).status_code == 404


def test_the_largest_id_still_reaches_the_view(client, login_as):
    login_as(Role.LEAD)
    # The route matches and the view looks the row up: not there, so the view's own 404.
    assert client.get(f"/proposals/rounds/{LARGEST_ID}").status_code == 404
    round_ = make_round()
    assert client.get(f"/proposals/rounds/{round_.id}").status_code == 200


@pytest.mark.parametrize("page", ["99999999999999999999", str(2**63), "1" * 5000, "-3", "x", "", "0", "２"])
def test_any_page_number_shows_a_page_of_the_list(client, login_as, page):
    login_as(Role.LEAD)
    for i in range(3):
        queue_email(f"person{i}@example.ac.uk", f"Message {i}", "Body", kind="test")
    db.session.commit()
    for url in ("/admin/outbox", "/admin/audit", "/admin/people"):
        response = client.get(f"{url}?page={page}")
        assert response.status_code == 200, (url, page)
    assert "Message 2" in client.get(f"/admin/outbox?page={page}").get_data(as_text=True)


def test_a_page_past_the_end_shows_the_last_page(app, client, login_as):
    login_as(Role.LEAD)
    for i in range(55):
        queue_email(f"person{i}@example.ac.uk", f"Message number {i:02}", "Body", kind="test")
    db.session.commit()
    last = client.get("/admin/outbox?page=2").get_data(as_text=True)
    past = client.get("/admin/outbox?page=99999999999999999999").get_data(as_text=True)
    first = client.get("/admin/outbox").get_data(as_text=True)
    shown = [f"Message number {i:02}" for i in range(55)]
    assert [s for s in shown if s in past] == [s for s in shown if s in last]
    assert len([s for s in shown if s in last]) == 5 and len([s for s in shown if s in first]) == 50


def test_a_list_in_memory_pages_the_same_way(app):
    items = list(range(120))
    for query, first in (("?page=99999999999999999999", 100), ("?page=2", 50), ("?page=abc", 0), ("", 0)):
        with app.test_request_context("/" + query):
            page = paginate_list(items)
            assert page.items[0] == first, query
    assert LARGEST_PAGE * 50 < 2**63
