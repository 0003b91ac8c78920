"""Subject access: everything about the person, nothing of anyone else's."""
from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from portal.audit.services import record
from portal.auth.services import PASSWORD_RESET_MAIL, request_password_reset
from portal.db_types import utcnow
from portal.extensions import db
from portal.mentoring.models import Meeting, Pairing, PairingState
from portal.mentoring.pairings import report_concern
from portal.outbox.secrets import unmask
from portal.outbox.models import OutboxMessage
from portal.outbox.services import queue_email
from portal.panel.models import Criterion, Review, Score
from portal.privacy.services import subject_access
from portal.proposals.models import ProposalState
from portal.schedule.models import FeedToken
from tests.factories import make_booking, make_mentor, make_proposal, make_round, make_session, make_user


def _world():
    """Ann applies and also scores Bob; Bob scores Ann; Ann has a mentor, a booking and a feed."""
    round_ = make_round(name="Round A")
    ann = make_user(name="Ann Applicant", email="ann@example.ac.uk")
    bob = make_user(name="Bob Other", email="bob@example.ac.uk")
    ann_proposal = make_proposal(round_, ann, state=ProposalState.SELECTED, motivation="Ann's own motivation")
    bob_proposal = make_proposal(round_, bob, state=ProposalState.SUBMITTED, motivation="Bob's secret motivation",
                                 line_manager_email="bobs.manager@example.ac.uk")
    criterion = Criterion(round_id=round_.id, name="Impact", labels=[])
    db.session.add(criterion)
    db.session.flush()
    db.session.add_all([
        Score(round_id=round_.id, proposal_id=bob_proposal.id, reviewer_id=ann.id, criterion_id=criterion.id, value=4),
        Review(round_id=round_.id, proposal_id=bob_proposal.id, reviewer_id=ann.id, comment="Ann's view of it"),
        Score(round_id=round_.id, proposal_id=ann_proposal.id, reviewer_id=bob.id, criterion_id=criterion.id, value=2),
        Review(round_id=round_.id, proposal_id=ann_proposal.id, reviewer_id=bob.id, comment="Bob's private comment"),
        FeedToken(user_id=ann.id, token="ann-feed-secret-token", label="Ann's phone"),
        FeedToken(user_id=bob.id, token="bob-feed-secret-token", label="Bob's laptop"),
    ])
    session = make_session(title="Writing retreat", starts_in=timedelta(days=3))
    make_booking(session, ann)
    make_booking(make_session(title="Bob-only session"), bob)
    mentor = make_mentor(name="Morag Mentor", email="morag@example.ac.uk")
    pairing = Pairing(round_id=round_.id, proposal_id=ann_proposal.id, mentee_id=ann.id, mentor_id=mentor.id,
                      state=PairingState.CONFIRMED, confirmed_at=utcnow())
    db.session.add(pairing)
    db.session.flush()
    db.session.add(Meeting(pairing_id=pairing.id, held_on=utcnow().date(), notes="Planned core area 1"))
    record(ann, "proposal.submit", ann_proposal, summary="Ann submitted her proposal")
    record(bob, "proposal.submit", bob_proposal, summary="Bob submitted his proposal")
    db.session.commit()
    return ann, bob, ann_proposal, bob_proposal, pairing


