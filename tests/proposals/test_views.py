"""Proposal pages: autosave over htmx and without JavaScript, stale sessions that keep the text,
submitting, withdrawing, privacy by URL, the lead's list and CSV export."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from sqlalchemy import select

from portal.auth.models import Role
from portal.db_types import utcnow
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.proposals.models import PendingDraft, Proposal, ProposalState
from tests.factories import COMPLETE_ANSWERS, make_proposal, make_round, make_user

LONG = " ".join(f"word{i}" for i in range(180)) + "\n\nA second paragraph — with “quotes” & accents: café."


def form_data(round_, **overrides) -> dict:
    data = {k: v for k, v in COMPLETE_ANSWERS.items() if not isinstance(v, bool)}
    data.update(pathway_id=str(round_.pathways[1].id), line_manager_supports="y", consent="y")
    data.update(overrides)
    return data


def htmx(target: str) -> dict:
    return {"HX-Request": "true", "HX-Target": target}


SERVED_RE = re.compile(r'name="served_for" type="hidden" value="([^"]+)"')


def served_for(client, proposal) -> str:
    """The stamp the edit page carries (who it was served to, for which proposal), as a browser would send it."""
    page = client.get(f"/proposals/{proposal.id}/edit").get_data(as_text=True)
    return SERVED_RE.search(page).group(1)


def test_round_page_shows_deadline_with_weekday_time_zone_and_countdown(app, client, login_as):
    login_as()
    from portal.timeutil import local_to_utc
    from datetime import datetime
    closes = utcnow() + timedelta(days=3, hours=2)
    round_ = make_round(name="CMALT cohort 2026/27", closes_at=closes)
    page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    from portal.timeutil import to_local
    local = to_local(closes)
    assert f"{local.strftime('%H:%M on %A %-d %B %Y')} {local.tzname()}" in page
    assert "3 days, 2 hours left to submit." in page or "3 days, 1 hour left to submit." in page
    assert "£165" in page and "Three years or more." in page
    far = make_round(closes_at=local_to_utc(datetime(2030, 1, 16, 12, 0)))
    far_page = client.get(f"/rounds/{far.id}").get_data(as_text=True)
    assert "12:00 on Wednesday 16 January 2030 GMT" in far_page
    assert "left to submit" not in far_page


def test_start_then_autosave_over_htmx_saves_and_reports_the_time(app, client, login_as):
    me = login_as()
    round_ = make_round()
    response = client.post(f"/proposals/rounds/{round_.id}/start")
    assert response.status_code == 303
    proposal = db.session.scalars(select(Proposal).where(Proposal.user_id == me.id)).one()
    assert response.headers["Location"].endswith(f"/proposals/{proposal.id}/edit")
    page = client.get(f"/proposals/{proposal.id}/edit").get_data(as_text=True)
    assert 'data-hx-trigger="input changed delay:1500ms, focusout changed"' in page
    assert f'id="proposals-autosave-{proposal.id}"' in page and 'aria-live="polite"' in page

    saved = client.post(f"/proposals/{proposal.id}/autosave", data={"motivation": LONG, "years_experience": "x"},
                        headers=htmx(f"proposals-autosave-{proposal.id}"))
    body = saved.get_data(as_text=True)
    assert saved.status_code == 200
    assert re.match(r"^Saved at \d\d:\d\d", body)
    assert "Years of experience with learning technology (Enter a whole number of years from 0 to 60.)" in body
    db.session.expire_all()
    assert proposal.motivation == LONG.rstrip()
    assert proposal.state == ProposalState.DRAFT


def test_save_draft_without_javascript_redirects_and_keeps_everything(app, client, login_as):
    me = login_as()
    proposal = make_proposal(make_round(), me, complete=False)
    response = client.post(f"/proposals/{proposal.id}/edit", data={"action": "save", "role_summary": LONG,
                                                                    "years_experience": "2"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Draft saved at" in page
    assert "word179" in page and "café" in page
    assert ("<strong>Suggested: Associate CMALT.</strong> You have 2 years of experience, so Associate CMALT fits "
            "(under 3 years).") in page


def test_beacon_autosave_answers_no_content(app, client, login_as):
    me = login_as()
    proposal = make_proposal(make_round(), me, complete=False)
    response = client.post(f"/proposals/{proposal.id}/autosave", data={"motivation": "Left the page"})
    assert response.status_code == 204
    db.session.expire_all()
    assert proposal.motivation == "Left the page"


def test_submit_from_the_form_then_read_only_view_and_email(app, client, login_as):
    me = login_as()
    round_ = make_round()
    proposal = make_proposal(round_, me, complete=False)
    response = client.post(f"/proposals/{proposal.id}/edit", data=dict(form_data(round_), action="submit"))
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/proposals/{proposal.id}")
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "is submitted. We have emailed you a copy of it." in page
    assert "To have my practice recognised and to mentor others." in page
    assert "<textarea" not in page
    assert db.session.scalar(select(OutboxMessage.subject)) == f"We have received your proposal for {round_.name}"


def test_submit_blocked_shows_every_reason_and_keeps_the_text(app, client, login_as):
    me = login_as()
    round_ = make_round(word_limits={"motivation": 10})
    proposal = make_proposal(round_, me, complete=False)
    response = client.post(f"/proposals/{proposal.id}/edit",
                           data={"action": "submit", "motivation": LONG, "job_title": "Lecturer"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Your proposal was not submitted" in page
    assert "Add your department." in page
    assert "Motivation has 189 words; the limit is 10." in page
    assert "189 of 10 words — 179 over the limit" in page
    assert "word179" in page
    db.session.expire_all()
    assert proposal.state == ProposalState.DRAFT and proposal.motivation == LONG.rstrip()


def test_stale_csrf_token_keeps_the_text_on_the_page_and_on_the_server(app, client, login_as):
    me = login_as()
    proposal = make_proposal(make_round(), me, complete=False)
    response = client.post(f"/proposals/{proposal.id}/edit", data={"action": "save", "motivation": LONG,
                                                                    "csrf_token": "stale",
                                                                    "served_for": served_for(client, proposal)},
                           csrf=False)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "security token was missing or out of date" in page
    assert "word179" in page
    kept = db.session.scalars(select(PendingDraft)).one()
    assert kept.user_id == me.id and kept.answers["motivation"] == LONG.rstrip()
    db.session.expire_all()
    assert proposal.motivation == ""
    again = client.get(f"/proposals/{proposal.id}/edit").get_data(as_text=True)
    assert "You have text kept from" in again and "word179" in again


def test_stale_csrf_on_htmx_autosave_says_not_saved_and_keeps_the_text(app, client, login_as):
    me = login_as()
    proposal = make_proposal(make_round(), me, complete=False)
    response = client.post(f"/proposals/{proposal.id}/autosave",
                           data={"motivation": LONG, "csrf_token": "x", "served_for": served_for(client, proposal)},
                           csrf=False, headers=htmx(f"proposals-autosave-{proposal.id}"))
    assert response.status_code == 400  # htmx swaps 400 (see base.html's responseHandling)
    assert "Not saved: this page is out of date" in response.get_data(as_text=True)
    assert db.session.scalars(select(PendingDraft)).one().answers["motivation"] == LONG.rstrip()


def test_expired_sign_in_keeps_the_text_and_gives_it_back_after_signing_in(app, client, login):
    me = make_user()
    proposal = make_proposal(make_round(), me, complete=False)
    login(me)
    stamp = served_for(client, proposal)
    client.delete_cookie("session")
    # Signed out (the session expired): the post carries a now-useless token, and the page's stamp.
    response = client.post(f"/proposals/{proposal.id}/edit", data={"action": "submit", "motivation": LONG,
                                                                    "csrf_token": "expired", "served_for": stamp},
                           csrf=False)
    page = response.get_data(as_text=True)
    assert response.status_code in (400, 401)
    assert "Your text is kept on the server" in page and "word179" in page
    kept = db.session.scalars(select(PendingDraft)).one()
    assert kept.user_id == me.id  # the page's stamp names its owner, so any device they sign in on offers it
    login(me)
    again = client.get(f"/proposals/{proposal.id}/edit").get_data(as_text=True)
    assert "You have text kept from" in again and "word179" in again
    db.session.expire_all()
    assert db.session.scalars(select(PendingDraft)).one().user_id == me.id
    client.post(f"/proposals/{proposal.id}/edit", data={"action": "save", "motivation": LONG})
    db.session.expire_all()
    assert proposal.motivation == LONG.rstrip()
    assert db.session.scalars(select(PendingDraft)).all() == []


def test_signed_out_htmx_autosave_answers_a_swappable_message(app, client):
    proposal = make_proposal(make_round(), complete=False)
    response = client.post(f"/proposals/{proposal.id}/autosave", data={"motivation": "typed"},
                           headers=htmx(f"proposals-autosave-{proposal.id}"))
    assert response.status_code in (400, 409)
    assert "Not saved: you have been signed out" in response.get_data(as_text=True)


def test_someone_elses_proposal_is_not_found_by_url(app, client, login_as):
    theirs = make_proposal(state=ProposalState.SUBMITTED, motivation="Private motivation")
    login_as()
    for url in (f"/proposals/{theirs.id}", f"/proposals/{theirs.id}/edit", f"/proposals/{theirs.id}/withdraw"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Private motivation" not in response.get_data(as_text=True)
    assert client.post(f"/proposals/{theirs.id}/autosave", data={"motivation": "x"}).status_code == 404
    assert client.post(f"/proposals/{theirs.id}/edit", data={"motivation": "x"}).status_code == 404
    assert client.post(f"/proposals/{theirs.id}/withdraw").status_code == 404
    db.session.expire_all()
    assert theirs.motivation == "Private motivation" and theirs.state == ProposalState.SUBMITTED


def test_withdraw_from_the_page(app, client, login_as):
    me = login_as()
    proposal = make_proposal(make_round(), me, state=ProposalState.SUBMITTED)
    confirm = client.get(f"/proposals/{proposal.id}/withdraw").get_data(as_text=True)
    assert "Withdraw my proposal" in confirm
    response = client.post(f"/proposals/{proposal.id}/withdraw")
    assert response.status_code == 303
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "is withdrawn" in page and "Withdrawn" in page
    db.session.expire_all()
    assert proposal.state == ProposalState.WITHDRAWN


def test_edit_after_submission_adds_a_version(app, client, login_as):
    me = login_as()
    round_ = make_round()
    proposal = make_proposal(round_, me, state=ProposalState.SUBMITTED)
    page = client.get(f"/proposals/{proposal.id}/edit").get_data(as_text=True)
    assert "Save changes" in page and "hx-post" not in page.split("<form id=\"proposals-form")[1].split(">")[0]
    response = client.post(f"/proposals/{proposal.id}/edit",
                           data=form_data(round_, action="update", motivation="Sharper motivation."))
    assert response.status_code == 303
    db.session.expire_all()
    assert proposal.version == 2 and proposal.motivation == "Sharper motivation."
    assert "version 2" in client.get(f"/proposals/{proposal.id}").get_data(as_text=True)


def test_lead_list_filters_searches_and_exports_excel_safe_csv(app, client, login_as):
    login_as(Role.LEAD)
    round_ = make_round()
    alice = make_proposal(round_, make_user(name="Alice Ng"), state=ProposalState.SUBMITTED,
                          department="=HYPERLINK(\"http://x\")")
    make_proposal(round_, make_user(name="Bob Roe"), department="Business School")
    make_proposal(round_, make_user(name="Cara Bell"), state=ProposalState.WITHDRAWN, department="Library")
    page = client.get(f"/proposals/rounds/{round_.id}").get_data(as_text=True)
    assert "3 proposals" in page and "Alice Ng" in page and "Bob Roe" in page
    only_bob = client.get(f"/proposals/rounds/{round_.id}?q=bob").get_data(as_text=True)
    assert "Bob Roe" in only_bob and "Alice Ng" not in only_bob
    submitted = client.get(f"/proposals/rounds/{round_.id}?state=submitted").get_data(as_text=True)
    assert "1 proposal<" in submitted and "Alice Ng" in submitted
    by_dept = client.get(f"/proposals/rounds/{round_.id}?department=Library").get_data(as_text=True)
    assert "Cara Bell" in by_dept and "Bob Roe" not in by_dept
    fragment = client.get(f"/proposals/rounds/{round_.id}?q=bob", headers=htmx("proposals-table"))
    assert fragment.get_data(as_text=True).lstrip().startswith('<div id="proposals-table">')

    export = client.get(f"/proposals/rounds/{round_.id}/export.csv")
    assert export.headers["Content-Type"] == "text/csv; charset=utf-8"
    raw = export.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["ID", "Name", "Email"]
    alice_row = next(r for r in rows if r[1] == "Alice Ng")
    assert alice_row[3] == "'=HYPERLINK(\"http://x\")"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", alice_row[8])
    assert alice_row[6] == "Submitted"
    filtered = client.get(f"/proposals/rounds/{round_.id}/export.csv?state=withdrawn").get_data().decode("utf-8-sig")
    assert "Cara Bell" in filtered and "Alice Ng" not in filtered
    assert alice.id
    from portal.audit.models import AuditEvent
    exports = db.session.query(AuditEvent).filter_by(action="export.csv", object_id=round_.id).count()
    assert exports == 2


def test_lead_list_paginates(app, client, login_as):
    login_as(Role.LEAD)
    round_ = make_round()
    for i in range(52):
        make_proposal(round_, make_user(name=f"Applicant {i:02d}"), complete=False)
    first = client.get(f"/proposals/rounds/{round_.id}").get_data(as_text=True)
    assert "Page 1 of 2 (52 in all)" in first and "Applicant 49" in first and "Applicant 50" not in first
    second = client.get(f"/proposals/rounds/{round_.id}?page=2").get_data(as_text=True)
    assert "Applicant 50" in second and "Applicant 51" in second


def test_suggestion_fragment_for_htmx(app, client, login_as):
    me = login_as()
    proposal = make_proposal(make_round(), me, complete=False)
    response = client.get(f"/proposals/{proposal.id}/suggestion?years_experience=7",
                          headers=htmx(f"proposals-suggestion-{proposal.id}"))
    fragment = response.get_data(as_text=True)
    assert "<strong>Suggested: CMALT.</strong> You have 7 years of experience, so CMALT fits (3 years or more)." in fragment
    assert "If you have leadership, strategy or research responsibilities, Senior CMALT fits instead" in fragment
    response = client.get(f"/proposals/{proposal.id}/suggestion?years_experience=20&leads_learning_technology=True"
                          "&job_title=Head+of+Digital+Education", headers=htmx(f"proposals-suggestion-{proposal.id}"))
    assert ("<strong>Suggested: Senior CMALT.</strong> You have 20 years of experience and, as Head of Digital "
            "Education, leadership, strategy or research responsibilities, so Senior CMALT fits") in response.get_data(as_text=True)


def test_submit_without_intro_names_the_sessions_still_bookable(app, client, login_as):
    from portal.schedule.models import Session, SessionKind
    me = login_as()
    round_ = make_round(intro_required=True)
    start = utcnow() + timedelta(days=4)
    session = Session(kind=SessionKind.INTRO, title="Intro to CMALT (online)", starts_at=start,
                      ends_at=start + timedelta(hours=1), round_id=round_.id, capacity=30)
    db.session.add(session)
    db.session.commit()
    proposal = make_proposal(round_, me, complete=False)
    response = client.post(f"/proposals/{proposal.id}/edit", data=dict(form_data(round_), action="submit"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Attend an intro session first: you can still book one of the sessions below." in page
    assert f'<a href="/schedule/sessions/{session.id}">Intro to CMALT (online)</a>' in page
    db.session.expire_all()
    assert proposal.state == ProposalState.DRAFT
    assert proposal.motivation == COMPLETE_ANSWERS["motivation"]  # the answers were saved all the same


def test_one_line_answers_refuse_a_line_break_and_keep_the_rest(app, client, login_as):
    # A job title or a line manager's name ends up in mail subjects and exports, where a break starts a new line.
    me = login_as()
    proposal = make_proposal(make_round(), me, job_title="Lecturer")
    saved = client.post(f"/proposals/{proposal.id}/autosave",
                        data={"job_title": "Lecturer\r\nBcc: everyone", "motivation": LONG,
                              "years_experience": "1e30"},
                        headers=htmx(f"proposals-autosave-{proposal.id}"))
    body = saved.get_data(as_text=True)
    assert "Job title (Keep this to one line" in body
    assert "Enter a whole number of years from 0 to 60." in body
    db.session.expire_all()
    assert proposal.job_title == "Lecturer"
    assert proposal.motivation == LONG.rstrip()
