"""Mentoring services on a real database: matching runs, locking, confirming, rematching, progress, register."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.auth.models import Role
from portal.db_types import utcnow
from portal.extensions import db
from portal.mentoring.errors import MentoringError
from portal.mentoring.meetings import log_meeting
from portal.mentoring.models import (ExamplePortfolio, MentorProfile, Outcome, Pairing, PairingState, Progress,
                                     SectionStatus)
from portal.mentoring.pairings import confirm_pairing, confirm_round, run_matching, set_locked, swap_mentor
from portal.mentoring.pool import (approve_mentor, save_mentee_areas, save_mentor_profile, set_mentor_paused,
                                   withdraw_mentor)
from portal.mentoring.progress import record_outcome, update_progress
from portal.mentoring.register import example_file, pdf_problem, share_example, withdraw_example
from portal.outbox.models import OutboxMessage
from tests.factories import make_cohort_round, make_mentor, make_participant, make_user

PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\n"
       b"endobj\nxref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n"
       b"trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n110\n%%EOF\n")


def _pairs(round_, states=None):
    stmt = select(Pairing).where(Pairing.round_id == round_.id)
    if states:
        stmt = stmt.where(Pairing.state.in_(states))
    return {p.proposal_id: p for p in db.session.scalars(stmt)}


@pytest.fixture
def lead(app):
    return make_user(roles=[Role.LEAD], name="Lena Lead")


def test_run_matching_proposes_explained_pairs_and_records_the_unmatched(app, lead):
    round_ = make_cohort_round()
    ann = make_participant(round_, name="Ann", department="Education", campus="City")
    senior = make_participant(round_, name="Sol", level=3, department="Business")
    mentor = make_mentor(name="Max", level=2, areas=["accessibility"], department="Computing", campus="City")
    save_mentee_areas(ann.applicant, ann, "Accessibility, assessment")
    run = run_matching(lead, round_)
    db.session.commit()
    pairs = _pairs(round_)
    assert list(pairs) == [ann.id]
    assert pairs[ann.id].mentor_id == mentor.id
    assert pairs[ann.id].state == PairingState.PROPOSED
    assert pairs[ann.id].explanation == "shares: accessibility; CMALT holder; other department; same campus"
    assert run.unmatched == {str(senior.id): "The places of the 1 eligible mentor(s) went to other participants "
                                             "(who had waited longer, or for a better match overall)."}


def test_unapproved_and_paused_mentors_are_left_out(app, lead):
    round_ = make_cohort_round()
    participant = make_participant(round_)
    make_mentor(approved=False)
    paused = make_mentor()
    set_mentor_paused(lead, paused, True)
    run = run_matching(lead, round_)
    assert _pairs(round_) == {}
    assert run.unmatched == {str(participant.id): "No mentors are available (none approved and active)."}


def test_line_manager_and_close_collaborator_are_never_matched(app, lead):
    round_ = make_cohort_round()
    boss = make_user(roles=[Role.MENTOR], department="Computing")
    managed = make_participant(round_, line_manager_id=boss.id)
    friend = make_participant(round_)
    boss_profile = make_mentor(user=boss, capacity=5, areas=["x"])
    colleague = make_mentor(capacity=5, collaborators=[friend.applicant], department="Library")
    save_mentee_areas(friend.applicant, friend, "")
    save_mentee_areas(managed.applicant, managed, "x")  # would prefer the boss on areas alone
    run_matching(lead, round_)
    pairs = _pairs(round_)
    assert {pid: p.mentor_id for pid, p in pairs.items()} == {managed.id: colleague.id, friend.id: boss_profile.id}
    withdraw_mentor(lead, boss_profile)
    run = run_matching(lead, round_)
    assert friend.id not in _pairs(round_, [PairingState.PROPOSED])
    assert run.unmatched == {str(friend.id): "No mentor passes the hard rules (needs a CMALT holder or above; "
                                             "1 declared close collaborator)."}


def test_department_rule_is_configurable(make_app):
    app = make_app(MENTORING_DEPARTMENT_RULE="soft")
    with app.app_context():
        from tests.conftest import _empty_tables
        _empty_tables()
        lead = make_user(roles=[Role.LEAD])
        round_ = make_cohort_round()
        p = make_participant(round_, department="Computing")
        make_mentor(department="Computing")
        run_matching(lead, round_)
        assert list(_pairs(round_)) == [p.id]
        db.session.rollback()
        _empty_tables()


def test_locked_and_confirmed_pairs_survive_a_rerun(app, lead):
    round_ = make_cohort_round()
    a, b, c = (make_participant(round_, name=n) for n in ("A", "B", "C"))
    m1 = make_mentor(capacity=1, areas=["x"])
    m2 = make_mentor(capacity=2, department="Library")
    run_matching(lead, round_)
    db.session.commit()
    pairs = _pairs(round_)
    to_lock = pairs[a.id]
    set_locked(lead, to_lock, True)
    confirm_pairing(lead, pairs[b.id])
    db.session.commit()
    locked_mentor, confirmed_mentor = to_lock.mentor_id, pairs[b.id].mentor_id
    run_matching(lead, round_)
    db.session.commit()
    after = _pairs(round_)
    assert after[a.id].id == to_lock.id and after[a.id].state == PairingState.LOCKED
    assert after[a.id].mentor_id == locked_mentor
    assert after[b.id].state == PairingState.CONFIRMED and after[b.id].mentor_id == confirmed_mentor
    # C gets the one place left over.
    assert after[c.id].state == PairingState.PROPOSED
    taken = {m1.id: 0, m2.id: 0}
    for p in after.values():
        taken[p.mentor_id] += 1
    assert taken == {m1.id: 1, m2.id: 2}


def test_confirm_opens_the_pairing_and_mails_both(app, lead):
    round_ = make_cohort_round(sections=("Context", "Core 1"))
    p = make_participant(round_, name="Pat Participant", email="pat@example.ac.uk")
    mentor = make_mentor(name="Mo Mentor", email="mo@example.ac.uk")
    run_matching(lead, round_)
    confirmed = confirm_round(lead, round_)
    db.session.commit()
    assert [c.state for c in confirmed] == [PairingState.CONFIRMED]
    assert confirmed[0].confirmed_at is not None
    progress = db.session.scalar(select(Progress).where(Progress.proposal_id == p.id))
    assert [(s.name, s.status) for s in progress.sections] == [("Context", SectionStatus.NOT_STARTED),
                                                                ("Core 1", SectionStatus.NOT_STARTED)]
    mail = {m.recipient: m for m in db.session.scalars(select(OutboxMessage))}
    assert mail["pat@example.ac.uk"].subject == "Your CMALT mentor: Mo Mentor"
    assert "mo@example.ac.uk" in mail["pat@example.ac.uk"].body
    assert mail["mo@example.ac.uk"].subject == "Your new mentee: Pat Participant"
    assert f"/mentoring/pairings/{confirmed[0].id}" in mail["pat@example.ac.uk"].body
    assert mentor.id == confirmed[0].mentor_id


def test_swap_respects_hard_rules_and_capacity_and_locks(app, lead):
    round_ = make_cohort_round()
    p = make_participant(round_, level=3, department="Education")
    first = make_mentor(level=3)
    low = make_mentor(level=1, department="Library")
    same_dept = make_mentor(level=3, department="Education")
    full = make_mentor(level=3, capacity=0, department="Library")
    good = make_mentor(level=2, department="Library")
    run_matching(lead, round_)
    pairing = _pairs(round_)[p.id]
    assert pairing.mentor_id == first.id
    for bad, message in ((low, "award level"), (same_dept, "same department"), (full, "has no places left")):
        with pytest.raises(MentoringError) as info:
            swap_mentor(lead, pairing, bad)
        assert message in info.value.message
    swap_mentor(lead, pairing, good)
    assert pairing.mentor_id == good.id and pairing.state == PairingState.LOCKED
    assert pairing.explanation == "no shared specialist areas; CMALT holder; other department"


def test_rematch_only_moves_affected_mentees_longest_waiting_first(app, lead):
    round_ = make_cohort_round()
    early = make_participant(round_, name="Early", decided_days_ago=90)
    late = make_participant(round_, name="Late", decided_days_ago=10)
    steady = make_participant(round_, name="Steady")
    leaving = make_mentor(name="Leaving", capacity=2)
    stays = make_mentor(name="Stays", capacity=1, department="Library")
    run_matching(lead, round_)
    confirm_round(lead, round_)
    db.session.commit()
    pairs = _pairs(round_)
    assert sorted(p.mentor_id for p in pairs.values()) == sorted([leaving.id, leaving.id, stays.id])
    steady_pairing = next(p for p in pairs.values() if p.mentor_id == stays.id)
    # The departing mentor's mentees wait again; a new mentor with one place joins.
    ended = withdraw_mentor(lead, leaving)
    assert {p.state for p in ended} == {PairingState.ENDED}
    newcomer = make_mentor(name="Newcomer", capacity=1, department="Library")
    db.session.commit()
    run = run_matching(lead, round_)
    db.session.commit()
    open_pairs = _pairs(round_, [PairingState.PROPOSED, PairingState.CONFIRMED])
    assert open_pairs[steady_pairing.proposal_id].id == steady_pairing.id  # untouched
    affected = {p.proposal_id for p in ended}
    proposed = {pid for pid, p in open_pairs.items() if p.state == PairingState.PROPOSED}
    assert proposed <= affected and len(proposed) == 1
    # Of the two waiting again, the one selected earlier (waiting longer) wins the single place.
    waiting_ids = sorted(affected, key=lambda pid: {early.id: 0, late.id: 1, steady.id: 2}[pid])
    assert proposed == {waiting_ids[0]}
    assert open_pairs[waiting_ids[0]].mentor_id == newcomer.id
    assert list(run.unmatched) == [str(waiting_ids[1])]


def test_award_invites_the_new_holder_once(app, lead):
    round_ = make_cohort_round()
    p = make_participant(round_, name="Holly Holder", email="holly@example.ac.uk")
    progress = record_outcome(lead, p, Outcome.AWARDED)
    db.session.commit()
    assert progress.reciprocity_invited_at is not None
    invites = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "holly@example.ac.uk")).all()
    assert [m.subject for m in invites] == ["Congratulations on your CMALT award: will you mentor next year?"]
    assert "/mentoring/volunteer" in invites[0].body
    record_outcome(lead, p, Outcome.AWARDED)
    db.session.commit()
    assert db.session.query(OutboxMessage).count() == 1
    from portal.mentoring.queries import reciprocity_rows
    assert [(u.name, prof) for _, u, prof in reciprocity_rows()] == [("Holly Holder", None)]
    save_mentor_profile(p.applicant, award_name="CMALT", award_level=2, award_year=2026, department="",
                                 campus="", specialist_areas="", capacity=1, availability_notes="")
    assert [prof.award_name for _, _, prof in reciprocity_rows()] == ["CMALT"]


def test_resubmission_does_not_invite(app, lead):
    round_ = make_cohort_round()
    p = make_participant(round_)
    record_outcome(lead, p, Outcome.RESUBMIT)
    assert db.session.query(OutboxMessage).count() == 0


def test_mentor_profile_defaults_and_collaborators(app):
    person = make_user(department="Library", campus="Park campus")
    friend = make_user(email="friend@example.ac.uk")
    profile = save_mentor_profile(person, award_name="CMALT", award_level=2, award_year=2020, department="",
                                           campus="", specialist_areas="Accessibility, assessment , accessibility",
                                           capacity=2, availability_notes="", close_collaborator_emails="friend@example.ac.uk")
    assert (profile.department, profile.campus) == ("Library", "Park campus")
    assert profile.specialist_areas == ["accessibility", "assessment"]
    assert profile.close_collaborator_ids == [friend.id]
    assert not profile.is_available
    with pytest.raises(MentoringError, match="No account uses nobody@example.ac.uk"):
        save_mentor_profile(person, award_name="CMALT", award_level=2, award_year=None, department="",
                                     campus="", specialist_areas="", capacity=1, availability_notes="",
                                     close_collaborator_emails="nobody@example.ac.uk")
    lead = make_user(roles=[Role.LEAD])
    approve_mentor(lead, profile)
    assert profile.is_available and Role.MENTOR in person.roles


def _confirmed(lead):
    round_ = make_cohort_round()
    p = make_participant(round_)
    make_mentor()
    run_matching(lead, round_)
    pairing = confirm_round(lead, round_)[0]
    db.session.commit()
    return pairing


def test_log_meeting_rules(app, lead):
    pairing = _confirmed(lead)
    mentor_user = pairing.mentor.user
    with pytest.raises(MentoringError, match="once it has happened"):
        log_meeting(mentor_user, pairing, held_on=date.today() + timedelta(days=1), duration_minutes=60,
                             notes="", next_steps="", next_meeting_at=None)
    with pytest.raises(MentoringError, match="must be in the future"):
        log_meeting(mentor_user, pairing, held_on=date.today(), duration_minutes=60, notes="",
                             next_steps="", next_meeting_at=utcnow() - timedelta(hours=1))
    meeting = log_meeting(mentor_user, pairing, held_on=date.today(), duration_minutes=45, notes="Plan",
                                   next_steps="Draft", next_meeting_at=utcnow() + timedelta(days=7))
    assert meeting.pairing_id == pairing.id
    stranger = make_user()
    with pytest.raises(MentoringError):
        log_meeting(stranger, pairing, held_on=date.today(), duration_minutes=45, notes="",
                             next_steps="", next_meeting_at=None)


def test_progress_registration_and_deadline(app, lead):
    pairing = _confirmed(lead)
    progress = update_progress(pairing.mentee, pairing, registered_on=date(2024, 2, 29),
                                        target_deadline=date(2026, 1, 31))
    assert (progress.registered_on, progress.target_deadline) == (date(2024, 2, 29), date(2026, 1, 31))
    with pytest.raises(MentoringError, match="cannot be in the future"):
        update_progress(pairing.mentee, pairing, registered_on=date.today() + timedelta(days=2),
                                 target_deadline=None)


# 23:30 UTC on a summer evening: the server's calendar still says 14 July, London's says 15 July.
LONDON_IS_TOMORROW = datetime(2026, 7, 14, 23, 30, tzinfo=timezone.utc)


def test_a_meeting_held_today_in_london_can_be_logged_while_utc_is_still_yesterday(app, lead):
    pairing = _confirmed(lead)
    mentor_user = pairing.mentor.user
    meeting = log_meeting(mentor_user, pairing, held_on=date(2026, 7, 15), duration_minutes=30, notes="",
                          next_steps="", next_meeting_at=None, now=LONDON_IS_TOMORROW)
    assert meeting.held_on == date(2026, 7, 15)
    with pytest.raises(MentoringError, match="once it has happened"):
        log_meeting(mentor_user, pairing, held_on=date(2026, 7, 16), duration_minutes=30, notes="",
                    next_steps="", next_meeting_at=None, now=LONDON_IS_TOMORROW)


def test_registration_today_in_london_is_not_in_the_future(app, lead):
    pairing = _confirmed(lead)
    progress = update_progress(pairing.mentee, pairing, registered_on=date(2026, 7, 15), target_deadline=None,
                               now=LONDON_IS_TOMORROW)
    assert progress.registered_on == date(2026, 7, 15)
    with pytest.raises(MentoringError, match="cannot be in the future"):
        update_progress(pairing.mentee, pairing, registered_on=date(2026, 7, 16), target_deadline=None,
                        now=LONDON_IS_TOMORROW)


# ---------------------------------------------------------------- PDF checks and the register

def test_pdf_checks():
    assert pdf_problem(PDF) is None
    assert "not a PDF" in pdf_problem(b"Hello, I am a text file renamed to .pdf\n%%EOF")
    assert "not a PDF" in pdf_problem(b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    assert "incomplete or damaged" in pdf_problem(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
    assert "no content objects" in pdf_problem(b"%PDF-1.7\nstartxref\n0\n%%EOF")
    assert "larger than 10 MB" in pdf_problem(PDF + b"0" * (10 * 1024 * 1024))
    assert pdf_problem(b"") == "The file is empty."


def test_shared_pdf_is_stored_under_instance_uploads_and_deleted_on_withdraw(app):
    owner = make_user(roles=[Role.MENTOR])
    example = share_example(owner, pathway_id=None, job_role="Librarian", specialist_areas="open education",
                                      summary="My portfolio", pdf=PDF, filename="../../My portfolio.pdf")
    db.session.commit()
    path = example_file(example)
    assert path.parent == Path(app.instance_path) / "uploads"
    assert path.read_bytes() == PDF
    assert example.original_filename == "My portfolio.pdf"
    assert "static" not in path.parts
    withdraw_example(owner, example)
    db.session.commit()
    assert not path.exists()
    assert db.session.get(ExamplePortfolio, example.id) is None


def test_share_needs_a_link_or_a_pdf_and_refuses_bad_links(app):
    owner = make_user()
    with pytest.raises(MentoringError, match="Give a link or upload a PDF"):
        share_example(owner, pathway_id=None, job_role="x", specialist_areas="", summary="s")
    with pytest.raises(MentoringError, match="https://"):
        share_example(owner, pathway_id=None, job_role="x", specialist_areas="", summary="s",
                               link_url="javascript:alert(1)")
    with pytest.raises(MentoringError, match="not a PDF"):
        share_example(owner, pathway_id=None, job_role="x", specialist_areas="", summary="s",
                               pdf=b"GIF89a fake", filename="fake.pdf")
    assert db.session.query(ExamplePortfolio).count() == 0


def test_mentor_profile_capacity_bounds(app):
    with pytest.raises(MentoringError, match="between 0 and 20"):
        save_mentor_profile(make_user(), award_name="CMALT", award_level=2, award_year=None, department="",
                                     campus="", specialist_areas="", capacity=21, availability_notes="")
    assert db.session.query(MentorProfile).count() == 0


def test_files_follow_the_transaction(app):
    owner = make_user(roles=[Role.MENTOR])
    example = share_example(owner, pathway_id=None, job_role="A", specialist_areas="", summary="s",
                                      pdf=PDF, filename="a.pdf")
    stored = example_file(example)
    assert stored.exists()
    db.session.rollback()  # the entry never existed, so neither does its file
    assert not stored.exists()
    example = share_example(owner, pathway_id=None, job_role="B", specialist_areas="", summary="s",
                                      pdf=PDF, filename="b.pdf")
    db.session.commit()
    kept = example_file(example)
    withdraw_example(owner, example)
    assert kept.exists()  # not yet committed
    db.session.rollback()
    assert kept.exists() and db.session.get(ExamplePortfolio, example.id) is not None
