"""Mentoring pages over HTTP: privacy by URL, forms and their messages, downloads, the dashboard."""
from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import select

from portal.auth.models import Role, User
from portal.extensions import db
from portal.mentoring import lead_views
from portal.mentoring.models import (ExamplePortfolio, Meeting, MentorProfile, Outcome, Pairing, PairingState,
                                     SectionStatus)
from portal.mentoring.pairings import confirm_round, run_matching
from portal.mentoring.progress import ensure_progress
from portal.mentoring.register import example_file, share_example
from tests.factories import make_cohort_round, make_mentor, make_participant, make_user
from tests.mentoring.test_services import PDF


def _confirmed_pairing(mentor_name="Mentor A", mentee_name="Mentee A", round_=None):
    lead = make_user(roles=[Role.LEAD])
    round_ = round_ or make_cohort_round()
    participant = make_participant(round_, name=mentee_name)
    mentor = make_mentor(name=mentor_name)
    run_matching(lead, round_)
    pairing = confirm_round(lead, round_)[0]
    db.session.commit()
    assert pairing.mentor_id == mentor.id and pairing.proposal_id == participant.id
    return pairing


def test_mentor_b_cannot_open_mentor_a_mentee(client, login):
    pairing = _confirmed_pairing()
    other_mentor = make_mentor(name="Mentor B")
    login(other_mentor.user)
    response = client.get(f"/mentoring/pairings/{pairing.id}")
    assert response.status_code == 404
    assert "Mentee A" not in response.get_data(as_text=True)
    section = pairing.proposal_id  # any id: the pairing itself is not theirs
    assert client.post(f"/mentoring/pairings/{pairing.id}/meetings",
                       data={"held_on": "2025-01-01", "duration_minutes": "30"}).status_code == 404
    assert client.post(f"/mentoring/pairings/{pairing.id}/sections/{section}", data={"status": "ready"}).status_code == 404
    assert db.session.query(Meeting).count() == 0
    dashboard = client.get("/mentoring/dashboard").get_data(as_text=True)
    assert "Mentee A" not in dashboard and "No mentees yet" in dashboard


def test_mentor_and_mentee_see_their_own_pairing(client, login):
    pairing = _confirmed_pairing()
    login(pairing.mentor.user)
    page = client.get(f"/mentoring/pairings/{pairing.id}").get_data(as_text=True)
    assert "Mentee A: progress to submission" in page
    assert "Contextual statement" in page
    dashboard = client.get("/mentoring/dashboard").get_data(as_text=True)
    assert "Mentee A" in dashboard and "0 of 3" in dashboard
    client.post("/auth/sign-out")
    login(pairing.mentee)
    my = client.get("/mentoring/my").get_data(as_text=True)
    assert "Mentor A" in my and pairing.mentor.user.email in my
    assert client.get(f"/mentoring/pairings/{pairing.id}").status_code == 200
    # A mentee is not a mentor: no dashboard.
    assert client.get("/mentoring/dashboard").status_code == 403


def test_another_participant_cannot_open_someone_elses_record(client, login):
    round_ = make_cohort_round()
    pairing = _confirmed_pairing(round_=round_)
    other = make_participant(round_, name="Other Participant")
    login(other.applicant)
    assert client.get(f"/mentoring/pairings/{pairing.id}").status_code == 404
    assert "Mentee A" not in client.get("/mentoring/my").get_data(as_text=True)


def test_proposed_pairing_is_not_shown_to_the_pair(client, login):
    lead = make_user(roles=[Role.LEAD])
    round_ = make_cohort_round()
    make_participant(round_)
    mentor = make_mentor()
    run_matching(lead, round_)
    db.session.commit()
    pairing_id = db.session.scalar(select(Pairing.id))
    login(mentor.user)
    assert client.get(f"/mentoring/pairings/{pairing_id}").status_code == 404


