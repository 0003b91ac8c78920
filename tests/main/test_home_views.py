"""The home page through the real app: each demo role's home, each part for the people it applies to,
every primary action reachable, and query counts that do not grow with the data."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.auth.models import Role
from portal.db_types import utcnow
from portal.extensions import db
from portal.panel.models import Assignment, PanelMember
from portal.proposals.models import Proposal, ProposalState
from portal.rounds.models import Round
from tests.factories import make_booking, make_panel_proposal, make_panel_round, make_round, make_session, make_user
from tests.quality.conftest import _fresh_g_for_every_request, client_sign_in, demo_app  # noqa: F401 (fixtures)
from tests.query_counts import page_queries

HEADINGS = {"lead": "What needs you", "panel": "Your panel scoring", "mentor": "Your mentees", "staff": "Your year"}
DEMO = {"lead": "lead@example.ac.uk", "panel": "panel1@example.ac.uk", "mentor": "mentor1@example.ac.uk",
        "staff": "staff1@example.ac.uk"}
# The parts each demo login's home shows (a panel member is staff too, and the demo's has no proposal of their own
# but may apply; the mentor already holds the award; the lead applies to nothing).
EXPECTED = {"lead": {"lead"}, "panel": {"panel", "staff"}, "mentor": {"mentor"}, "staff": {"staff"}}


def _main(html: str) -> str:
    return re.search(r"<main.*?</main>", html, re.S).group(0)


def _actions(html: str) -> list[str]:
    """The hrefs of the home's links (primary actions, secondary links and named cases)."""
    return re.findall(r'<a (?:class="[^"]*" )?href="(/[^"]*)"', _main(html))


@pytest.mark.parametrize("role", list(DEMO))
def test_each_demo_role_sees_its_parts_and_every_link_works(demo_app, role):  # noqa: F811
    client = demo_app.test_client()
    with demo_app.app_context():
        client_sign_in(client, DEMO[role])
        response = client.get("/")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        shown = {part for part, heading in HEADINGS.items() if f">{heading}</h2>" in html}
        assert shown == EXPECTED[role]
        assert "Your roles:" not in html  # the old grid of navigation links is gone
        links = _actions(html)
        assert links, "a home with nothing to do"
        for href in sorted(set(links)):
            assert client.get(href.replace("&amp;", "&")).status_code == 200, href


def test_staff_home_starts_a_proposal_with_its_one_button(client, login_as):
    round_ = make_round(name="Autumn call")
    login_as()
    html = client.get("/").get_data(as_text=True)
    assert "Autumn call is open" in html and html.count('class="button"') == 2  # read the round; start
    action = f"/proposals/rounds/{round_.id}/start"
    assert f'action="{action}"' in html
    response = client.post(action)
    assert response.status_code == 303 and "/edit" in response.headers["Location"]
    html = client.get("/").get_data(as_text=True)
    assert "Draft saved at" in html and "Continue your draft" in html


def test_staff_with_nothing_open_is_told_so(client, login_as):
    login_as()
    assert "No round is open for proposals right now." in client.get("/").get_data(as_text=True)


def test_lead_with_nothing_waiting_is_told_so(client, login_as):
    login_as(Role.LEAD)
    html = client.get("/").get_data(as_text=True)
    assert "Nothing needs you today" in html
    assert ">Your year</h2>" not in html  # a lead is not invited to apply


def test_a_person_with_several_roles_sees_each_part(client, login_as):
    round_ = make_panel_round()
    person = login_as(Role.LEAD, Role.PANEL, Role.MENTOR)
    proposal = make_panel_proposal(round_)
    db.session.add_all([PanelMember(round_id=round_.id, user_id=person.id),
                        Assignment(round_id=round_.id, proposal_id=proposal.id, user_id=person.id)])
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    for heading in ("What needs you", "Your panel scoring", "Your mentees"):
        assert f">{heading}</h2>" in html
    assert "1 of 1 left to score" in html
    assert "You are not in the mentor pool yet." in html


def test_home_is_refused_nothing_and_sends_signed_out_people_to_the_welcome(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Welcome, " not in response.get_data(as_text=True)


def _more_for_staff(round_id: int, n: int):
    """n more intro sessions of the round, each with someone else booked and someone else's proposal."""
    round_ = db.session.get(Round, round_id)  # page_queries starts each request from a fresh session
    for _ in range(n):
        make_booking(make_session(kind="intro", round_id=round_.id))
        make_panel_proposal(round_)


def test_staff_home_query_count_does_not_grow_with_the_data(client, login_as):
    login_as()
    round_id = make_round(intro_required=True).id
    _more_for_staff(round_id, 1)
    few = page_queries(client, "/")
    _more_for_staff(round_id, 6)
    assert page_queries(client, "/") == few


def _more_for_lead(review_id: int, running_id: int, member_ids: list[int], n: int):
    """n more proposals in review assigned to both members, past sessions without a register, and
    participants of the running round waiting for a mentor."""
    review, running = db.session.get(Round, review_id), db.session.get(Round, running_id)
    for _ in range(n):
        proposal = make_panel_proposal(review)
        db.session.add_all([Assignment(round_id=review.id, proposal_id=proposal.id, user_id=m) for m in member_ids])
        make_booking(make_session(kind="workshop", starts_in=timedelta(days=-2)))
        make_panel_proposal(running, state="selected")
    db.session.commit()


def test_lead_home_query_count_is_the_same_at_two_sizes(client, login_as):
    login_as(Role.LEAD)
    review, running = make_panel_round(), make_panel_round(state="running")
    members = [make_user(roles=[Role.PANEL]) for _ in range(2)]
    db.session.add_all([PanelMember(round_id=review.id, user_id=m.id) for m in members])
    ids = (review.id, running.id, [m.id for m in members])
    _more_for_lead(*ids, 1)
    small = page_queries(client, "/")
    html = client.get("/").get_data(as_text=True)
    for need in ("Proposals waiting for scores", "Decisions to make", "Sessions without a register",
                 "Mentees without a mentor", "Participants at risk"):
        assert need in html
    _more_for_lead(*ids, 8)
    assert page_queries(client, "/") == small


def test_withdrawn_proposal_in_a_closed_round_leaves_no_trace(client, login_as):
    person = login_as()
    round_ = make_panel_round(name="Old round")
    db.session.add(Proposal(round_id=round_.id, user_id=person.id, state=ProposalState.WITHDRAWN,
                            withdrawn_at=utcnow()))
    db.session.commit()
    assert "Old round" not in client.get("/").get_data(as_text=True)
