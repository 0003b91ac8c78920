"""In chromium: a lead's draft round page is a set-up checklist; scheduling it with something missing is refused
with the list of what is missing, and once that is fixed the round is scheduled and says when it opens."""
from __future__ import annotations

from datetime import timedelta

import pytest

from portal.auth.models import Role
from portal.db_types import utcnow
from portal.extensions import db
from portal.rounds.models import Round, RoundState
from tests.factories import DEFAULT_PASSWORD, make_round, make_session, make_user

pytestmark = pytest.mark.browser


def _sign_in(page, user):
    page.goto("/auth/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/auth/sign-in" not in url)


def test_the_checklist_refuses_to_schedule_listing_what_is_missing_then_schedules(app, page):
    lead = make_user(roles=[Role.LEAD])
    now = utcnow()
    round_ = make_round(state=RoundState.DRAFT, intro_required=True, name="Spring call",
                        opens_at=now + timedelta(days=3), closes_at=now + timedelta(days=30))
    _sign_in(page, lead)
    page.goto(f"/rounds/{round_.id}")
    checklist = page.locator("#rounds-checklist")
    assert checklist.locator("#rounds-step-pathways .badge").inner_text() == "Done"
    assert checklist.locator("#rounds-step-intro .badge").inner_text() == "To do"
    assert checklist.locator("#rounds-step-panel .badge").inner_text() == "To do"
    assert page.get_by_role("link", name="Schedule an intro session for Spring call").get_attribute("href") == \
        "/schedule/manage/new"
    assert page.get_by_role("link", name="Set up the panel for Spring call").get_attribute("href") == \
        f"/panel/rounds/{round_.id}/setup"

    page.get_by_role("button", name="Schedule the round").click()
    alert = page.get_by_role("alert")
    alert.get_by_text("This round cannot be scheduled yet").wait_for()
    assert "none they can book is scheduled before the closing time" in alert.inner_text()
    db.session.expire_all()
    assert db.session.get(Round, round_.id).state == RoundState.DRAFT

    make_session(kind="intro", round_id=round_.id, starts_at=now + timedelta(days=5))
    page.goto(f"/rounds/{round_.id}")
    assert checklist.locator("#rounds-step-intro .badge").inner_text() == "Done"
    page.get_by_role("button", name="Schedule the round").click()
    page.get_by_text("“Spring call” is scheduled: staff can see it now").wait_for()
    assert "Proposals open at" in page.locator("#rounds-status-%d" % round_.id).inner_text()
    assert page.get_by_role("button", name="Back to draft").is_visible()
    db.session.expire_all()
    assert db.session.get(Round, round_.id).state == RoundState.SCHEDULED
