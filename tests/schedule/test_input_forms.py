"""The lead's session, office-hours, term and notice forms, and the session list filter: every bad value is
refused next to its field with the input kept and nothing saved (never a 500 from a foreign key, a huge number,
an impossible date or a line break in a title)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.auth.models import Role
from portal.db_types import utcnow
from portal.extensions import db
from portal.rounds.models import RoundState
from portal.schedule.models import OfficeHoursBlock, Session, Term
from portal.timeutil import to_local
from tests.factories import make_round, make_session, make_user


def field_error(page: str, field_id: str) -> str:
    match = re.search(rf'<p class="error-message" id="{field_id}-error">(.*?)</p>', page, re.S)
    assert match, f"no error next to {field_id}"
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("Error:", "").strip()


def _session_form(**overrides) -> dict:
    day = (to_local(utcnow()) + timedelta(days=14)).date()
    data = {"kind": "workshop", "title": "Workshop on evidence", "description": "Bring a draft.",
            "day": day.isoformat(), "start_time": "14:00", "end_time": "16:00", "location": "Room 3",
            "online_url": "", "capacity": "12", "audience": "everyone", "round_id": "", "host_id": "",
            "series_number": "", "series_total": "", "repeat_weeks": "1"}
    data.update(overrides)
    return data


def _block_form(**overrides) -> dict:
    day = (to_local(utcnow()) + timedelta(days=14)).date()
    data = {"title": "Office hours", "first_day": day.isoformat(), "start_time": "14:00", "end_time": "16:00",
            "weeks": "2", "slot_minutes": "20", "per_person": "1", "audience": "everyone", "round_id": "",
            "host_id": ""}
    data.update(overrides)
    return data


def _sessions() -> int:
    return db.session.scalar(select(func.count(Session.id)))


@pytest.fixture
def lead(login_as):
    return login_as(Role.LEAD)


@pytest.mark.parametrize("field", ["round_id", "host_id"])
@pytest.mark.parametrize("value", ["999999", "99999999999999999999", "abc"])
def test_an_unknown_round_or_host_is_refused_next_to_the_field(client, lead, field, value):
    response = client.post("/schedule/manage/new", data=_session_form(**{field: value}))
    assert response.status_code == 422
    assert "Choose one of the options offered" in field_error(response.get_data(as_text=True), field)
    assert _sessions() == 0
    response = client.post("/schedule/manage/office-hours/new", data=_block_form(**{field: value}))
    assert response.status_code == 422
    assert "Choose one of the options offered" in field_error(response.get_data(as_text=True), field)
    assert db.session.scalar(select(func.count(OfficeHoursBlock.id))) == 0


def test_a_known_round_and_host_are_accepted(client, lead):
    round_ = make_round(state=RoundState.OPEN)
    host = make_user(name="Hana Host")
    response = client.post("/schedule/manage/new", data=_session_form(round_id=str(round_.id), host_id=str(host.id)))
    assert response.status_code == 303
    session = db.session.scalar(select(Session))
    assert session.round_id == round_.id and session.host_id == host.id


def test_editing_a_session_of_an_archived_round_keeps_its_round(client, lead):
    round_ = make_round(state=RoundState.ARCHIVED)
    session = make_session(round_id=round_.id)
    page = client.get(f"/schedule/manage/sessions/{session.id}/edit").get_data(as_text=True)
    assert re.search(rf'<option selected value="{round_.id}">|<option value="{round_.id}" selected>', page)


@pytest.mark.parametrize("field,value", [("capacity", "99999999999999999999"), ("capacity", "2147483648"),
                                         ("series_number", "1e3"), ("repeat_weeks", "99999999999999999999")])
def test_session_numbers_out_of_range_are_refused(client, lead, field, value):
    response = client.post("/schedule/manage/new", data=_session_form(**{field: value}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "whole number from" in field_error(page, field) and f'value="{value}"' in page
    assert _sessions() == 0


@pytest.mark.parametrize("field", ["weeks", "slot_minutes", "per_person"])
@pytest.mark.parametrize("value", ["99999999999999999999", "abc"])
def test_block_numbers_out_of_range_are_refused(client, lead, field, value):
    response = client.post("/schedule/manage/office-hours/new", data=_block_form(**{field: value}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "whole number from" in field_error(page, field) and "This field is required" not in page
    assert db.session.scalar(select(func.count(OfficeHoursBlock.id))) == 0


@pytest.mark.parametrize("value", ["2030-02-30", "2030-13-01", "9999-12-31"])
def test_an_impossible_date_in_the_session_form_says_so(client, lead, value):
    for field in ("day", "end_day"):
        response = client.post("/schedule/manage/new", data=_session_form(**{field: value}))
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "real date" in field_error(page, field) or "between" in field_error(page, field)
        assert "This field is required" not in page and f'value="{value}"' in page
    assert _sessions() == 0


def test_an_impossible_date_or_time_in_the_office_hours_form_says_so(client, lead):
    response = client.post("/schedule/manage/office-hours/new", data=_block_form(first_day="2030-02-30"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "not a real date" in field_error(page, "first_day") and "This field is required" not in page
    response = client.post("/schedule/manage/office-hours/new", data=_block_form(start_time="25:99"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "not a real time" in field_error(page, "start_time") and 'value="25:99"' in page
    assert db.session.scalar(select(func.count(OfficeHoursBlock.id))) == 0


def test_an_empty_date_still_asks_for_one(client, lead):
    response = client.post("/schedule/manage/office-hours/new", data=_block_form(first_day=""))
    assert response.status_code == 422
    assert "not a real date" not in field_error(response.get_data(as_text=True), "first_day")


def test_an_impossible_date_or_huge_weeks_in_the_term_form_says_so(client, lead):
    response = client.post("/schedule/manage/terms", data={"name": "HT30", "starts_on": "2030-02-30", "weeks": "10"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "not a real date" in field_error(page, "starts_on") and "This field is required" not in page
    assert 'value="HT30"' in page and 'value="2030-02-30"' in page
    response = client.post("/schedule/manage/terms", data={"name": "HT30", "starts_on": "2030-01-07",
                                                           "weeks": "99999999999999999999"})
    assert response.status_code == 422 and "whole number from 1 to 30" in field_error(
        response.get_data(as_text=True), "weeks")
    assert db.session.scalar(select(func.count(Term.id))) == 0


@pytest.mark.parametrize("kind,hours", [("bogus", "3"), ("workshop", "99999999999999999999")])
def test_the_notice_form_checks_its_choice_and_number(client, lead, kind, hours):
    response = client.post("/schedule/manage/notice", data={"kind": kind, "hours": hours})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose one of the options offered" in page or "whole number from 0 to 720" in page


@pytest.mark.parametrize("title", ["Line one\r\nLine two", "Line one\nBEGIN:VEVENT", "Carriage\rreturn",
                                   "Bell\x07", "Escape\x1b[31m"])
def test_session_and_block_titles_are_single_line(client, lead, title):
    response = client.post("/schedule/manage/new", data=_session_form(title=title))
    assert response.status_code == 422
    assert "one line" in field_error(response.get_data(as_text=True), "title")
    response = client.post("/schedule/manage/new", data=_session_form(location=title))
    assert response.status_code == 422
    response = client.post("/schedule/manage/office-hours/new", data=_block_form(title=title))
    assert response.status_code == 422
    assert "one line" in field_error(response.get_data(as_text=True), "title")
    response = client.post("/schedule/manage/terms", data={"name": title[:30], "starts_on": "2030-01-07", "weeks": "10"})
    assert response.status_code == 422
    assert _sessions() == 0 and db.session.scalar(select(func.count(Term.id))) == 0


def test_a_multi_line_description_is_still_welcome(client, lead):
    response = client.post("/schedule/manage/new", data=_session_form(description="First line\r\nSecond line"))
    assert response.status_code == 303


def test_the_session_list_filter_checks_its_choices(client, lead):
    response = client.get("/schedule/manage?kind=bogus&when=sometime")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose one of the options offered" in field_error(page, "manage-kind")
    assert "Choose one of the options offered" in field_error(page, "manage-when")
    assert client.get("/schedule/manage?kind=workshop&when=past").status_code == 200