def test_mentor_logs_a_meeting_and_marks_a_section(client, login):
    pairing = _confirmed_pairing()
    login(pairing.mentor.user)
    client.get(f"/mentoring/pairings/{pairing.id}")
    progress = ensure_progress(pairing.proposal)
    section = progress.sections[1]
    response = client.post(f"/mentoring/pairings/{pairing.id}/sections/{section.id}", data={"status": "feedback"})
    assert response.status_code == 303
    db.session.refresh(section)
    assert section.status == SectionStatus.FEEDBACK
    held = date.today() - timedelta(days=1)
    response = client.post(f"/mentoring/pairings/{pairing.id}/meetings",
                           data={"held_on": held.isoformat(), "duration_minutes": "50", "notes": "Went through core 1",
                                 "next_steps": "Draft core 2", "next_meeting_at": "2099-03-04T14:30"})
    assert response.status_code == 303
    meeting = db.session.scalar(select(Meeting))
    assert (meeting.held_on, meeting.duration_minutes, meeting.next_steps) == (held, 50, "Draft core 2")
    assert meeting.next_meeting_at.isoformat() == "2099-03-04T14:30:00+00:00"  # GMT in March
    page = client.get(f"/mentoring/pairings/{pairing.id}").get_data(as_text=True)
    assert "Went through core 1" in page and "Next meeting:" in page


