"""The "My data" page, its JSON download, and the reminders switch."""
from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.db_types import utcnow
from portal.extensions import db
from portal.outbox.services import queue_email
from portal.reminders.models import AwardReminders
from portal.timeutil import to_local
from tests.factories import make_mentor, make_proposal, make_user


def test_my_data_page_and_json_show_my_proposal_only(client, login_as):
    me = login_as(name="Mina Mine", email="mina@example.ac.uk")
    make_proposal(user=me, motivation="Mina's motivation")
    make_proposal(user=make_user(name="Olly Other"), motivation="Olly's motivation")
    page = client.get("/my-data/").get_data(as_text=True)
    assert "<h1>My data</h1>" in page and "Mina&#39;s motivation" in page
    assert "Olly" not in page
    response = client.get("/my-data/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="my-data.json"'
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "mina@example.ac.uk"
    assert [p["answers"]["motivation"] for p in data["proposals"]] == ["Mina's motivation"]
    assert "Olly" not in response.get_data(as_text=True)
    actions = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "privacy.export",
                                                                 AuditEvent.actor_id == me.id)).all()
    assert actions == [{"format": "html"}, {"format": "json"}]


def test_switching_reminders_off_and_on(client, login_as):
    me = login_as()
    page = client.get("/my-data/reminders").get_data(as_text=True)
    assert 'name="wants_reminders"' in page and "checked" in page
    response = client.post("/my-data/reminders", data={})
    assert response.status_code == 303
    db.session.refresh(me)
    assert me.wants_reminders is False
    assert "reminders are off." in client.get(response.headers["Location"]).get_data(as_text=True)
    client.post("/my-data/reminders", data={"wants_reminders": "y"})
    db.session.refresh(me)
    assert me.wants_reminders is True
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == me.id)
                              .where(AuditEvent.action.like("reminders.%")).order_by(AuditEvent.id)).all() == \
        ["reminders.off", "reminders.on"]


def test_stale_token_changes_nothing(client, login_as):
    me = login_as()
    response = client.post("/my-data/reminders", data={}, csrf=False)
    assert response.status_code == 400  # the house's friendly CSRF page, never a bare 400
    assert "security token" in response.get_data(as_text=True)
    db.session.refresh(me)
    assert me.wants_reminders is True


def test_award_holder_opts_in_to_fee_and_review_reminders(client, login_as):
    me = login_as()
    make_mentor(user=me)
    page = client.get("/my-data/reminders").get_data(as_text=True)
    assert "After your award" in page
    response = client.post("/my-data/reminders", data={"wants_reminders": "y", "membership_fee": "y"})
    assert response.status_code == 422
    assert "Enter the date of your award" in response.get_data(as_text=True)
    assert db.session.scalar(select(AwardReminders)) is None
    response = client.post("/my-data/reminders", data={"membership_fee": "y", "awarded_on": "2099-01-01"})
    assert "cannot be in the future" in response.get_data(as_text=True) and response.status_code == 422
    response = client.post("/my-data/reminders", data={"wants_reminders": "y", "membership_fee": "y",
                                                       "awarded_on": "2024-03-15"})
    assert response.status_code == 303
    choice = db.session.scalar(select(AwardReminders))
    assert (choice.user_id, choice.awarded_on, choice.membership_fee, choice.portfolio_review) == \
        (me.id, date(2024, 3, 15), True, False)


def test_people_without_an_award_see_no_award_choices(client, login_as):
    login_as()
    assert "After your award" not in client.get("/my-data/reminders").get_data(as_text=True)


def test_an_award_dated_tomorrow_on_the_institutions_calendar_is_in_the_future(client, login_as):
    me = login_as()
    make_mentor(user=me)
    tomorrow = to_local(utcnow()).date() + timedelta(days=1)
    response = client.post("/my-data/reminders", data={"membership_fee": "y", "awarded_on": tomorrow.isoformat()})
    assert response.status_code == 422 and "cannot be in the future" in response.get_data(as_text=True)
    today = to_local(utcnow()).date()
    response = client.post("/my-data/reminders", data={"membership_fee": "y", "awarded_on": today.isoformat()})
    assert response.status_code == 303


def test_my_data_page_lists_the_mail_sent_to_me(client, login_as):
    me = login_as(email="mina@example.ac.uk")
    queue_email(me.email, "Your new mentor", "Dear Mina, meet your mentor.")
    db.session.commit()
    page = client.get("/my-data/").get_data(as_text=True)
    assert "Email the portal sent you" in page and "Dear Mina, meet your mentor." in page
