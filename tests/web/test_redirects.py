"""portal.web.redirects: a `next` address is followed only when it stays on this site, wherever it is read
(sign-in, booking, cancelling a booking); a tab, CR or LF in it never reaches a Location header."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from portal.web.redirects import safe_target
from tests.conftest import csrf_token_from
from tests.factories import DEFAULT_PASSWORD, make_booking, make_session, make_user

HOSTILE = ["/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "//evil.example", "/\\evil.example",
           "https://evil.example/", "evil.example", "/ok\r\nSet-Cookie: x=1", "/\x00/evil.example", "/\x7f"]


@pytest.mark.parametrize("target", HOSTILE)
def test_unsafe_targets_fall_back(target):
    assert safe_target(target, "/home") == "/home"


@pytest.mark.parametrize("target", ["/schedule/?month=2020-01", "/proposals/3/edit", "/a%0D%0Ab"])
def test_same_site_paths_are_followed(target):
    assert safe_target(target, "/home") == target


# A NUL anywhere in a request is refused before any view (portal/web/security.py).
@pytest.mark.parametrize("target", [t for t in HOSTILE if "\x00" not in t])
def test_booking_and_cancelling_never_redirect_off_site(client, login_as, target):
    me = login_as()
    session = make_session()
    booked = client.post(f"/schedule/sessions/{session.id}/book", data={"next": target})
    assert booked.status_code == 303
    assert booked.headers["Location"] == f"/schedule/sessions/{session.id}"
    cancelled = client.post(f"/schedule/sessions/{session.id}/cancel-booking", data={"next": target})
    assert cancelled.status_code == 303
    assert cancelled.headers["Location"] == f"/schedule/sessions/{session.id}"
    other = make_session()
    make_booking(other, me)
    again = client.post(f"/schedule/sessions/{other.id}/cancel-booking?next=" + quote(target, safe="/:"))
    assert again.status_code == 303 and again.headers["Location"] == f"/schedule/sessions/{other.id}"


@pytest.mark.parametrize("target", ["/%09/evil.example", "/%0D%0A/evil.example", "/x%0D%0ASet-Cookie:%20a=b"])
def test_sign_in_never_redirects_off_site(client, target):
    user = make_user()
    response = client.post("/auth/sign-in?next=" + target, data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("referrer, expected", [
    ("http://localhost/admin/people?q=ada&page=2", "/admin/people?q=ada&page=2"),
    ("https://evil.example/admin/people", "/admin/people"),
    ("http://localhost//evil.example/", "/admin/people"),
    ("http://localhost.evil.example/admin/people", "/admin/people"),
    (None, "/admin/people"),
])
def test_a_role_change_returns_only_to_a_page_of_this_site(client, login_as, referrer, expected):
    login_as("lead")
    person = make_user()
    token = csrf_token_from(client.get("/admin/people").get_data(as_text=True))
    headers = {"Referer": referrer} if referrer else {}
    changed = client.post(f"/admin/people/{person.id}/roles", data={"csrf_token": token, "role": "mentor",
                                                                      "action": "grant"}, headers=headers)
    assert changed.status_code == 303
    assert changed.headers["Location"] == expected
    assert "mentor" in {grant.role.value for grant in person.role_grants}
