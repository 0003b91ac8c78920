"""Panel pages through the test client: conflicts respected on every URL, blind scoring, saves, moderation, outcomes."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from portal.auth.models import Role
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.panel import assigning, conflicts, deciding, moderation_views, queries, reviewing, setting_up
from portal.panel.models import Criterion
from portal.proposals.models import ProposalState
from tests.factories import make_panel_proposal, make_user
from tests.panel.helpers import build_panel, client_for, score
from tests.query_counts import MOST_QUERIES, page_queries

HX = {"HX-Request": "true"}


def _client_for(app, login, user):
    return client_for(app, login, user)


def _form(criteria, values, comment=""):
    data = {f"criterion_{c.id}": str(v) for c, v in zip(criteria, values) if v is not None}
    data["comment"] = comment
    return data


def test_a_conflicted_member_cannot_reach_the_proposal_or_its_scores_by_any_url(app, login):
    p = build_panel(members=3, proposals=2)
    a, b, conflicted = p.members
    secret, other = p.proposals
    secret.applicant.name = "Secret Applicant"
    secret.motivation = "Private motivation text"
    db.session.commit()
    score(a, secret, p.criteria, [5, 5, 5, 5], comment="Glowing comment")
    score(conflicted, secret, p.criteria, [1, 1, 1, 1], comment="Conflicted comment")
    client = _client_for(app, login, conflicted)

    response = client.post(f"/panel/rounds/{p.round.id}/conflicts/{secret.id}", data={"reason": "Close friend"})
    assert response.status_code == 303
    assert conflicts.conflict_for(conflicted, secret, queries.settings_for(p.round)) == ("declared", "Close friend")

    for url in (f"/panel/proposals/{secret.id}/score", f"/panel/proposals/{secret.id}/decide",
                f"/panel/outcome/{secret.id}"):
        assert client.get(url).status_code in (403, 404), url
    assert client.post(f"/panel/proposals/{secret.id}/score",
                       data=_form(p.criteria, [5, 5, 5, 5])).status_code == 404
    assert client.post(f"/panel/proposals/{secret.id}/abstain", data={"reason": "x"}).status_code == 404
    for url in (f"/panel/rounds/{p.round.id}/moderation", f"/panel/rounds/{p.round.id}/ranking.csv",
                f"/panel/rounds/{p.round.id}/assignments"):
        assert client.get(url).status_code == 403, url

    queue = client.get(f"/panel/rounds/{p.round.id}/queue").get_data(as_text=True)
    assert f"/panel/proposals/{secret.id}/score" not in queue
    assert "1 of 1 scored" not in queue and "0 of 1 scored" in queue
    export = client.get(f"/panel/rounds/{p.round.id}/my-scores.csv").get_data(as_text=True)
    assert "Secret Applicant" not in export and other.applicant.name in export
    # Scoring the other proposal unblinds it, and shows nothing of the secret one.
    client.post(f"/panel/proposals/{other.id}/score", data=_form(p.criteria, [3, 3, 3, 3]))
    page = client.get(f"/panel/proposals/{other.id}/score").get_data(as_text=True)
    assert "Glowing comment" not in page and "Private motivation text" not in page

    # The lead's table and export leave the conflicted score out of everything.
    lead = _client_for(app, login, p.lead)
    table = lead.get(f"/panel/rounds/{p.round.id}/moderation").get_data(as_text=True)
    assert "Conflicted comment" not in table
    rows = list(csv.reader(io.StringIO(lead.get(f"/panel/rounds/{p.round.id}/ranking.csv").get_data(as_text=True)
                                       .lstrip("\ufeff"))))
    header = rows[0]
    secret_row = next(r for r in rows if r[1] == "Secret Applicant")
    assert secret_row[header.index(f"{conflicted.name} total")] == "conflict"
    assert secret_row[header.index("Total (mean)")] == "100.0"


def test_scoring_is_blind_until_your_own_scores_are_in(app, login):
    p = build_panel(members=2, proposals=1)
    a, b = p.members
    prop = p.proposals[0]
    score(a, prop, p.criteria, [4, 4, 4, 4], comment="Member A thinks it is strong")
    client = _client_for(app, login, b)
    url = f"/panel/proposals/{prop.id}/score"
    page = client.get(url).get_data(as_text=True)
    assert "Member A thinks it is strong" not in page and "Hidden until you have scored every criterion" in page

    partial = client.post(url, data=_form(p.criteria, [2, 2, None, None]), headers={**HX, "HX-Target": f"panel-score-{prop.id}"})
    body = partial.get_data(as_text=True)
    assert partial.status_code == 200 and "some criteria still need a score" in body
    assert "Member A thinks it is strong" not in body and "<html" not in body

    full = client.post(url, data=_form(p.criteria, [2, 2, 2, 2], "mine"), headers={**HX, "HX-Target": f"panel-score-{prop.id}"})
    body = full.get_data(as_text=True)
    assert "You can now see the other panel members’ scores." in body
    assert "Member A thinks it is strong" in body


def test_closing_scoring_unblinds_everyone(app, login):
    p = build_panel(members=2, proposals=1)
    a, b = p.members
    score(a, p.proposals[0], p.criteria, [4, 4, 4, 4], comment="View of A")
    client = _client_for(app, login, b)
    assert "View of A" not in client.get(f"/panel/proposals/{p.proposals[0].id}/score").get_data(as_text=True)
    reviewing.close_scoring(p.lead, p.round)
    db.session.commit()
    page = client.get(f"/panel/proposals/{p.proposals[0].id}/score").get_data(as_text=True)
    assert "View of A" in page and "Scoring is closed" in page


def test_no_js_save_redirects_with_a_message_and_bad_values_change_nothing(app, login):
    p = build_panel(members=1, proposals=1)
    prop = p.proposals[0]
    client = _client_for(app, login, p.members[0])
    url = f"/panel/proposals/{prop.id}/score"
    response = client.post(url, data=_form(p.criteria, [5, 4, 3, 2], "Good"))
    assert response.status_code == 303 and response.headers["Location"].endswith(url)
    assert "Scores saved." in client.get(url).get_data(as_text=True)
    bad = client.post(url, data={**_form(p.criteria, [5, 4, 3, 2]), f"criterion_{p.criteria[0].id}": "7"})
    assert bad.status_code == 422
    assert "Not a valid choice" in bad.get_data(as_text=True)
    assert queries.values_of_proposal(prop.id)[p.members[0].id][p.criteria[0].id] == 5
    queue = client.get(f"/panel/rounds/{p.round.id}/queue").get_data(as_text=True)
    assert "1 of 1 scored" in queue


def test_scores_are_refused_after_release(app, login):
    p = build_panel(members=1, proposals=1)
    prop = p.proposals[0]
    score(p.members[0], prop, p.criteria, [3, 3, 3, 3])
    deciding.decide(p.lead, prop, outcome="selected", feedback="")
    deciding.release(p.lead, p.round, override_open_scoring=True)
    db.session.commit()
    client = _client_for(app, login, p.members[0])
    response = client.post(f"/panel/proposals/{prop.id}/score", data=_form(p.criteria, [5, 5, 5, 5]),
                           headers={**HX, "HX-Target": f"panel-score-{prop.id}"})
    assert response.status_code in (200, 409)
    assert set(queries.values_of_proposal(prop.id)[p.members[0].id].values()) == {3}


def test_abstain_reason_is_shown_to_the_lead_only(app, login):
    p = build_panel(members=2, proposals=1)
    a, b = p.members
    prop = p.proposals[0]
    client = _client_for(app, login, b)
    assert client.post(f"/panel/proposals/{prop.id}/abstain", data={"reason": "We share an office"}).status_code == 303
    score(a, prop, p.criteria, [4, 4, 4, 4])
    member_view = _client_for(app, login, a).get(f"/panel/proposals/{prop.id}/score").get_data(as_text=True)
    assert "Abstained" in member_view and "We share an office" not in member_view
    lead_view = _client_for(app, login, p.lead).get(f"/panel/proposals/{prop.id}/decide").get_data(as_text=True)
    assert "Abstained: We share an office" in lead_view


def test_moderation_table_shows_totals_spread_chart_and_flags(app, login):
    p = build_panel(members=3, proposals=1)
    a, b, c = p.members
    prop = p.proposals[0]
    score(a, prop, p.criteria, [4, 4, 3, 1])
    score(b, prop, p.criteria, [2, 4, 4, 5])
    client = _client_for(app, login, p.lead)
    page = client.get(f"/panel/rounds/{p.round.id}/moderation").get_data(as_text=True)
    assert "68.3" in page          # mean of 76.67 and 60.00
    assert "8.3" in page           # population SD
    assert "Disagreement</span> on Clarity of the role, Would need extra support" in page
    assert '<span class="badge badge-warn">missing</span>' in page  # Member C
    assert "Remind 1 member(s) with missing scores" in page
    assert "<title id=\"spread-title-%d\">Spread of scores for %s</title>" % (prop.id, prop.applicant.name) in page
    assert "Reviewer totals out of 100: 77, 60; mean 68.3." in page
    calibrated = client.get(f"/panel/rounds/{p.round.id}/moderation?view=calibrated").get_data(as_text=True)
    assert "Calibrated (z)" in calibrated


def test_with_nothing_missing_there_is_nobody_to_remind(app, login):
    p = build_panel(members=2, proposals=1)
    score(p.members[0], p.proposals[0], p.criteria, [3, 3, 3, 3])
    reviewing.abstain(p.members[1], p.proposals[0], "Former colleague")
    db.session.commit()
    page = _client_for(app, login, p.lead).get(f"/panel/rounds/{p.round.id}/moderation").get_data(as_text=True)
    assert "Every member has scored or abstained on everything assigned to them." in page
    assert "with missing scores" not in page
    # Before anyone is assigned there is nothing to remind of, and nothing scored to speak of.
    empty = build_panel(members=2, proposals=1, assign=False)
    page = _client_for(app, login, empty.lead).get(f"/panel/rounds/{empty.round.id}/moderation").get_data(as_text=True)
    assert "with missing scores" not in page and "Every member has scored" not in page


def test_ranking_csv_has_a_bom_and_neutralises_formulas(app, login):
    p = build_panel(members=1, proposals=1)
    prop = p.proposals[0]
    prop.applicant.name = "=HYPERLINK(\"http://evil\")"
    db.session.commit()
    score(p.members[0], prop, p.criteria, [5, 5, 5, 5])
    response = _client_for(app, login, p.lead).get(f"/panel/rounds/{p.round.id}/ranking.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[1][:2] == ["1", "'=HYPERLINK(\"http://evil\")"]
    assert rows[1][5] == "100.0"


def test_decision_over_funding_asks_for_confirmation_then_saves(app, login):
    p = build_panel(members=1, proposals=2, funded_places=1)
    first, second = p.proposals
    client = _client_for(app, login, p.lead)
    target = {**HX, "HX-Target": f"panel-decision-{first.id}"}
    ok = client.post(f"/panel/proposals/{first.id}/decide", data={"outcome": "selected", "feedback": "Yes"}, headers=target)
    assert ok.status_code == 200 and "1 used of 1" in ok.get_data(as_text=True)
    over = client.post(f"/panel/proposals/{second.id}/decide", data={"outcome": "selected", "feedback": ""},
                       headers={**HX, "HX-Target": f"panel-decision-{second.id}"})
    body = over.get_data(as_text=True)
    assert over.status_code == 409
    assert "all 1 funded places are already taken" in body and 'name="confirm"' in body
    assert queries.decision_for(second.id) is None
    confirmed = client.post(f"/panel/proposals/{second.id}/decide",
                            data={"outcome": "selected", "feedback": "", "confirm": "y"})
    assert confirmed.status_code == 303
    assert "2 used of 1, <strong class=\"over\">-1 left</strong>" in \
        client.get(f"/panel/rounds/{p.round.id}/moderation").get_data(as_text=True)


def test_outcome_page_release_and_decline_through_the_web(app, login):
    p = build_panel(members=1, proposals=2)
    chosen, waiting = p.proposals
    deciding.decide(p.lead, chosen, outcome="selected", feedback="Strong proposal")
    deciding.decide(p.lead, waiting, outcome="waitlisted", feedback="Nearly")
    db.session.commit()
    applicant = _client_for(app, login, chosen.applicant)
    assert "has not released its outcomes yet" in applicant.get(f"/panel/outcome/{chosen.id}").get_data(as_text=True)
    assert _client_for(app, login, make_user()).get(f"/panel/outcome/{chosen.id}").status_code == 404

    lead = _client_for(app, login, p.lead)
    assert lead.post(f"/panel/rounds/{p.round.id}/release",
                     data={"applicants": "2", "override_open_scoring": "y"}).status_code == 303
    page = applicant.get(f"/panel/outcome/{chosen.id}").get_data(as_text=True)
    assert "Strong proposal" in page and "Decline my place" in page
    assert applicant.post(f"/panel/outcome/{chosen.id}/decline", data={"confirm": "decline"}).status_code == 303
    db.session.expire_all()
    assert chosen.state == ProposalState.DECLINED and waiting.state == ProposalState.SELECTED
    offer = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "panel.offer")).one()
    assert offer.recipient == waiting.applicant.email
    promoted = _client_for(app, login, waiting.applicant).get(f"/panel/outcome/{waiting.id}").get_data(as_text=True)
    assert "Please answer by" in promoted and "Accept my place" in promoted


def test_lead_sets_up_members_rubric_and_assignment(app, login):
    p = build_panel(members=0, proposals=2, rubric=[], assign=False)
    people = [make_user(roles=["panel"], name=f"Reviewer {i}") for i in range(2)]
    staff = make_user(name="Not on the panel role")
    client = _client_for(app, login, p.lead)
    url = f"/panel/rounds/{p.round.id}"
    assert client.post(f"{url}/members", data={"members": [staff.id]}).status_code == 422
    assert client.post(f"{url}/members", data={"members": [x.id for x in people]}).status_code == 303
    assert [m.name for m in queries.members(p.round.id)] == ["Reviewer 0", "Reviewer 1"]
    response = client.post(f"{url}/criteria", data={"name": "Clarity", "description": "How clear", "weight": "3",
                                                    "counted_in_total": "y", "label_1": "Unclear", "label_5": "Crystal"})
    assert response.status_code == 303
    criterion = db.session.scalars(select(Criterion)).one()
    assert (criterion.weight, criterion.labels[0], criterion.labels[4]) == (3, "Unclear", "Crystal")
    assert client.post(f"{url}/criteria", data={"name": "", "weight": "x"}).status_code == 422
    assert client.post(f"{url}/settings", data={"aggregate": "median", "reviewers_per_proposal": "1",
                                                "offer_days": "10"}).status_code == 303
    assert client.post(f"{url}/assign").status_code == 303
    assert len(queries.assignments(p.round.id)) == 2
    setup = client.get(f"{url}/setup").get_data(as_text=True)
    assert "1 reviewer(s) each" in setup and "Add a criterion" in setup

    score(people[0], next(x for x in p.proposals if queries.is_assigned(x.id, people[0].id)), [criterion], [4])
    setup = client.get(f"{url}/setup").get_data(as_text=True)
    assert "The rubric is fixed" in setup and "Add a criterion" not in setup
    refused = client.post(f"{url}/criteria", data={"name": "Late", "weight": "1"})
    assert refused.status_code == 422 and "fixed once the first score" in refused.get_data(as_text=True)


def test_lead_adjusts_an_assignment_inline(app, login):
    p = build_panel(members=2, proposals=1, assign=False)
    a = p.members[0]
    client = _client_for(app, login, p.lead)
    prop = p.proposals[0]
    response = client.post(f"/panel/proposals/{prop.id}/assign/{a.id}", headers={**HX, "HX-Target": f"panel-assign-{prop.id}"})
    body = response.get_data(as_text=True)
    assert body.startswith(f'<tr id="panel-assign-{prop.id}">')
    assert f"Member A now reviews {prop.applicant.name}’s proposal." in body
    assert queries.is_assigned(prop.id, a.id)


def test_reminder_button_reports_how_many(app, login):
    p = build_panel(members=2, proposals=1)
    score(p.members[0], p.proposals[0], p.criteria, [3, 3, 3, 3])
    client = _client_for(app, login, p.lead)
    response = client.post(f"/panel/rounds/{p.round.id}/remind", follow_redirects=True)
    assert "Reminders queued for 1 panel member(s)." in response.get_data(as_text=True)
    assert [m.recipient for m in db.session.scalars(select(OutboxMessage))] == [p.members[1].email]


def test_proposal_not_assigned_is_not_found_for_a_member(app, login):
    p = build_panel(members=2, proposals=1, assign=False)
    other_round = build_panel(members=1, proposals=1)
    client = _client_for(app, login, p.members[0])
    assert client.get(f"/panel/proposals/{p.proposals[0].id}/score").status_code == 404
    assert client.get(f"/panel/proposals/{other_round.proposals[0].id}/score").status_code == 404
    assert client.get(f"/panel/rounds/{other_round.round.id}/queue").status_code == 404
    draft = make_panel_proposal(p.round, state="draft")
    assert client.get(f"/panel/proposals/{draft.id}/score").status_code == 404


@pytest.mark.parametrize("page", [
    lambda p: f"/panel/rounds/{p.round.id}/moderation?view=calibrated",
    lambda p: f"/panel/proposals/{p.proposals[1].id}/decide",
], ids=["moderation", "decide"])
def test_lead_pages_queries_do_not_grow_with_the_number_of_proposals(app, login, page):
    counts = []
    for size in (2, 10):
        p = build_panel(members=3, proposals=size)
        for prop in p.proposals:
            for member in p.members:
                score(member, prop, p.criteria, [3, 4, 2, 5], comment="c")
        deciding.decide(p.lead, p.proposals[0], outcome="waitlisted", feedback="")
        deciding.decide(p.lead, p.proposals[1], outcome="selected", feedback="Welcome")
        db.session.commit()
        client = client_for(app, login, p.lead)
        counts.append(page_queries(client, page(p)))
    assert counts[0] == counts[1] <= MOST_QUERIES


def test_the_ranked_table_refreshes_itself_as_a_fragment(app, login):
    p = build_panel(members=1, proposals=1)
    client = client_for(app, login, p.lead)
    page = client.get(f"/panel/rounds/{p.round.id}/moderation").get_data(as_text=True)
    assert 'data-hx-trigger="every 30s"' in page
    score(p.members[0], p.proposals[0], p.criteria, [5, 5, 5, 5])
    fragment = client.get(f"/panel/rounds/{p.round.id}/moderation",
                          headers={**HX, "HX-Target": "panel-ranked-table"}).get_data(as_text=True)
    assert fragment.startswith('<div id="panel-ranked-table"') and "100.0" in fragment and "<h1>" not in fragment


def test_a_lead_on_the_panel_with_a_conflict_sees_nothing_of_that_proposals_scores(app, login):
    lead_member = make_user(roles=[Role.LEAD, Role.PANEL], name="Lead Member")
    p = build_panel(members=2, proposals=2, lead=lead_member)
    setting_up.set_members(lead_member, p.round, {m.id for m in p.members} | {lead_member.id})
    hidden, shown = p.proposals
    assigning.declare_conflict(lead_member, hidden, "Former student")
    db.session.commit()
    score(p.members[0], hidden, p.criteria, [5, 5, 5, 5], comment="Comment on the hidden one")
    score(p.members[0], shown, p.criteria, [3, 3, 3, 3], comment="Comment on the shown one")
    client = client_for(app, login, lead_member)
    table = client.get(f"/panel/rounds/{p.round.id}/moderation").get_data(as_text=True)
    assert "your conflict" in table and "100.0" not in table and "60.0" in table
    assert client.get(f"/panel/proposals/{hidden.id}/decide").status_code == 404
    assert client.post(f"/panel/proposals/{hidden.id}/decide", data={"outcome": "selected"}).status_code == 404
    assert "Comment on the shown one" in client.get(f"/panel/proposals/{shown.id}/decide").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(client.get(f"/panel/rounds/{p.round.id}/ranking.csv")
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    hidden_row = next(r for r in rows if r[1] == hidden.applicant.name)
    assert hidden_row[0] == "" and hidden_row[5] == "" and set(hidden_row[10:13]) == {""}
    assert queries.decision_for(hidden.id) is None


def test_a_long_queue_is_paged_and_filtered_with_progress_over_all_of_it(app, login):
    p = build_panel(members=1, proposals=53, rubric=[("Clarity", 1, True)])
    member = p.members[0]
    for prop in p.proposals[:3]:
        score(member, prop, p.criteria, [4])
    client = client_for(app, login, member)
    first = client.get(f"/panel/rounds/{p.round.id}/queue").get_data(as_text=True)
    assert "3 of 53 scored" in first and "Page 1 of 2 (53 in all)" in first
    assert first.count('/score">') == 50
    second = client.get(f"/panel/rounds/{p.round.id}/queue?page=2").get_data(as_text=True)
    assert second.count('/score">') == 3 and f"/panel/proposals/{p.proposals[-1].id}/score" in second
    scored = client.get(f"/panel/rounds/{p.round.id}/queue?show=scored",
                        headers={**HX, "HX-Target": "panel-queue-table"}).get_data(as_text=True)
    assert scored.startswith('<div id="panel-queue-table"') and scored.count('/score">') == 3
    assert scored.count("Scored</span>") == 3 and "Not started" not in scored
    to_score = client.get(f"/panel/rounds/{p.round.id}/queue?show=to-score").get_data(as_text=True)
    assert "Page 1 of 1 (50 in all)" not in to_score and to_score.count('/score">') == 50
    # A made-up filter or page shows the whole list's first or last page, never an error.
    assert client.get(f"/panel/rounds/{p.round.id}/queue?show=nonsense&page=99").status_code == 200


def test_next_proposal_skips_to_the_next_one_still_to_score(app, login):
    p = build_panel(members=1, proposals=4, rubric=[("Clarity", 1, True)])
    member = p.members[0]
    first, done, todo, _last = p.proposals
    score(member, done, p.criteria, [4])
    client = client_for(app, login, member)
    page = client.get(f"/panel/proposals/{first.id}/score").get_data(as_text=True)
    assert f'href="/panel/proposals/{todo.id}/score">Next proposal' in page


def test_the_moderation_table_is_paged_in_rank_order_with_details_on_the_page(app, login):
    per_page = moderation_views.MODERATION_PER_PAGE
    p = build_panel(members=2, proposals=per_page + 5, rubric=[("Clarity", 1, True), ("Fit", 1, True)])
    a, b = p.members
    for i, prop in enumerate(p.proposals[1:]):
        points = 2 + i % 4  # totals of 40 to 100
        score(a, prop, p.criteria, [points, points])
        score(b, prop, p.criteria, [points, points])
    score(a, p.proposals[0], p.criteria, [1, 3])  # 40
    score(b, p.proposals[0], p.criteria, [1, 1])  # 20: the lowest mean, and a disagreement on Fit
    client = client_for(app, login, p.lead)
    first = client.get(f"/panel/rounds/{p.round.id}/moderation").get_data(as_text=True)
    everyone = per_page + 5
    assert f"1–{per_page} of {everyone}" in first and f"Page 1 of 2 ({everyone} in all)" in first
    assert first.count('<tr id="panel-row-') == per_page
    second = client.get(f"/panel/rounds/{p.round.id}/moderation?page=2").get_data(as_text=True)
    assert second.count('<tr id="panel-row-') == 5 and f"{per_page + 1}–{everyone} of {everyone}" in second
    assert f'id="panel-row-{p.proposals[0].id}"' not in first
    assert f'id="panel-row-{p.proposals[0].id}"' in second and "Disagreement</span> on Fit" in second
    refresh = client.get(f"/panel/rounds/{p.round.id}/moderation?page=2",
                         headers={**HX, "HX-Target": "panel-ranked-table"}).get_data(as_text=True)
    assert 'data-hx-get="/panel/rounds/%d/moderation?page=2"' % p.round.id in refresh
