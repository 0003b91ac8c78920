"""The homes as plain data, without HTTP: each step or need appears exactly when it applies."""
from __future__ import annotations

from datetime import date, timedelta

from portal.auth.models import Role, User
from portal.db_types import utcnow
from portal.extensions import db
from portal.main.lead_home import lead_home
from portal.main.role_homes import mentor_home, panel_home
from portal.main.staff_home import staff_home
from portal.mentoring.models import Meeting, Pairing, PairingState, Progress, ProgressSection, SectionStatus
from portal.outbox.models import OutboxMessage, OutboxStatus
from portal.panel.models import Assignment, Decision, Outcome, PanelMember, PanelSettings, Review
from portal.proposals.models import ProposalState
from tests.factories import (make_booking, make_mentor, make_panel_proposal, make_panel_round, make_proposal,
                             make_round, make_session, make_user)


def _keys(journey):
    return [step.key for step in journey.steps]


def _step(journey, key):
    return next(step for step in journey.steps if step.key == key)


# ---------------------------------------------------------------- staff

def test_open_round_with_nothing_started_asks_for_intro_then_proposal(app):
    round_ = make_round(intro_required=True, closes_at=utcnow() + timedelta(days=3, hours=2))
    intro = make_session(kind="intro", title="Intro webinar", round_id=round_.id)
    person = make_user()
    [journey] = staff_home(person, utcnow())
    assert journey.round.id == round_.id
    assert _keys(journey) == ["round", "intro", "proposal"]
    assert "3 days, 1 hour left." in _step(journey, "round").details or "3 days, 2 hours left." in _step(
        journey, "round").details
    book = _step(journey, "intro")
    assert book.title == "Book an intro session" and "Intro webinar" in book.status
    assert (book.action.endpoint, book.action.args) == ("schedule.session_page", {"session_id": intro.id})
    start = _step(journey, "proposal").action
    assert (start.endpoint, start.args, start.post) == ("proposals.start", {"round_id": round_.id}, True)


def test_intro_step_says_booked_then_attended(app):
    round_ = make_round(intro_required=True)
    intro = make_session(kind="intro", title="Intro webinar", round_id=round_.id)
    person = make_user()
    booking = make_booking(intro, user=person)
    step = _step(staff_home(person, utcnow())[0], "intro")
    assert step.status.startswith("Booked for Intro webinar at ")
    assert step.action.label == "See your booking"
    booking.attended = True
    db.session.commit()
    step = _step(staff_home(person, utcnow())[0], "intro")
    assert step.done and step.action is None and step.status == "You attended an intro session."


def test_no_intro_step_where_the_round_does_not_ask_for_one(app):
    make_round(intro_required=False)
    assert _keys(staff_home(make_user(), utcnow())[0]) == ["round", "proposal"]


def test_draft_shows_when_saved_and_its_words(app):
    round_ = make_round()
    person = make_user()
    draft = make_proposal(round_, user=person, role_summary="one two three", learning_technology="four five",
                          motivation="six")
    step = _step(staff_home(person, utcnow())[0], "proposal")
    assert step.status.startswith("Draft saved at ") and step.status.endswith("6 words so far.")
    assert (step.action.endpoint, step.action.args) == ("proposals.edit", {"proposal_id": draft.id})


def test_submitted_proposal_hides_intro_and_links_to_the_proposal(app):
    round_ = make_round(intro_required=True)
    person = make_user()
    submitted = make_proposal(round_, user=person, state=ProposalState.SUBMITTED)
    journey = staff_home(person, utcnow())[0]
    assert _keys(journey) == ["round", "proposal"]
    step = _step(journey, "proposal")
    assert step.status.startswith("Submitted at ")
    assert (step.action.endpoint, step.action.args) == ("proposals.detail", {"proposal_id": submitted.id})


def test_closed_round_follows_only_those_with_a_proposal(app):
    round_ = make_panel_round()
    person = make_user()
    assert staff_home(make_user(), utcnow()) == []
    make_proposal(round_, user=person, state=ProposalState.SUBMITTED)
    [journey] = staff_home(person, utcnow())
    assert _step(journey, "round").status.startswith("Proposals closed at ")
    assert "panel is reading" in " ".join(_step(journey, "proposal").details)


def _selected(person, accept_by=None, accepted=False):
    round_ = make_panel_round(state="decided")
    proposal = make_panel_proposal(round_, user=person, state="selected")
    now = utcnow()
    db.session.add(PanelSettings(round_id=round_.id, released_at=now - timedelta(days=1)))
    db.session.add(Decision(round_id=round_.id, proposal_id=proposal.id, outcome=Outcome.SELECTED,
                            offered_at=now - timedelta(days=1) if accept_by else None, accept_by=accept_by,
                            accepted_at=now if accepted else None))
    db.session.commit()
    return round_, proposal


