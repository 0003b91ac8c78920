"""The lead's list filters (people, outbox, audit log) check what they are given: an unknown role or status, or
an over-long search, gets a message next to its field and the list without that filter, never a 500."""
from __future__ import annotations

import re

import pytest

from portal.auth.models import Role
from portal.extensions import db
from tests.factories import make_user


def field_error(page: str, field_id: str) -> str:
    match = re.search(rf'<p class="error-message" id="{field_id}-error">(.*?)</p>', page, re.S)
    assert match, f"no error next to {field_id}"
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("Error:", "").strip()


@pytest.fixture
def lead(client, login):
    person = make_user(roles=[Role.LEAD], name="Lena Lead")
    make_user(name="Mo Mentor", roles=[Role.MENTOR])
    db.session.commit()
    login(person)
    return person


@pytest.mark.parametrize("role", ["bogus", "LEAD", "99999999999999999999"])
def test_an_unknown_role_is_refused_next_to_the_field_and_everyone_listed(client, lead, role):
    response = client.get(f"/admin/people?role={role}&q=")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose one of the options offered" in field_error(page, "role")
    assert "Mo Mentor" in page and "Lena Lead" in page


def test_a_known_role_filters(client, lead):
    page = client.get("/admin/people?role=mentor").get_data(as_text=True)
    table = page[page.index('id="admin-people-table"'):]
    assert "Mo Mentor" in table and "Lena Lead" not in table and 'id="role-error"' not in page


def test_an_over_long_or_multi_line_search_is_refused_with_the_input_kept(client, lead):
    response = client.get("/admin/people", query_string={"q": "x" * 201})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "200" in field_error(page, "q") and "Mo Mentor" in page
    assert f'value="{"x" * 201}"' in page


def test_the_outbox_filter_checks_its_status(client, lead):
    response = client.get("/admin/outbox?status=bogus")
    assert response.status_code == 200
    assert "Choose one of the options offered" in field_error(response.get_data(as_text=True), "status")
    assert client.get("/admin/outbox?status=failed").status_code == 200


@pytest.mark.parametrize("field,limit", [("action", 80), ("actor", 200), ("object_type", 40)])
def test_the_audit_filters_say_when_a_search_is_too_long(client, lead, field, limit):
    response = client.get("/admin/audit", query_string={field: "y" * (limit + 1)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert str(limit) in field_error(page, field) and f'value="{"y" * (limit + 1)}"' in page