def test_export_holds_the_persons_own_data(app):
    ann, _bob, ann_proposal, bob_proposal, pairing = _world()
    data = subject_access(ann)
    assert data["account"]["email"] == "ann@example.ac.uk" and data["account"]["name"] == "Ann Applicant"
    (proposal,) = data["proposals"]
    assert proposal["id"] == ann_proposal.id and proposal["answers"]["motivation"] == "Ann's own motivation"
    assert proposal["versions"][0]["answers"]["motivation"] == "Ann's own motivation"
    assert data["scores_given"] == [{"proposal_id": bob_proposal.id, "criterion": "Impact", "value": 4,
                                     "updated_at": data["scores_given"][0]["updated_at"]}]
    assert [r["comment"] for r in data["reviews_written"]] == ["Ann's view of it"]
    assert [b["session"] for b in data["bookings"]] == ["Writing retreat"]
    assert [f["label"] for f in data["calendar_feeds"]] == ["Ann's phone"]
    (mine,) = data["pairings"]
    assert mine["id"] == pairing.id and mine["my_role"] == "mentee"
    assert mine["meetings"][0]["notes"] == "Planned core area 1"
    assert [e["summary"] for e in data["audit_events"]] == ["Ann submitted her proposal"]


def test_export_holds_nothing_of_anyone_elses(app):
    ann, *_ = _world()
    text = json.dumps(subject_access(ann), default=str)
    for other in ("Bob Other", "bob@example.ac.uk", "Bob's secret motivation", "bobs.manager@example.ac.uk",
                  "Bob's private comment", "Bob-only session", "Bob's laptop", "Bob submitted",
                  "Morag Mentor", "morag@example.ac.uk", "ann-feed-secret-token", "bob-feed-secret-token",
                  "password"):
        assert other not in text, other


def test_mentor_sees_their_side_of_a_pairing_without_the_mentee(app):
    ann, _bob, _p, _bp, pairing = _world()
    mentor_user = pairing.mentor.user
    data = subject_access(mentor_user)
    (theirs,) = data["pairings"]
    assert theirs["my_role"] == "mentor" and "concern" not in theirs
    assert data["mentor_profile"]["award_name"] == "CMALT"
    text = json.dumps(data, default=str)
    assert "Ann Applicant" not in text and "ann@example.ac.uk" not in text and "Ann's own motivation" not in text


def test_a_concern_is_in_its_writers_download_and_not_the_other_persons(client, login):
    ann, _bob, _p, _bp, pairing = _world()
    mentor_user = pairing.mentor.user
    report_concern(mentor_user, pairing, "Ann never replies to my emails")
    db.session.commit()

    mine = {p["id"]: p for p in subject_access(mentor_user)["pairings"]}[pairing.id]
    assert mine["concern"]["text"] == "Ann never replies to my emails"
    theirs = {p["id"]: p for p in subject_access(ann)["pairings"]}[pairing.id]
    assert "concern" not in theirs
    # The download and the pairing page ask the same rule: the mentee's page does not show it either.
    login(ann)
    assert "never replies" not in client.get(f"/mentoring/pairings/{pairing.id}").get_data(as_text=True)
    client.post("/auth/sign-out")
    login(mentor_user)
    assert "Ann never replies to my emails" in client.get(f"/mentoring/pairings/{pairing.id}").get_data(as_text=True)


def test_export_holds_the_mail_sent_to_the_person_without_a_live_reset_link(app):
    ann, *_ = _world()
    queue_email("ANN@example.ac.uk", "Round A: the outcome of your proposal", "Dear Ann, you were selected.",
                kind="panel.outcome")
    queue_email("bob@example.ac.uk", "Round A: the outcome of your proposal", "Dear Bob, not this time.")
    request_password_reset(ann.email)
    db.session.commit()
    reset = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == PASSWORD_RESET_MAIL))
    sent = unmask(reset.body, reset.secret_parts)  # what the recipient's copy says
    link = next(line for line in sent.splitlines() if "://" in line)

    data = subject_access(ann)
    assert [(m["subject"], m["status"]) for m in data["emails"]] == [
        ("Round A: the outcome of your proposal", "pending"), ("Reset your cohort portal password", "pending")]
    assert data["emails"][0]["body"] == "Dear Ann, you were selected."
    text = json.dumps(data, default=str)
    assert link not in text and link.rsplit("/", 1)[-1] not in text
    assert "password-reset link, which may still work" in data["emails"][1]["body"]
    assert "Dear Bob" not in text
