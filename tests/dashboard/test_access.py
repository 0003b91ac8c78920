"""Role matrix for the dashboard, its exports and "My data"."""
from __future__ import annotations

import pytest

from tests.access import LEAD_ONLY, ROLES, SIGNED_IN, assert_access, sign_in_as
from tests.dashboard.cohort import build_cohort


def _round_id():
    return build_cohort().round.id


PAGES = [
    ("GET", "/dashboard/", _round_id, LEAD_ONLY, "Applicant 2"),
    ("GET", "/dashboard/rounds/{id}", _round_id, LEAD_ONLY, "Applicant 2"),
    ("GET", "/dashboard/years", _round_id, LEAD_ONLY, "Cohort 2026"),
    ("GET", "/dashboard/rounds/{id}/report", _round_id, LEAD_ONLY, "Cohort 2026"),
    ("GET", "/dashboard/rounds/{id}/export/proposals.csv", _round_id, LEAD_ONLY, "Applicant 2"),
    ("GET", "/dashboard/rounds/{id}/export/pairings.csv", _round_id, LEAD_ONLY, "Morag Mentor"),
    ("GET", "/my-data/", _round_id, SIGNED_IN, None),
    ("GET", "/my-data/export.json", _round_id, SIGNED_IN, None),
    ("GET", "/my-data/reminders", None, SIGNED_IN, None),
    ("POST", "/my-data/reminders", None, SIGNED_IN, None),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, url, setup, allowed, secret", PAGES, ids=[f"{m} {u}" for m, u, *_ in PAGES])
def test_role_matrix(client, login_as, role, method, url, setup, allowed, secret):
    sign_in_as(login_as, role)
    target = url.format(id=setup()) if setup else url
    response = client.get(target) if method == "GET" else client.post(target, data={})
    assert_access(response, role, allowed, secret)
    if role in SIGNED_IN and url.startswith("/my-data/") and method == "GET":
        # Everyone's own data page never shows the cohort's people.
        assert "Applicant 2" not in response.get_data(as_text=True)
