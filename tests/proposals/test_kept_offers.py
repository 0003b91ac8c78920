"""Kept text is offered on the form itself, answer by answer, wherever its owner signs in (compare, use it,
discard); a change refused once the round has closed says so and links to where the kept text can be read and
copied, and the message goes once the text is discarded."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from portal.db_types import utcnow
from portal.extensions import db
from portal.proposals import services
from portal.proposals.models import PendingDraft, ProposalState
from tests.factories import make_proposal, make_round, make_user
from tests.proposals.test_views import htmx, served_for

KEPT = "Written on the train after my sign-in expired: a new paragraph about the VLE pilot."


def kept_row():
    db.session.expire_all()
    return db.session.scalars(select(PendingDraft)).one_or_none()


def signed_out_post(app, client, login, me, proposal, **answers):
    """Post from the owner's edit page after the sign-in expired (another device's browser, say)."""
    login(me)
    stamp = served_for(client, proposal)
    client.delete_cookie("session")
    data = {"action": "save", "csrf_token": "expired", "served_for": stamp, **answers}
    return client.post(f"/proposals/{proposal.id}/edit", data=data, csrf=False)


def test_text_kept_while_signed_out_is_offered_beside_its_answer_on_another_device(app, client, login):
    me = make_user()
    proposal = make_proposal(make_round(), me, complete=False, motivation="My first draft.")
    signed_out_post(app, client, login, me, proposal, motivation=KEPT)
    assert kept_row().user_id == me.id

    other_device = app.test_client()
    login(me, target=other_device)
    page = other_device.get(f"/proposals/{proposal.id}/edit").get_data(as_text=True)
    assert "You have text kept from" in page
    assert f'id="proposals-kept-{proposal.id}-motivation"' in page
    assert f'id="proposals-kept-{proposal.id}-role_summary"' not in page  # only answers that differ are offered
    assert KEPT in page
    assert "My first draft.</textarea>" in page  # offered, never put in the form behind the person's back
    assert 'value="use:motivation"' in page and 'value="discard:motivation"' in page


def test_use_puts_the_kept_text_in_the_field_without_saving_it_and_saving_settles_it(app, client, login_as):
    me = login_as()
    proposal = make_proposal(make_round(), me, state=ProposalState.SUBMITTED, motivation="Saved words.")
    services.keep_pending(proposal, {"motivation": KEPT, "job_title": proposal.job_title}, me)
    db.session.commit()
    stamp = served_for(client, proposal)
    response = client.post(f"/proposals/{proposal.id}/edit",
                           data={"action": "use:motivation", "motivation": "Saved words.", "served_for": stamp,
                                 "job_title": "Typed but not saved"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"\n{KEPT}</textarea>" in page and 'value="Typed but not saved"' in page
    assert "It is not saved until you save." in page
    db.session.expire_all()
    assert proposal.motivation == "Saved words." and proposal.version == 1  # a submitted proposal did not change
    assert kept_row() is not None

    services.update_submitted(me, proposal, {"motivation": KEPT})
    db.session.commit()
    assert kept_row() is None  # what was kept is now saved: nothing is left to offer


def test_discard_removes_one_kept_answer_and_keeps_the_others(app, client, login_as):
    me = login_as()
    proposal = make_proposal(make_round(), me, complete=False)
    services.keep_pending(proposal, {"motivation": KEPT, "role_summary": "Kept role."}, me)
    db.session.commit()
    response = client.post(f"/proposals/{proposal.id}/edit",
                           data={"action": "discard:motivation", "served_for": served_for(client, proposal),
                                 "department": "Typed department"})
    page = response.get_data(as_text=True)
    assert "The kept text for “Motivation” is discarded." in page
    assert f'id="proposals-kept-{proposal.id}-motivation"' not in page
    assert f'id="proposals-kept-{proposal.id}-role_summary"' in page
    assert kept_row().answers == {"role_summary": "Kept role."}
    db.session.expire_all()
    assert proposal.department == "Typed department"  # a draft saves what was typed, as autosave would

    fragment = client.post(f"/proposals/{proposal.id}/kept/role_summary/discard",
                           headers=htmx(f"proposals-kept-{proposal.id}-role_summary"))
    assert fragment.status_code == 200
    assert "The kept text is discarded." in fragment.get_data(as_text=True)
    assert kept_row() is None
    again = client.post(f"/proposals/{proposal.id}/kept/role_summary/discard")
    assert again.status_code == 303
    assert "There is no kept text for that answer any more." in client.get(again.headers["Location"]).get_data(as_text=True)


def test_kept_text_cannot_be_seen_or_discarded_by_anyone_else(app, client, login_as):
    owner = make_user()
    proposal = make_proposal(make_round(), owner, complete=False)
    services.keep_pending(proposal, {"motivation": KEPT}, owner)
    db.session.commit()
    login_as()
    assert client.get(f"/proposals/{proposal.id}/kept").status_code == 404
    assert client.post(f"/proposals/{proposal.id}/kept/motivation/discard").status_code == 404
    assert client.post(f"/proposals/{proposal.id}/kept/consent/discard").status_code == 404
    assert kept_row() is not None


def test_a_change_refused_after_closing_says_why_and_links_to_the_kept_text_until_it_is_discarded(app, client,
                                                                                                   login_as):
    me = login_as()
    round_ = make_round()
    proposal = make_proposal(round_, me, state=ProposalState.SUBMITTED, motivation="As submitted.")
    stamp = served_for(client, proposal)
    round_.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.post(f"/proposals/{proposal.id}/edit",
                           data={"action": "update", "motivation": KEPT, "served_for": stamp})
    assert response.status_code == 422  # the reasons, with the text still in the form
    assert "This round has closed" in response.get_data(as_text=True)
    detail = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "could not be saved: this proposal can no longer be changed (the round closed at" in detail
    assert f'href="/proposals/{proposal.id}/kept"' in detail

    kept_page = client.get(f"/proposals/{proposal.id}/kept").get_data(as_text=True)
    assert "The kept text (read only, to copy)" in kept_page and f">{KEPT}</textarea>" in kept_page
    discarded = client.post(f"/proposals/{proposal.id}/kept/motivation/discard")
    assert "The kept text is discarded." in client.get(discarded.headers["Location"]).get_data(as_text=True)
    assert "could not be saved" not in client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    db.session.expire_all()
    assert proposal.motivation == "As submitted."


def test_the_leadership_answer_is_kept_with_the_proposal_and_suggests_without_javascript(app, client, login_as):
    me = login_as()
    proposal = make_proposal(make_round(), me, complete=False)
    response = client.post(f"/proposals/{proposal.id}/edit",
                           data={"action": "suggest", "job_title": "Head of Digital Education",
                                 "years_experience": "20", "leads_learning_technology": "True",
                                 "served_for": served_for(client, proposal)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>Suggested: Senior CMALT.</strong> You have 20 years of experience and, as Head of Digital " \
           "Education, leadership, strategy or research responsibilities, so Senior CMALT fits" in page
    assert "CMALT is also open to you." in page
    db.session.expire_all()
    assert proposal.leads_learning_technology is True and proposal.years_experience == 20
    assert re.search(r'<input checked[^>]*name="leads_learning_technology" type="radio" value="True"',
                     client.get(f"/proposals/{proposal.id}/edit").get_data(as_text=True))