def test_section_update_answers_htmx_with_the_row(client, login):
    pairing = _confirmed_pairing()
    login(pairing.mentee)
    section = ensure_progress(pairing.proposal).sections[0]
    db.session.commit()
    response = client.post(f"/mentoring/pairings/{pairing.id}/sections/{section.id}", data={"status": "drafting"},
                           headers={"HX-Request": "true", "HX-Target": f"mentoring-section-{section.id}"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<tr id="mentoring-section-{section.id}">')
    assert "Contextual statement: Drafting." in body
    bad = client.post(f"/mentoring/pairings/{pairing.id}/sections/{section.id}", data={"status": "finished"},
                      headers={"HX-Request": "true", "HX-Target": f"mentoring-section-{section.id}"})
    assert bad.status_code == 422 and "Choose one of the listed statuses." in bad.get_data(as_text=True)


def test_invalid_meeting_keeps_input_and_says_why(client, login):
    pairing = _confirmed_pairing()
    login(pairing.mentor.user)
    response = client.post(f"/mentoring/pairings/{pairing.id}/meetings",
                           data={"held_on": (date.today() + timedelta(days=3)).isoformat(), "duration_minutes": "60",
                                 "notes": "My careful notes"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Log a meeting once it has happened" in body and "My careful notes" in body
    assert db.session.query(Meeting).count() == 0


def test_registration_expiry_warning_on_the_page(client, login):
    pairing = _confirmed_pairing()
    login(pairing.mentee)
    registered = date.today() - timedelta(days=2 * 365 - 30)
    response = client.post(f"/mentoring/pairings/{pairing.id}/progress",
                           data={"registered_on": registered.isoformat(), "target_deadline": "2030-01-15"})
    assert response.status_code == 303
    page = client.get(f"/mentoring/pairings/{pairing.id}").get_data(as_text=True)
    assert "Expires within 3 months" in page
    assert "submit before then or renew it" in page


def test_lead_records_award_and_the_participant_sees_the_invitation(client, login):
    pairing = _confirmed_pairing()
    lead = make_user(roles=[Role.LEAD])
    login(lead)
    response = client.post(f"/mentoring/pairings/{pairing.id}/outcome", data={"outcome": "awarded"})
    assert response.status_code == 303
    assert ensure_progress(pairing.proposal).outcome == Outcome.AWARDED
    pool = client.get("/mentoring/mentors").get_data(as_text=True)
    assert "Mentee A" in pool and "Not yet" in pool
    client.post("/auth/sign-out")
    login(pairing.mentee)
    assert "please <a href=\"/mentoring/volunteer\">join the mentor pool</a>" in client.get("/mentoring/my").get_data(as_text=True)


def test_outcome_is_lead_only(client, login):
    pairing = _confirmed_pairing()
    login(pairing.mentor.user)
    assert client.post(f"/mentoring/pairings/{pairing.id}/outcome", data={"outcome": "awarded"}).status_code == 403


def test_volunteer_then_lead_approves(client, login):
    person = make_user(name="Vera Volunteer", department="Library")
    login(person)
    response = client.post("/mentoring/volunteer", data={"award_level": "2", "award_year": "2021",
                                                         "specialist_areas": "Accessibility", "capacity": "2"})
    assert response.status_code == 303
    profile = db.session.scalar(select(MentorProfile))
    assert (profile.award_name, profile.department, profile.capacity) == ("CMALT", "Library", 2)
    assert "Awaiting approval" in client.get("/mentoring/volunteer").get_data(as_text=True)
    bad = client.post("/mentoring/volunteer", data={"award_level": "2", "capacity": "99"})
    assert bad.status_code == 422 and "Enter a whole number from 0 to 20." in bad.get_data(as_text=True)
    client.post("/auth/sign-out")
    login(make_user(roles=[Role.LEAD]))
    assert client.post(f"/mentoring/mentors/{profile.id}/approve").status_code == 303
    db.session.refresh(profile)
    assert profile.is_available


def test_a_proposed_pair_changes_mentor_on_a_page_of_its_own(client, login):
    round_ = make_cohort_round(name="Cohort 2026/27")
    participant = make_participant(round_, name="Pia")
    first = make_mentor(name="Mona", capacity=2)
    second = make_mentor(name="Nadia", capacity=3)
    login(make_user(roles=[Role.LEAD]))
    client.post(f"/mentoring/matching/{round_.id}/run")
    pairing = db.session.scalar(select(Pairing).where(Pairing.proposal_id == participant.id))
    matching = client.get(f"/mentoring/matching/{round_.id}").get_data(as_text=True)
    assert f'href="/mentoring/pairings/{pairing.id}/swap"' in matching and "<select" not in matching
    page = client.get(f"/mentoring/pairings/{pairing.id}/swap").get_data(as_text=True)
    current, other = (first, second) if pairing.mentor_id == first.id else (second, first)
    assert f'<option value="{current.id}" selected>{current.user.name} (1/{current.capacity})</option>' in page
    assert f'<option value="{other.id}">{other.user.name} (0/{other.capacity})</option>' in page
    assert client.post(f"/mentoring/pairings/{pairing.id}/swap", data={"mentor": other.id}).status_code == 303
    db.session.refresh(pairing)
    assert pairing.mentor_id == other.id and pairing.state == PairingState.LOCKED


def test_the_matching_page_is_paged(client, login, monkeypatch):
    monkeypatch.setattr(lead_views, "MATCHING_PER_PAGE", 2)
    round_ = make_cohort_round(name="Cohort 2026/27")
    people = [make_participant(round_, name=f"Participant {i}") for i in range(3)]
    login(make_user(roles=[Role.LEAD]))
    first = client.get(f"/mentoring/matching/{round_.id}").get_data(as_text=True)
    assert "3 participant(s)" in first and "1–2 of 3" in first and "Page 1 of 2 (3 in all)" in first
    assert first.count('<tr id="mentoring-participant-') == 2
    second = client.get(f"/mentoring/matching/{round_.id}?page=2").get_data(as_text=True)
    assert second.count('<tr id="mentoring-participant-') == 1 and f"mentoring-participant-{people[2].id}" in second


def test_matching_page_run_lock_confirm(client, login):
    round_ = make_cohort_round(name="Cohort 2026/27")
    p = make_participant(round_, name="Pia")
    stranded = make_participant(round_, name="Sam Senior", level=3)
    mentor = make_mentor(name="Mona", capacity=1)
    login(make_user(roles=[Role.LEAD]))
    assert client.post(f"/mentoring/matching/{round_.id}/run").status_code == 303
    page = client.get(f"/mentoring/matching/{round_.id}").get_data(as_text=True)
    assert "Mona" in page and "no shared specialist areas; CMALT holder; other department" in page
    assert "Unmatched:" in page
    pairing = db.session.scalar(select(Pairing).where(Pairing.proposal_id == p.id))
    client.post(f"/mentoring/pairings/{pairing.id}/lock", data={"value": "lock"})
    db.session.refresh(pairing)
    assert pairing.state == PairingState.LOCKED
    client.post(f"/mentoring/matching/{round_.id}/confirm")
    db.session.refresh(pairing)
    assert pairing.state == PairingState.CONFIRMED
    assert stranded.id not in {x.proposal_id for x in db.session.scalars(select(Pairing))}
    assert mentor.id == pairing.mentor_id


def test_fake_pdf_is_refused_with_a_clear_message(client, login):
    round_ = make_cohort_round()
    login(make_user(roles=[Role.MENTOR]))
    response = client.post("/mentoring/register/new", content_type="multipart/form-data", data={
        "pathway": str(round_.pathways[0].id), "job_role": "Lecturer", "summary": "My portfolio",
        "pdf": (io.BytesIO(b"MZ\x90\x00 this is an executable"), "portfolio.pdf")})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This file is not a PDF (it does not start like one)." in body
    assert "Lecturer" in body  # input kept
    assert db.session.query(ExamplePortfolio).count() == 0


def test_real_pdf_is_shared_and_downloaded_only_by_signed_in_staff(client, login, app):
    round_ = make_cohort_round()
    owner = make_user(roles=[Role.MENTOR])
    login(owner)
    response = client.post("/mentoring/register/new", content_type="multipart/form-data", data={
        "pathway": str(round_.pathways[1].id), "job_role": "Learning Technologist", "summary": "CMALT on video",
        "specialist_areas": "video and lecture capture", "pdf": (io.BytesIO(PDF), "my cmalt.pdf")})
    assert response.status_code == 303
    example = db.session.scalar(select(ExamplePortfolio))
    listing = client.get("/mentoring/register?area=video").get_data(as_text=True)
    assert "Learning Technologist" in listing
    assert "Learning Technologist" not in client.get("/mentoring/register?area=assessment").get_data(as_text=True)
    download = client.get(f"/mentoring/register/{example.id}/file")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "my cmalt.pdf" in download.headers["Content-Disposition"]
    assert download.mimetype == "application/pdf"
    client.post("/auth/sign-out")
    anonymous = client.get(f"/mentoring/register/{example.id}/file")
    assert anonymous.status_code == 302 and "/auth/sign-in" in anonymous.headers["Location"]
    assert client.get(f"/static/../instance/uploads/{example.stored_name}").status_code == 404


def test_only_the_owner_withdraws_an_example(client, login):
    owner = make_user(roles=[Role.MENTOR])
    example = share_example(owner, pathway_id=None, job_role="Lecturer", specialist_areas="",
                                      summary="s", pdf=PDF, filename="a.pdf")
    db.session.commit()
    path = example_file(example)
    login(make_user(roles=[Role.MENTOR]))
    assert client.post(f"/mentoring/register/{example.id}/withdraw").status_code == 403
    assert path.exists()
    client.post("/auth/sign-out")
    login(owner)
    assert client.post(f"/mentoring/register/{example.id}/withdraw").status_code == 303
    assert not path.exists()
    assert db.session.query(ExamplePortfolio).count() == 0


def test_staff_without_an_award_cannot_share(client, login_as):
    login_as()
    assert client.get("/mentoring/register/new").status_code == 403
    assert client.get("/mentoring/register").status_code == 200


def test_dashboard_flags_overdue_meetings_and_deadline_risk(client, login):
    pairing = _confirmed_pairing()
    pairing.confirmed_at = pairing.confirmed_at - timedelta(days=100)
    db.session.add(Meeting(pairing_id=pairing.id, held_on=date.today() - timedelta(days=50), duration_minutes=30))
    progress = ensure_progress(pairing.proposal)
    progress.target_deadline = date.today() + timedelta(days=20)
    db.session.commit()
    login(pairing.mentor.user)
    page = client.get("/mentoring/dashboard").get_data(as_text=True)
    assert "No meeting in 6 weeks" in page
    assert "Deadline near, sections not ready" in page


def test_dashboard_query_count_does_not_grow_with_mentees(client, login, app):
    from sqlalchemy import event
    lead = make_user(roles=[Role.LEAD])
    mentor = make_mentor(capacity=10)

    def count_queries():
        statements = []
        listener = lambda *args: statements.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/mentoring/dashboard").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    login(mentor.user)
    round_ = make_cohort_round()
    make_participant(round_)
    run_matching(lead, round_)
    confirm_round(lead, round_)
    db.session.commit()
    one = count_queries()
    for _ in range(4):
        make_participant(round_)
    run_matching(lead, round_)
    confirm_round(lead, round_)
    db.session.commit()
    assert count_queries() == one


def test_an_upload_over_10_mb_is_refused_with_a_clear_message(client, login):
    round_ = make_cohort_round()
    login(make_user(roles=[Role.MENTOR]))
    response = client.post("/mentoring/register/new", content_type="multipart/form-data", data={
        "pathway": str(round_.pathways[0].id), "job_role": "Lecturer", "summary": "s",
        "pdf": (io.BytesIO(PDF + b"0" * (10 * 1024 * 1024)), "big.pdf")})
    assert response.status_code == 422
    assert "The file is larger than 10 MB; upload a smaller PDF or share a link instead." in response.get_data(as_text=True)
    assert db.session.query(ExamplePortfolio).count() == 0


def test_stale_csrf_token_keeps_the_meeting_notes(client, login):
    pairing = _confirmed_pairing()
    login(pairing.mentor.user)
    # The tests share one app context across requests; forget the sign-in's CSRF pass as a new request would.
    from flask import g
    g.pop("csrf_valid", None)
    response = client.post(f"/mentoring/pairings/{pairing.id}/meetings", csrf=False,
                           data={"held_on": date.today().isoformat(), "duration_minutes": "60",
                                 "notes": "Long notes I typed"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Long notes I typed" in body and "security token was missing or out of date" in body
    assert db.session.query(Meeting).count() == 0


def test_deadline_from_the_schedule(client, login):
    from datetime import datetime, timezone

    from portal.schedule.models import Session, SessionKind
    pairing = _confirmed_pairing()
    starts = datetime(2027, 3, 10, 12, 0, tzinfo=timezone.utc)
    deadline = Session(kind=SessionKind.DEADLINE, title="Spring submission", starts_at=starts, ends_at=starts,
                       round_id=pairing.round_id)
    db.session.add(deadline)
    db.session.commit()
    login(pairing.mentee)
    page = client.get(f"/mentoring/pairings/{pairing.id}").get_data(as_text=True)
    assert "Spring submission (Wed 10 Mar 2027)" in page
    response = client.post(f"/mentoring/pairings/{pairing.id}/progress",
                           data={"deadline_session": str(deadline.id), "target_deadline": ""})
    assert response.status_code == 303
    progress = ensure_progress(pairing.proposal)
    db.session.refresh(progress)
    assert (progress.target_deadline, progress.deadline_session_id) == (date(2027, 3, 10), deadline.id)
    bad = client.post(f"/mentoring/pairings/{pairing.id}/progress", data={"deadline_session": "99999"})
    assert bad.status_code == 422


def test_mentee_reports_the_pairing_is_not_working_and_the_lead_rematches(client, login):
    from portal.outbox.models import OutboxMessage
    pairing = _confirmed_pairing()
    login(pairing.mentee)
    empty = client.post(f"/mentoring/pairings/{pairing.id}/concern", data={"concern": ""})
    assert empty.status_code == 422 and "This field is required." in empty.get_data(as_text=True)
    response = client.post(f"/mentoring/pairings/{pairing.id}/concern", data={"concern": "We never manage to meet."})
    assert response.status_code == 303
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.subject.like("Mentoring pairing not working%"))).all()
    assert len(mail) == 1 and "We never manage to meet." in mail[0].body
    client.post("/auth/sign-out")
    lead = db.session.scalar(select(User).where(User.email == mail[0].recipient))
    assert lead.is_lead
    login(lead)
    page = client.get(f"/mentoring/matching/{pairing.round_id}").get_data(as_text=True)
    assert "Reported not working" in page
    assert client.post(f"/mentoring/pairings/{pairing.id}/end", data={"reason": "Not working"}).status_code == 303
    db.session.refresh(pairing)
    assert pairing.state == PairingState.ENDED and pairing.ended_reason == "Not working"
    page = client.get(f"/mentoring/matching/{pairing.round_id}").get_data(as_text=True)
    assert "Waiting since" in page
