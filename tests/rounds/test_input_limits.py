"""Numbers, money and dates in the lead's round and pathway forms: bad input is refused next to its field, with
the input kept and nothing saved (never a 500 from a float, a NaN or an integer the database cannot hold)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.auth.models import Role
from portal.extensions import db
from portal.rounds.models import Round
from tests.factories import make_scheme


def _round_form(scheme, **overrides) -> dict:
    data = {"name": "CMALT cohort 2030/31", "scheme_id": str(scheme.id),
            "pathway_ids": [str(p.id) for p in scheme.pathways],
            "opens_on": "2030-09-01", "opens_time": "09:00", "closes_on": "2030-10-21", "closes_time": "12:00",
            "funded_places": "12", "budget": "2000.50", "intro_required": "y", "guidance": "",
            "limit_role_summary": "250", "limit_learning_technology": "", "limit_motivation": "400"}
    data.update(overrides)
    return data


def field_error(page: str, field_id: str) -> str:
    """The error message shown next to one field (the macro ties it to the field by id)."""
    match = re.search(rf'<p class="error-message" id="{field_id}-error">(.*?)</p>', page, re.S)
    assert match, f"no error next to {field_id}"
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("Error:", "").strip()


@pytest.fixture
def lead_and_scheme(login_as):
    login_as(Role.LEAD)
    scheme = make_scheme()
    db.session.commit()
    return scheme


@pytest.mark.parametrize("budget", ["1e30", "nan", "NaN", "inf", "-inf", "1e20", "12345678901234567890123",
                                    "100000000.01", "12.345", "-5", "12,34"])
def test_a_budget_the_portal_cannot_hold_is_refused_next_to_the_field(client, lead_and_scheme, budget):
    response = client.post("/rounds/new", data=_round_form(lead_and_scheme, budget=budget))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "pounds" in field_error(page, "budget")
    assert f'value="{budget}"' in page
    assert db.session.scalars(select(Round)).all() == []


def test_a_budget_in_pounds_and_pence_is_kept_in_whole_pence(client, lead_and_scheme):
    assert client.post("/rounds/new", data=_round_form(lead_and_scheme, budget="99999.99")).status_code == 303
    round_ = db.session.scalars(select(Round)).one()
    assert round_.budget_pence == 9999999 and isinstance(round_.budget_pence, int)
    assert 'value="99999.99"' in client.get(f"/rounds/{round_.id}/edit").get_data(as_text=True)


@pytest.mark.parametrize("places", ["99999999999999999999", "2147483648", "10001", "-1", "2.5", "lots"])
def test_funded_places_out_of_range_are_refused_next_to_the_field(client, lead_and_scheme, places):
    response = client.post("/rounds/new", data=_round_form(lead_and_scheme, funded_places=places))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "whole number from 0 to 10000" in field_error(page, "funded_places")
    assert f'value="{places}"' in page
    assert db.session.scalars(select(Round)).all() == []


@pytest.mark.parametrize("limit", ["99999999999999999999", "0", "x"])
def test_word_limits_out_of_range_are_refused(client, lead_and_scheme, limit):
    response = client.post("/rounds/new", data=_round_form(lead_and_scheme, limit_motivation=limit))
    assert response.status_code == 422
    assert "whole number from 1 to 10000" in field_error(response.get_data(as_text=True), "limit_motivation")
    assert db.session.scalars(select(Round)).all() == []


def test_an_unknown_scheme_or_pathway_is_refused_as_a_choice(client, lead_and_scheme):
    response = client.post("/rounds/new", data=_round_form(lead_and_scheme, scheme_id="999999",
                                                           pathway_ids=["999999"]))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose one of the options offered" in field_error(page, "scheme_id")
    assert db.session.scalars(select(Round)).all() == []


@pytest.mark.parametrize("day", ["2030-02-30", "2030-13-01", "99999-01-01", "0001-01-01", "9999-12-31"])
def test_an_impossible_or_far_off_date_says_so(client, lead_and_scheme, day):
    response = client.post("/rounds/new", data=_round_form(lead_and_scheme, opens_on=day))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "real date" in field_error(page, "opens_on") or "between" in field_error(page, "opens_on")
    assert "This field is required" not in page
    assert f'value="{day}"' in page


@pytest.mark.parametrize("fee", ["nan", "inf", "1e30", "100000.01", "-1", "1.234"])
def test_a_pathway_fee_the_portal_cannot_hold_is_refused(client, lead_and_scheme, fee):
    pathway = lead_and_scheme.pathways[0]
    response = client.post(f"/rounds/pathways/{pathway.id}/edit", data={"name": "CMALT", "fee": fee, "level": "2"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "pounds" in field_error(page, "fee") and f'value="{fee}"' in page
    db.session.expire_all()
    assert pathway.fee_pence == lead_and_scheme.pathways[0].fee_pence


@pytest.mark.parametrize("field,value", [("level", "99999999999999999999"), ("position", "2147483648"),
                                         ("min_years", "61"), ("max_years", "1e3")])
def test_pathway_whole_numbers_out_of_range_are_refused(client, lead_and_scheme, field, value):
    pathway = lead_and_scheme.pathways[0]
    response = client.post(f"/rounds/pathways/{pathway.id}/edit",
                           data={"name": "CMALT", "fee": "165", "level": "2", field: value})
    assert response.status_code == 422
    assert "whole number" in field_error(response.get_data(as_text=True), field)


@pytest.mark.parametrize("field", ["name"])
def test_round_names_are_single_line(client, lead_and_scheme, field):
    response = client.post("/rounds/new", data=_round_form(lead_and_scheme, name="Cohort\r\nX-INJECTED:1"))
    assert response.status_code == 422
    assert "one line" in field_error(response.get_data(as_text=True), field)
    assert db.session.scalars(select(Round)).all() == []


def test_scheme_and_pathway_names_are_single_line(client, lead_and_scheme):
    response = client.post("/rounds/schemes/new", data={"name": "Two\nlines"})
    assert response.status_code == 422 and "one line" in field_error(response.get_data(as_text=True), "name")
    pathway = lead_and_scheme.pathways[0]
    response = client.post(f"/rounds/pathways/{pathway.id}/edit", data={"name": "A\rB", "fee": "165", "level": "2"})
    assert response.status_code == 422 and "one line" in field_error(response.get_data(as_text=True), "name")