def test_offer_waiting_asks_to_accept_and_nothing_of_the_programme_yet(app):
    person = make_user()
    accept_by = utcnow() + timedelta(days=5)
    round_, proposal = _selected(person, accept_by=accept_by)
    make_session(kind="workshop", round_id=round_.id)
    journey = staff_home(person, utcnow())[0]
    assert _keys(journey) == ["round", "outcome"]
    step = _step(journey, "outcome")
    assert step.status == "You have been offered a funded place." and step.details[0].startswith("Please answer by ")
    assert (step.action.endpoint, step.action.args, step.action.post) == (
        "panel.respond", {"proposal_id": proposal.id, "answer": "accept"}, True)
    assert step.secondary.endpoint == "panel.outcome"


def test_accepted_place_shows_workshop_office_hours_mentor_and_portfolio(app):
    person = make_user()
    round_, proposal = _selected(person, accepted=True)
    workshop = make_session(kind="workshop", title="Workshop", round_id=round_.id, series_number=2, series_total=5)
    slot = make_session(kind="office_hours", title="Office hours", round_id=round_.id,
                        starts_in=timedelta(days=3), capacity=1)
    mentor = make_mentor(level=3, name="Morgan Mentor")
    pairing = Pairing(round_id=round_.id, proposal_id=proposal.id, mentee_id=person.id, mentor_id=mentor.id,
                      state=PairingState.CONFIRMED, confirmed_at=utcnow() - timedelta(days=20))
    db.session.add(pairing)
    db.session.flush()
    db.session.add(Meeting(pairing_id=pairing.id, held_on=date.today() - timedelta(days=7),
                           next_meeting_at=utcnow() + timedelta(days=6)))
    progress = Progress(proposal_id=proposal.id, target_deadline=date.today() + timedelta(days=200))
    progress.sections = [ProgressSection(name="A", position=0, status=SectionStatus.READY),
                         ProgressSection(name="B", position=1)]
    db.session.add(progress)
    db.session.commit()
    journey = staff_home(person, utcnow())[0]
    assert _keys(journey) == ["round", "outcome", "workshop", "office_hours", "mentor", "portfolio"]
    assert _step(journey, "outcome").done
    assert "Workshop (Workshop 2 of 5) at " in _step(journey, "workshop").status
    assert _step(journey, "workshop").action.args == {"session_id": workshop.id}
    assert _step(journey, "office_hours").action.args == {"session_id": slot.id}
    mentor_step = _step(journey, "mentor")
    assert mentor_step.status == "Morgan Mentor (Senior CMALT)." and mentor_step.details[0].startswith("Next meeting at ")
    portfolio = _step(journey, "portfolio")
    assert portfolio.status == "1 of 2 sections ready."
    assert "Not yet registered with the awarding body." in portfolio.details


def test_not_selected_and_withdrawn(app):
    person = make_user()
    round_ = make_panel_round(state="decided")
    make_panel_proposal(round_, user=person, state="not_selected")
    step = _step(staff_home(person, utcnow())[0], "outcome")
    assert step.status == "You were not selected this time." and step.action.endpoint == "panel.outcome"
    other = make_user()
    make_proposal(make_panel_round(), user=other, state=ProposalState.WITHDRAWN)
    assert staff_home(other, utcnow()) == []


# ---------------------------------------------------------------- lead

def _needs(now=None):
    return {need.key: need for need in lead_home(now or utcnow())}


def test_lead_home_is_empty_when_nothing_needs_them(app):
    make_round()
    assert lead_home(utcnow()) == []


def test_scores_waiting_name_the_members_behind(app):
    round_ = make_panel_round()
    slow, quick = make_user(roles=[Role.PANEL], name="Sally Slow"), make_user(roles=[Role.PANEL], name="Quinn Quick")
    proposals = [make_panel_proposal(round_) for _ in range(2)]
    for member in (slow, quick):
        db.session.add(PanelMember(round_id=round_.id, user_id=member.id))
        for proposal in proposals:
            db.session.add(Assignment(round_id=round_.id, proposal_id=proposal.id, user_id=member.id))
    for proposal in proposals:
        db.session.add(Review(round_id=round_.id, proposal_id=proposal.id, reviewer_id=quick.id,
                              submitted_at=utcnow(), total=50.0))
    db.session.add(Review(round_id=round_.id, proposal_id=proposals[0].id, reviewer_id=slow.id,
                          submitted_at=utcnow(), total=60.0))
    db.session.commit()
    needs = _needs()
    scores = needs["scores"]
    assert scores.count == 1
    assert scores.items == [("Sally Slow: 1 of 2 still to score", None)]
    assert (scores.action.endpoint, scores.action.args) == ("panel.moderation", {"round_id": round_.id})
    assert needs["decide"].count == 2


def test_release_waits_once_everything_is_decided(app):
    round_ = make_panel_round()
    proposal = make_panel_proposal(round_)
    db.session.add(Decision(round_id=round_.id, proposal_id=proposal.id, outcome=Outcome.SELECTED))
    db.session.commit()
    needs = _needs()
    assert "decide" not in needs and needs["release"].count == 1
    db.session.add(PanelSettings(round_id=round_.id, released_at=utcnow()))
    db.session.commit()
    assert "release" not in _needs()


def test_offers_past_accept_by_are_counted(app):
    person = make_user()
    _selected(person, accept_by=utcnow() - timedelta(hours=1))
    assert _needs()["offers"].count == 1
    assert "offers" not in _needs(utcnow() - timedelta(hours=2))


