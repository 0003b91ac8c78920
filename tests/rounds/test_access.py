"""Role matrix for the rounds pages: the lead manages; staff read open rounds."""
from __future__ import annotations

import pytest

from portal.rounds.models import RoundState
from tests.access import LEAD_ONLY, ROLES, SIGNED_IN, assert_access, sign_in_as
from tests.factories import make_round, make_scheme


def _round_id():
    return make_round(name="Secret-free open round").id


def _draft_round_id():
    return make_round(state=RoundState.DRAFT, name="Unannounced draft round").id


def _scheme_id():
    return make_scheme(name="Scheme under edit").id


def _pathway_id():
    return make_scheme().pathways[0].id


PAGES = [
    ("GET", "/rounds/", None, LEAD_ONLY, "Create a round"),
    ("GET", "/rounds/new", None, LEAD_ONLY, "Opening and closing"),
    ("GET", "/rounds/{id}/edit", _round_id, LEAD_ONLY, "Word limits"),
    ("POST", "/rounds/{id}/state", _round_id, LEAD_ONLY, None),
    ("GET", "/rounds/{id}/close", _round_id, LEAD_ONLY, "Close the round now"),
    ("POST", "/rounds/{id}/close", _round_id, LEAD_ONLY, None),
    ("GET", "/rounds/schemes", None, LEAD_ONLY, "Schemes and pathways"),
    ("GET", "/rounds/schemes/new", None, LEAD_ONLY, "Add a scheme"),
    ("GET", "/rounds/schemes/{id}/edit", _scheme_id, LEAD_ONLY, "Scheme under edit"),
    ("GET", "/rounds/schemes/{id}/pathways/new", _scheme_id, LEAD_ONLY, "Add a pathway"),
    ("GET", "/rounds/pathways/{id}/edit", _pathway_id, LEAD_ONLY, "Registration fee"),
    ("GET", "/rounds/{id}", _round_id, SIGNED_IN, "Pathways on offer"),
    ("GET", "/rounds/{id}", _draft_round_id, LEAD_ONLY, "Unannounced draft round"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, url, setup, allowed, secret", PAGES, ids=[f"{m} {u} {i}" for i, (m, u, *_) in enumerate(PAGES)])
def test_rounds_role_matrix(client, login_as, role, method, url, setup, allowed, secret):
    sign_in_as(login_as, role)
    target = url.format(id=setup()) if setup else url
    if method == "GET":
        response = client.get(target)
    else:
        response = client.post(target, data={"to": "closed"})
    assert_access(response, role, allowed, secret)
