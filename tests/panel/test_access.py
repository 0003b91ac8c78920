"""Role matrix for the panel's pages: who may open each, and that nobody else sees its data."""
from __future__ import annotations

import pytest

from portal.auth.models import Role
from portal.extensions import db
from portal.panel import assigning
from portal.panel.models import PanelMember
from tests.access import LEAD_ONLY, ROLES, assert_access, sign_in_as
from tests.panel.helpers import build_panel, score

PANEL_AND_LEAD = {"panel", "lead"}
MEMBER_ONLY = {"panel"}  # a lead who is not on the round's panel does not score


def _panel(user):
    """A round whose panel includes the signed-in person when they hold the panel role."""
    p = build_panel(members=1, proposals=1)
    p.proposals[0].applicant.name = "Secret Applicant"
    if user is not None and Role.PANEL in user.roles:
        db.session.add(PanelMember(round_id=p.round.id, user_id=user.id))
        db.session.flush()
        assigning.assign(p.lead, p.round)
    score(p.members[0], p.proposals[0], p.criteria, [4, 4, 4, 4], comment="Private comment")
    db.session.commit()
    return {"round": p.round.id, "proposal": p.proposals[0].id, "criterion": p.criteria[0].id}


# (method, url template, roles allowed, text only allowed roles may see, form data)
PAGES = [
    ("GET", "/panel/", PANEL_AND_LEAD, "Selection panel", None),
    ("GET", "/panel/rounds/{round}/setup", LEAD_ONLY, "Panel set-up", None),
    ("GET", "/panel/rounds/{round}/assignments", LEAD_ONLY, "Secret Applicant", None),
    ("GET", "/panel/rounds/{round}/moderation", LEAD_ONLY, "Secret Applicant", None),
    ("GET", "/panel/rounds/{round}/ranking.csv", LEAD_ONLY, "Secret Applicant", None),
    ("GET", "/panel/criteria/{criterion}", LEAD_ONLY, "Edit criterion", None),
    ("GET", "/panel/proposals/{proposal}/decide", LEAD_ONLY, "Private comment", None),
    ("GET", "/panel/outcome/{proposal}", LEAD_ONLY, "Secret Applicant", None),
    ("POST", "/panel/rounds/{round}/settings", LEAD_ONLY, None, {"aggregate": "median", "offer_days": "14"}),
    ("POST", "/panel/rounds/{round}/assign", LEAD_ONLY, None, {}),
    ("POST", "/panel/rounds/{round}/close-scoring", LEAD_ONLY, None, {}),
    ("POST", "/panel/rounds/{round}/remind", LEAD_ONLY, None, {}),
    ("POST", "/panel/rounds/{round}/lapse-offers", LEAD_ONLY, None, {}),
    ("GET", "/panel/rounds/{round}/release", LEAD_ONLY, "Release outcomes to applicants?", None),
    ("POST", "/panel/proposals/{proposal}/decide", LEAD_ONLY, None, {"outcome": "selected", "feedback": "x"}),
    ("GET", "/panel/rounds/{round}/conflicts", MEMBER_ONLY, "Secret Applicant", None),
    ("GET", "/panel/rounds/{round}/queue", MEMBER_ONLY, "Secret Applicant", None),
    ("GET", "/panel/rounds/{round}/my-scores.csv", MEMBER_ONLY, "Secret Applicant", None),
    ("GET", "/panel/proposals/{proposal}/score", MEMBER_ONLY, "Secret Applicant", None),
    ("POST", "/panel/rounds/{round}/conflicts/{proposal}", MEMBER_ONLY, None, {"reason": ""}),
    ("POST", "/panel/proposals/{proposal}/abstain", MEMBER_ONLY, None, {"reason": "Too close"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, url, allowed, secret, data", PAGES, ids=[f"{m} {u}" for m, u, *_ in PAGES])
def test_panel_role_matrix(client, login_as, role, method, url, allowed, secret, data):
    user = sign_in_as(login_as, role)
    target = url.format(**_panel(user))
    response = client.get(target) if method == "GET" else client.post(target, data=data)
    assert_access(response, role, allowed, secret)


@pytest.mark.parametrize("role", ["staff", "panel", "mentor", "lead"])
def test_nav_shows_panel_to_panel_members_and_leads_only(client, login_as, role):
    sign_in_as(login_as, role)
    body = client.get("/").get_data(as_text=True)
    assert ('href="/panel/"' in body) == (role in {"panel", "lead"})