def test_past_sessions_without_a_register(app):
    past = make_session(kind="workshop", title="Workshop one", starts_in=timedelta(days=-2))
    booking = make_booking(past)
    make_booking(make_session(kind="workshop", starts_in=timedelta(days=-3)), status="cancelled")  # nobody booked
    need = _needs()["registers"]
    assert need.count == 1 and need.action.args == {"session_id": past.id}
    assert need.items[0][0].startswith("Workshop one, ")
    booking.attended = False
    db.session.commit()
    assert "registers" not in _needs()


def test_failed_emails(app):
    db.session.add(OutboxMessage(recipient="a@example.ac.uk", subject="s", body="b", status=OutboxStatus.FAILED))
    db.session.add(OutboxMessage(recipient="b@example.ac.uk", subject="s", body="b", status=OutboxStatus.SENT))
    db.session.commit()
    need = _needs()["emails"]
    assert need.count == 1 and need.action.args == {"status": "failed"}


def test_participants_without_a_mentor_and_at_risk(app):
    round_ = make_panel_round(state="running")
    person = make_user(name="Wanda Waiting")
    make_panel_proposal(round_, user=person, state="selected")
    needs = _needs()
    assert needs["no_mentor"].count == 1 and needs["no_mentor"].items[0][0].startswith("Wanda Waiting, waiting since")
    assert needs["at_risk"].items == [("Wanda Waiting: No mentor", None)]


# ---------------------------------------------------------------- panel and mentor

def test_panel_home_lists_what_is_left_to_score_with_the_deadline(app):
    round_ = make_panel_round()
    member = make_user(roles=[Role.PANEL])
    proposals = [make_panel_proposal(round_) for _ in range(2)]
    db.session.add(PanelMember(round_id=round_.id, user_id=member.id))
    db.session.add(PanelSettings(round_id=round_.id, scoring_deadline=utcnow() + timedelta(days=4)))
    for proposal in proposals:
        db.session.add(Assignment(round_id=round_.id, proposal_id=proposal.id, user_id=member.id))
    db.session.commit()
    [need] = panel_home(member, utcnow())
    assert need.count == 2 and need.summary.startswith("2 of 2 left to score. Scoring deadline: ")
    assert (need.action.endpoint, need.action.args) == ("panel.score", {"proposal_id": proposals[0].id})
    for proposal in proposals:
        db.session.add(Review(round_id=round_.id, proposal_id=proposal.id, reviewer_id=member.id,
                              submitted_at=utcnow(), total=70.0))
    db.session.commit()
    [need] = panel_home(member, utcnow())
    assert need.count == 0 and need.action.endpoint == "panel.queue"
    assert panel_home(make_user(roles=[Role.PANEL]), utcnow()) == []


def test_mentor_home_lists_mentees_with_last_meeting_and_next_step(app):
    round_ = make_panel_round(state="running")
    profile = make_mentor(level=3)
    mentor = db.session.get(User, profile.user_id)
    quiet, busy = make_user(name="Quiet Mentee"), make_user(name="Busy Mentee")
    pairings = {}
    for person in (quiet, busy):
        proposal = make_panel_proposal(round_, user=person, state="selected")
        pairings[person.name] = Pairing(round_id=round_.id, proposal_id=proposal.id, mentee_id=person.id,
                                        mentor_id=profile.id, state=PairingState.CONFIRMED,
                                        confirmed_at=utcnow() - timedelta(days=90))
        db.session.add(pairings[person.name])
    db.session.flush()
    db.session.add(Meeting(pairing_id=pairings["Busy Mentee"].id, held_on=date.today() - timedelta(days=3),
                           next_steps="Draft the contextual statement"))
    db.session.commit()
    in_pool, lines = mentor_home(mentor, utcnow())
    assert in_pool and [line.name for line in lines] == ["Quiet Mentee", "Busy Mentee"]
    quiet_line, busy_line = lines
    assert quiet_line.attention and quiet_line.last_meeting == "No meeting yet"
    assert quiet_line.next_step.startswith("Arrange a meeting: none since ")
    assert not busy_line.attention
    assert busy_line.next_step == "Agreed at the last meeting: Draft the contextual statement"
    assert busy_line.action.args == {"pairing_id": pairings["Busy Mentee"].id}
    assert mentor_home(make_user(roles=[Role.MENTOR]), utcnow()) == (False, [])


def test_a_round_past_its_closing_time_reads_closed_though_no_job_stored_it(app):
    now = utcnow()
    round_ = make_round(opens_at=now - timedelta(days=10), closes_at=now - timedelta(minutes=1))
    person = make_user()
    make_proposal(round_, user=person)
    [journey] = staff_home(person, now)
    assert _keys(journey) == ["round", "proposal"]
    assert _step(journey, "round").status.startswith("Proposals closed at ")
    draft = _step(journey, "proposal")
    assert "The round closed before it was submitted. Your draft is kept." in draft.details
    assert draft.action.label == "See your draft"
    assert staff_home(make_user(), now) == []  # nobody else is invited to a closed round
