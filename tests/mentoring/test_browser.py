"""In chromium: the lead runs matching, locks a pair and confirms; a mentor logs a meeting and marks a section."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.auth.models import Role
from portal.extensions import db
from portal.mentoring.models import Meeting, Pairing, PairingState, ProgressSection, SectionStatus
from tests.factories import DEFAULT_PASSWORD, make_cohort_round, make_mentor, make_participant, make_user

pytestmark = pytest.mark.browser


def _sign_in(page, user):
    page.goto("/auth/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=f"Welcome, {user.name}").wait_for()


def test_lead_matches_locks_confirms_then_mentor_logs_and_marks(app, page):
    lead = make_user(roles=[Role.LEAD], name="Lena Lead", email="lena@example.ac.uk")
    round_ = make_cohort_round(name="Cohort 2026/27")
    make_participant(round_, name="Ada Participant", department="Education")
    make_participant(round_, name="Bo Participant", department="Business")
    mentor = make_mentor(name="Mo Mentor", email="mo@example.ac.uk", capacity=1, department="Computing")
    make_mentor(name="Nia Mentor", capacity=1, department="Library")

    _sign_in(page, lead)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Mentoring").click()
    page.get_by_role("navigation", name="Mentoring").get_by_role("link", name="Matching").click()
    page.get_by_role("link", name="Cohort 2026/27").click()
    page.get_by_role("button", name="Run matching").click()
    page.get_by_text("Matching proposed 2 pair(s); 0 participant(s) could not be matched.").wait_for()
    page.get_by_role("button", name="Lock the pair for Ada Participant").click()
    page.get_by_text("locked (kept by re-runs)").wait_for()
    assert page.get_by_role("button", name="Unlock the pair for Ada Participant").is_visible()
    page.get_by_role("button", name="Re-run matching for the rest").click()
    page.get_by_role("button", name="Unlock the pair for Ada Participant").wait_for()
    page.get_by_role("button", name="Confirm all proposed and locked pairs").click()
    page.get_by_text("2 pairing(s) confirmed; both people in each pair have been emailed.").wait_for()
    assert db.session.scalar(select(db.func.count()).select_from(Pairing)
                             .where(Pairing.state == PairingState.CONFIRMED)) == 2
    page.get_by_role("button", name="Sign out").click()

    _sign_in(page, mentor.user)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Mentoring").click()
    page.get_by_role("navigation", name="Mentoring").get_by_role("link", name="Mentor dashboard").click()
    mentee_link = page.get_by_role("table").get_by_role("link")
    assert mentee_link.count() == 1
    mentee_name = mentee_link.inner_text()
    mentee_link.click()
    page.get_by_role("heading", name=f"{mentee_name}: progress to submission").wait_for()

    page.get_by_label("Status of Core area 1", exact=True).select_option(label="Mentor feedback given")
    page.get_by_role("button", name="Save status of Core area 1").click()
    page.get_by_text("Core area 1: Mentor feedback given.").wait_for()

    held = date.today() - timedelta(days=1)
    page.get_by_label("Date of the meeting").fill(held.isoformat())
    page.get_by_label("Duration in minutes").fill("45")
    page.get_by_label("Notes").fill("Talked through the contextual statement.")
    page.get_by_label("Agreed next steps").fill("Draft core area 2.")
    page.get_by_label("Next meeting (optional)").fill("2099-03-04T14:30")
    page.get_by_role("button", name="Log the meeting").click()
    page.get_by_text("Meeting logged. The next meeting is in both your calendar feeds.").wait_for()
    page.get_by_role("cell", name="Talked through the contextual statement.").wait_for()

    db.session.expire_all()
    section = db.session.scalar(select(ProgressSection).where(ProgressSection.name == "Core area 1",
                                                              ProgressSection.status == SectionStatus.FEEDBACK))
    assert section is not None
    meeting = db.session.scalar(select(Meeting))
    assert (meeting.held_on, meeting.duration_minutes, meeting.next_steps) == (held, 45, "Draft core area 2.")
