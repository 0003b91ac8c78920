"""The at-risk list as the lead reads it (names that open the participant, dates in words) and its nudges:
an email to the participant or their mentor, prefilled with why, sent once a day, audited."""
from __future__ import annotations

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.db_types import utcnow
from portal.extensions import db
from portal.mentoring.models import Nudge, NudgeRecipient, Pairing, Progress
from portal.outbox.models import OutboxMessage
from portal.outbox.services import send_pending
from portal.timeutil import to_local
from tests.dashboard.cohort import build_cohort
from tests.factories import make_user


def _nudge_url(cohort, proposal, recipient="mentee"):
    return f"/dashboard/rounds/{cohort.round.id}/at-risk/{proposal.id}/nudge/{recipient}"


def _outbox_to(email):
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email)))


def test_at_risk_names_open_the_participant_and_dates_read_as_words(app, client, login_as):
    cohort = build_cohort()
    progress = db.session.scalar(select(Progress).where(Progress.proposal_id == cohort.drafting.id))
    today = to_local(utcnow()).date()
    progress.registered_on = today - relativedelta(years=2, days=3)  # expired three days ago
    db.session.commit()
    pairing = db.session.scalar(select(Pairing).where(Pairing.proposal_id == cohort.drafting.id))
    login_as(Role.LEAD)

    body = client.get(f"/dashboard/rounds/{cohort.round.id}").get_data(as_text=True)

    assert f'<a href="/mentoring/pairings/{pairing.id}">Applicant 1</a>' in body
    assert f'<a href="/proposals/{cohort.unpaired.id}">Applicant 2</a>' in body
    expired = (today - timedelta(days=3)).strftime("%-d %B %Y")
    assert f"Registration expired on {expired}" in body
    assert "Registration expires" not in body
    deadline = (today + timedelta(days=10)).strftime("%-d %B %Y")
    assert f"Target deadline is {deadline} with 1 section not ready" in body
    assert today.isoformat() not in body and (today + timedelta(days=10)).isoformat() not in body
    # The nudge forms start from why the participant is on the list.
    assert "I am checking in on your progress" in body and f"- Registration expired on {expired}" in body
    assert "Nudge Morag Mentor (mentor)" in body


def test_the_lead_nudges_a_participant_once_and_it_is_sent_through_real_smtp(app, client, login_as, smtp_server):
    cohort = build_cohort()
    lead = login_as(Role.LEAD, name="Lena Lead")
    mentee = cohort.drafting.applicant

    first = client.post(_nudge_url(cohort, cohort.drafting), data={"message": "How is core area 2 going?"})
    assert first.status_code == 303 and first.headers["Location"].endswith(f"#dashboard-risk-{cohort.drafting.id}")
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert f"Nudge sent to Applicant 1 ({mentee.email})" in page
    assert "Applicant 1 was nudged today at" in page

    # A double click, a second tab: refused, and the message says it has already gone.
    again = client.post(_nudge_url(cohort, cohort.drafting), data={"message": "How is core area 2 going?"},
                        follow_redirects=True)
    assert again.status_code == 422
    assert "Applicant 1 was already nudged today at" in again.get_data(as_text=True)
    (queued,) = _outbox_to(mentee.email)
    assert queued.kind == "mentoring-nudge" and "How is core area 2 going?" in queued.body
    assert "Lena Lead, programme lead" in queued.body
    (nudge,) = db.session.scalars(select(Nudge))
    assert (nudge.recipient, nudge.sent_by_id, nudge.recipient_user_id) == (NudgeRecipient.MENTEE, lead.id, mentee.id)
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "mentoring.nudge"))
    assert event.actor_id == lead.id and event.object_id == cohort.drafting.id
    assert event.detail["recipient"] == "mentee"

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    assert send_pending().sent == 1
    (mail,) = smtp_server.messages
    assert mail["To"] == mentee.email and "a note from your programme lead" in mail["Subject"]
    assert "How is core area 2 going?" in mail.get_payload(decode=True).decode()


def test_the_mentor_nudge_goes_to_the_confirmed_mentor_and_not_without_one(app, client, login_as):
    cohort = build_cohort()
    login_as(Role.LEAD)
    sent = client.post(_nudge_url(cohort, cohort.drafting, "mentor"), data={"message": "Could you meet soon?"})
    assert sent.status_code == 303
    (mail,) = _outbox_to(cohort.mentor.user.email)
    assert "your mentee Applicant 1" in mail.subject and "Could you meet soon?" in mail.body

    refused = client.post(_nudge_url(cohort, cohort.unpaired, "mentor"), data={"message": "Hello"})
    assert refused.status_code == 422
    assert "Applicant 2 has no confirmed mentor to nudge." in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Nudge)) == 1


def test_an_empty_message_is_refused_on_the_page_with_the_form_open(app, client, login_as):
    cohort = build_cohort()
    login_as(Role.LEAD)
    response = client.post(_nudge_url(cohort, cohort.unpaired), data={"message": "   "})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Write the message to send." in body and '<details class="nudge" open>' in body
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0

    long = "x" * 2001
    response = client.post(_nudge_url(cohort, cohort.unpaired), data={"message": long})
    assert response.status_code == 422 and long in response.get_data(as_text=True)  # the text is kept


def test_htmx_gets_the_row_back_with_what_was_sent(app, client, login_as):
    cohort = build_cohort()
    login_as(Role.LEAD)
    response = client.post(_nudge_url(cohort, cohort.unpaired), data={"message": "Checking in"},
                           headers={"HX-Request": "true", "HX-Target": f"dashboard-risk-{cohort.unpaired.id}"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith("<tr")
    assert f"Nudge sent to Applicant 2 ({cohort.unpaired.applicant.email})" in body
    assert "Applicant 2 was nudged today at" in body


def test_a_proposal_of_another_round_or_an_unknown_recipient_is_not_found(app, client, login_as):
    cohort = build_cohort()
    other = build_cohort()
    login_as(Role.LEAD)
    assert client.post(_nudge_url(cohort, other.drafting), data={"message": "Hi"}).status_code == 404
    assert client.post(_nudge_url(cohort, cohort.drafting, "manager"), data={"message": "Hi"}).status_code == 404


@pytest.mark.parametrize("roles", [(), (Role.PANEL,), (Role.MENTOR,)], ids=["staff", "panel", "mentor"])
def test_only_the_lead_can_nudge(app, client, login_as, roles):
    cohort = build_cohort()
    login_as(*roles)
    response = client.post(_nudge_url(cohort, cohort.drafting), data={"message": "Hi"})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_signed_out_nudge_goes_to_sign_in(app, client):
    cohort = build_cohort()
    response = client.post(_nudge_url(cohort, cohort.drafting), data={"message": "Hi"})
    assert response.status_code in (302, 303) and "/auth/sign-in" in response.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
