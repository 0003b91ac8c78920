"""The round's page and the list of rounds send the same number of statements whatever the round holds."""
from __future__ import annotations

from datetime import timedelta

from portal.auth.models import Role
from portal.extensions import db
from portal.panel.models import Criterion, PanelMember
from portal.schedule.models import Audience
from tests.factories import make_proposal, make_round, make_session, make_user
from tests.query_counts import MOST_QUERIES, page_queries


def _fill(round_, n: int) -> None:
    for i in range(n):
        make_session(kind="intro", round_id=round_.id, starts_at=round_.closes_at - timedelta(days=2, hours=i))
        make_session(round_id=round_.id, audience=Audience.COHORT, starts_at=round_.closes_at + timedelta(days=10 + i))
        make_proposal(round_)
        db.session.add_all([PanelMember(round_id=round_.id, user_id=make_user(roles=[Role.PANEL]).id),
                            Criterion(round_id=round_.id, name=f"Criterion {i}")])
    db.session.commit()


def test_the_round_page_and_list_send_the_same_queries_for_an_empty_or_a_busy_round(app, client, login_as):
    login_as(Role.LEAD)
    quiet, busy = make_round(intro_required=True), make_round(intro_required=True)
    _fill(busy, 6)
    ids = (quiet.id, busy.id)
    for page in ("/rounds/{id}", "/rounds/{id}/close"):
        counts = [page_queries(client, page.format(id=i)) for i in ids]
        assert counts[0] == counts[1] <= MOST_QUERIES, (page, counts)
    assert page_queries(client, "/rounds/") <= MOST_QUERIES
