"""Role matrix for the mentoring pages."""
from __future__ import annotations

import pytest

from portal.auth.models import Role
from portal.extensions import db
from portal.mentoring.pairings import confirm_round, run_matching
from portal.mentoring.register import share_example
from tests.access import LEAD_ONLY, ROLES, SIGNED_IN, assert_access
from tests.factories import make_cohort_round, make_mentor, make_participant, make_user
from tests.mentoring.test_services import PDF


def _round_id():
    round_ = make_cohort_round(name="Secret Cohort")
    make_participant(round_, name="Private Participant")
    return round_.id


def _someone_elses_pairing():
    lead = make_user(roles=[Role.LEAD])
    round_ = make_cohort_round()
    make_participant(round_, name="Private Participant")
    make_mentor()
    run_matching(lead, round_)
    pairing = confirm_round(lead, round_)[0]
    db.session.commit()
    return pairing.id


def _example_id():
    example = share_example(make_user(), pathway_id=None, job_role="Lecturer", specialist_areas="",
                                      summary="Private summary", pdf=PDF, filename="x.pdf")
    db.session.commit()
    return example.id


def _volunteer_id():
    return make_mentor(name="Volunteer Vic", approved=False).id


MENTORS_AND_LEAD = {"mentor", "lead"}

PAGES = [
    ("GET", "/mentoring/", None, SIGNED_IN, "Portfolio register"),
    ("GET", "/mentoring/volunteer", None, SIGNED_IN, "Award you hold"),
    ("GET", "/mentoring/my", None, SIGNED_IN, "My mentor and progress"),
    ("GET", "/mentoring/register", None, SIGNED_IN, "Portfolio register"),
    ("GET", "/mentoring/register/{id}/file", _example_id, SIGNED_IN, None),
    ("GET", "/mentoring/register/new", None, MENTORS_AND_LEAD, "Share an example portfolio"),
    ("GET", "/mentoring/dashboard", None, MENTORS_AND_LEAD, "Mentor dashboard"),
    ("GET", "/mentoring/matching", _round_id, LEAD_ONLY, "Secret Cohort"),
    ("GET", "/mentoring/matching/{id}", _round_id, LEAD_ONLY, "Private Participant"),
    ("POST", "/mentoring/matching/{id}/run", _round_id, LEAD_ONLY, None),
    ("POST", "/mentoring/matching/{id}/confirm", _round_id, LEAD_ONLY, None),
    ("GET", "/mentoring/mentors", None, LEAD_ONLY, "Reciprocity"),
    ("POST", "/mentoring/mentors/{id}/approve", _volunteer_id, LEAD_ONLY, None),
    ("GET", "/mentoring/pairings/{id}", _someone_elses_pairing, LEAD_ONLY, "Private Participant"),
    ("GET", "/mentoring/pairings/{id}/swap", _someone_elses_pairing, LEAD_ONLY, "Private Participant"),
    ("POST", "/mentoring/pairings/{id}/swap", _someone_elses_pairing, LEAD_ONLY, None),
    ("POST", "/mentoring/pairings/{id}/outcome", _someone_elses_pairing, LEAD_ONLY, None),
    ("POST", "/mentoring/pairings/{id}/end", _someone_elses_pairing, LEAD_ONLY, None),
]


def _sign_in(login_as, role):
    if role == "anonymous":
        return None
    return login_as(*([] if role == "staff" else [Role(role)]), name=f"Signed-in {role}")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, url, setup, allowed, secret", PAGES, ids=[f"{m} {u}" for m, u, *_ in PAGES])
def test_mentoring_role_matrix(client, login_as, role, method, url, setup, allowed, secret):
    _sign_in(login_as, role)
    target = url.format(id=setup()) if setup else url
    if method == "GET":
        response = client.get(target)
    else:
        response = client.post(target, data={"outcome": "", "reason": "Not working"})
    assert_access(response, role, allowed, secret)
