"""Text kept when a proposal form could not be saved: only from the owner's own page (a request that fails the
CSRF check and carries no genuine stamp changes nothing), checked like the form, never blanking what a post
left out, one per proposal, a few per person and per client, and gone after a fortnight. A pathway that is
not on offer is refused on its field while the rest of the draft saves."""
from __future__ import annotations

from datetime import timedelta

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from portal.db_types import utcnow
from portal.extensions import db
from portal.proposals import services
from portal.proposals.forms import NOT_ON_OFFER
from portal.proposals.models import PendingDraft, Proposal
from portal.web.csrf import SERVED_FOR, served_stamp, served_to
from tests.factories import make_proposal, make_round, make_scheme, make_user
from tests.proposals.test_views import LONG, htmx, served_for


def kept_count() -> int:
    return db.session.scalar(select(func.count(PendingDraft.id)))


def test_a_post_that_fails_csrf_without_the_pages_stamp_keeps_nothing(client, login_as):
    me = login_as()
    proposal = make_proposal(make_round(), me, complete=False, motivation="My own words.")
    # A same-site page posting in the person's browser: no token, no stamp (or one of its own).
    theirs = make_proposal(make_round(), make_user(), complete=False)
    with client.application.test_request_context():
        foreign = served_stamp(f"proposal:{theirs.id}", theirs.user_id)
    for stamp in ("", "forged.value.here", foreign):
        for url in (f"/proposals/{proposal.id}/edit", f"/proposals/{proposal.id}/autosave"):
            response = client.post(url, data={"action": "save", "motivation": "Planted text", "served_for": stamp},
                                   csrf=False)
            assert response.status_code == 400, url
        assert kept_count() == 0
    page = client.post(f"/proposals/{proposal.id}/edit", data={"motivation": "Planted text"}, csrf=False)
    assert "nothing was saved" in page.get_data(as_text=True)
    fragment = client.post(f"/proposals/{proposal.id}/autosave", data={"motivation": "Planted"}, csrf=False,
                           headers=htmx(f"proposals-autosave-{proposal.id}"))
    assert "could not be kept" in fragment.get_data(as_text=True)
    assert kept_count() == 0
    db.session.expire_all()
    assert proposal.motivation == "My own words."
    assert "Planted" not in client.get(f"/proposals/{proposal.id}/edit").get_data(as_text=True)


def test_signed_out_posts_keep_text_only_with_the_owners_stamp(client, login):
    me = make_user()
    proposal = make_proposal(make_round(), me, complete=False)
    # Anyone, signed out, filling the table: nothing is kept and no browser token is handed out.
    for _ in range(3):
        response = client.post(f"/proposals/{proposal.id}/edit", data={"motivation": "x" * 2_000_000}, csrf=False)
        assert response.status_code in (400, 401)
        assert "could not be kept" in response.get_data(as_text=True)
    assert kept_count() == 0
    with client.session_transaction() as browser:
        assert "proposals_pending" not in browser
    # The owner's page, then the session expired: kept, but only what passes the form's own checks.
    login(me)
    stamp = served_for(client, proposal)
    client.delete_cookie("session")
    response = client.post(f"/proposals/{proposal.id}/edit",
                           data={"motivation": LONG, "role_summary": "y" * 100_001, "served_for": stamp}, csrf=False)
    assert response.status_code in (400, 401) and "Your text is kept on the server" in response.get_data(as_text=True)
    kept = db.session.scalars(select(PendingDraft)).one()
    assert kept.answers["motivation"] == LONG.rstrip() and "role_summary" not in kept.answers
    assert kept.user_id == me.id and kept.client  # the stamp names the owner: offered wherever they sign in


def test_a_partial_post_keeps_and_saves_only_what_it_sent(client, login_as):
    me = login_as()
    round_ = make_round()
    proposal = make_proposal(round_, me, complete=False, job_title="Lecturer", motivation="Saved motivation",
                             consent=True, pathway_id=round_.pathways[0].id)
    response = client.post(f"/proposals/{proposal.id}/edit", csrf=False,
                           data={"role_summary": "Only this", "served_for": served_for(client, proposal)})
    assert response.status_code == 400
    kept = db.session.scalars(select(PendingDraft)).one().answers
    # From the page itself (it carries the stamp), an unticked box is a "no"; every other answer left out is left out.
    assert set(kept) == {"role_summary", "line_manager_supports", "consent"} and kept["role_summary"] == "Only this"
    again = client.get(f"/proposals/{proposal.id}/edit").get_data(as_text=True)
    assert "Only this" in again and 'value="Lecturer"' in again and "Saved motivation" in again
    assert '<input checked id="pathway_id-0"' in again
    # The same for a save that goes through: what the post left out stays as it was.
    client.post(f"/proposals/{proposal.id}/autosave", data={"department": "Library"})
    db.session.expire_all()
    assert (proposal.department, proposal.job_title, proposal.motivation) == ("Library", "Lecturer", "Saved motivation")
    assert proposal.consent is True and proposal.pathway_id == round_.pathways[0].id
    # The whole form from the page (it carries the stamp) with the box unticked does untick it.
    client.post(f"/proposals/{proposal.id}/autosave", data={"job_title": "Lecturer", "served_for": served_for(client, proposal)})
    db.session.expire_all()
    assert proposal.consent is False


