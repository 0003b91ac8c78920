"""Each kept version of a submitted proposal opens, for its applicant and the lead only, with what changed
from the one before, word by word."""
from __future__ import annotations

import pytest

from portal.auth.models import Role
from portal.extensions import db
from portal.proposals import services
from portal.proposals.diff import Piece, answer_changes, word_diff
from portal.proposals.models import ProposalState
from tests.factories import make_proposal, make_round, make_user


def submitted_twice(applicant):
    round_ = make_round(name="CMALT cohort 2026/27")
    proposal = make_proposal(round_, applicant, state=ProposalState.SUBMITTED,
                             motivation="I want my practice recognised.")
    services.update_submitted(applicant, proposal, {"motivation": "I want my practice recognised and to mentor others.",
                                                   "pathway_id": round_.pathways[2].id,
                                                   "leads_learning_technology": True})
    db.session.commit()
    return proposal


def test_word_diff_marks_added_and_removed_words_and_keeps_the_spacing():
    assert word_diff("one two  three", "one 2  three four") == [
        Piece("same", "one "), Piece("removed", "two"), Piece("added", "2"), Piece("same", "  three"),
        Piece("added", " four")]
    assert "".join(p.text for p in word_diff("a b", "a c") if p.kind != "removed") == "a c"
    first = answer_changes(None, {"motivation": "Text", "consent": True}, {})
    assert not any(change.changed for change in first)  # the first version has nothing to compare with


def test_the_applicant_opens_each_version_with_what_changed(app, client, login):
    me = make_user(name="Vic Version")
    proposal = submitted_twice(me)
    login(me)
    detail = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert f'href="/proposals/{proposal.id}/versions/1"' in detail
    assert f'href="/proposals/{proposal.id}/versions/2"' in detail

    second = client.get(f"/proposals/{proposal.id}/versions/2")
    page = second.get_data(as_text=True)
    assert second.status_code == 200
    assert "<h1>Version 2 of your proposal for CMALT cohort 2026/27</h1>" in page
    assert "What changed from version 1" in page
    assert ('I want my practice <del><span class="visually-hidden">[removed: </span>recognised.'
            '<span class="visually-hidden">]</span></del><ins><span class="visually-hidden">[added: </span>'
            'recognised and to mentor others.<span class="visually-hidden">]</span></ins>') in page
    assert ('<dt>Pathway</dt><dd><p class="word-diff prewrap"><del><span class="visually-hidden">[removed: </span>CMALT'
            '<span class="visually-hidden">]</span></del><ins><span class="visually-hidden">[added: </span>Senior CMALT') in page
    assert "<dt>Leadership, strategy or research responsibilities</dt>" in page
    assert "<dt>Job title</dt><dd><p" not in page  # unchanged answers are not listed as changes
    assert "This is the latest version" in page

    first = client.get(f"/proposals/{proposal.id}/versions/1").get_data(as_text=True)
    assert "What changed from" not in first
    assert "I want my practice recognised.</dd>" in first
    assert "The panel reads the latest version (2)" in first


def test_the_lead_opens_a_version_and_everyone_else_gets_404(app, client, login):
    applicant = make_user()
    proposal = submitted_twice(applicant)
    login(make_user(roles=[Role.LEAD]))
    page = client.get(f"/proposals/{proposal.id}/versions/2").get_data(as_text=True)
    assert f"Version 2 of {applicant.name}&#39;s proposal" in page or f"Version 2 of {applicant.name}'s proposal" in page
    assert client.get(f"/proposals/{proposal.id}/versions/3").status_code == 404
    assert client.get(f"/proposals/{proposal.id}/versions/0").status_code == 404
    assert client.get("/proposals/999999/versions/1").status_code == 404


@pytest.mark.parametrize("roles", [(), (Role.PANEL,), (Role.MENTOR,)])
def test_other_people_cannot_open_a_version(app, client, login, roles):
    proposal = submitted_twice(make_user())
    login(make_user(roles=list(roles)))
    assert client.get(f"/proposals/{proposal.id}/versions/1").status_code == 404
    assert client.get(f"/proposals/{proposal.id}/versions/2").status_code == 404


def test_signed_out_a_version_asks_to_sign_in(app, client):
    proposal = submitted_twice(make_user())
    response = client.get(f"/proposals/{proposal.id}/versions/1")
    assert response.status_code in (302, 303) and "/auth/sign-in" in response.headers["Location"]