def test_one_kept_text_per_proposal_a_few_per_person_and_per_client(app):
    me = make_user()
    proposals = [make_proposal(make_round(), me, complete=False) for _ in range(services.KEPT_PER_PERSON + 2)]
    for proposal in proposals:
        for text in ("first", "second"):
            services.keep_pending(proposal, {"motivation": text}, me, client="me")
    db.session.commit()
    rows = db.session.scalars(select(PendingDraft).order_by(PendingDraft.id)).all()
    assert len(rows) == services.KEPT_PER_PERSON
    assert [r.proposal_id for r in rows] == [p.id for p in proposals[-services.KEPT_PER_PERSON:]]
    assert {r.answers["motivation"] for r in rows} == {"second"}
    # One client keeping for many people: refused once it has kept its hourly share.
    db.session.execute(PendingDraft.__table__.delete())
    others = [make_proposal(make_round(), make_user(), complete=False)
              for _ in range(services.KEPT_PER_CLIENT_PER_HOUR + 1)]
    results = [services.keep_pending(p, {"motivation": "x"}, client="busy") for p in others]
    assert all(results[:-1]) and results[-1] is None
    assert services.keep_pending(others[-1], {"motivation": "x"}, client="another") is not None


def test_kept_text_expires(app):
    me = make_user()
    proposal = make_proposal(make_round(), me, complete=False)
    old = services.keep_pending(proposal, {"motivation": "old"}, me)
    old.created_at = utcnow() - services.KEPT_FOR - timedelta(minutes=1)
    token = services.keep_pending(make_proposal(make_round(), me, complete=False), {"motivation": "t"}).token
    db.session.commit()
    assert services.pending_for(me, proposal) is None
    db.session.get(PendingDraft, db.session.scalar(select(PendingDraft.id).where(PendingDraft.token == token))
                   ).created_at = utcnow() - services.KEPT_FOR - timedelta(minutes=1)
    db.session.commit()
    assert services.claim_pending(token, me) is None
    services.keep_pending(make_proposal(make_round(), me, complete=False), {"motivation": "new"}, me)
    assert [r.answers for r in db.session.scalars(select(PendingDraft))] == [{"motivation": "new"}]


class _LongAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int((utcnow() - SERVED_FOR - timedelta(minutes=1)).timestamp())


def test_a_stamp_is_honoured_only_for_its_subject_and_while_recent(app):
    with app.test_request_context(method="POST", data={"served_for": served_stamp("proposal:1", 7)}):
        assert served_to("proposal:1") == 7 and served_to("proposal:2") is None
    old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="portal.served-for", signer=_LongAgo)
    with app.test_request_context(method="POST", data={"served_for": old.dumps(["proposal:1", 7])}):
        assert served_to("proposal:1") is None
    other_key = URLSafeTimedSerializer("another-secret", salt="portal.served-for").dumps(["proposal:1", 7])
    with app.test_request_context(method="POST", data={"served_for": other_key}):
        assert served_to("proposal:1") is None


def test_a_pathway_not_on_offer_is_refused_on_its_field_and_the_rest_saves(client, login_as):
    me = login_as()
    round_ = make_round()
    proposal = make_proposal(round_, me, complete=False, pathway_id=round_.pathways[0].id)
    elsewhere = make_round(scheme=make_scheme()).pathways[0].id
    for bad in (str(elsewhere), "99999999999999999999"):
        response = client.post(f"/proposals/{proposal.id}/edit",
                               data={"action": "save", "motivation": f"Kept {bad}", "pathway_id": bad})
        page = response.get_data(as_text=True)
        assert response.status_code == 422, bad
        assert NOT_ON_OFFER in page and "Draft saved" not in page
        assert '<input checked id="pathway_id-0"' in page  # the choice that stands is still the one shown
        db.session.expire_all()
        assert proposal.motivation == f"Kept {bad}" and proposal.pathway_id == round_.pathways[0].id
    status = client.post(f"/proposals/{proposal.id}/autosave", data={"pathway_id": str(elsewhere)},
                         headers=htmx(f"proposals-autosave-{proposal.id}")).get_data(as_text=True)
    assert "Pathway you aim for (That pathway is not on offer" in status
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).pathway_id == round_.pathways[0].id
