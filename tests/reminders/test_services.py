"""Reminders: each once across runs, only while due, never to people who switched them off."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.db_types import utcnow
from portal.extensions import db
from portal.mentoring.models import Meeting, Pairing, PairingState, Progress
from portal.outbox.models import OutboxMessage
from portal.proposals.models import ProposalState
from portal.reminders.services import send_reminders
from portal.timeutil import to_local
from tests.factories import (make_booking, make_mentor, make_participant, make_cohort_round, make_proposal,
                             make_round, make_session, make_user)


def _messages():
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _run(now=None):
    report = send_reminders(now)
    db.session.commit()
    return report


def _booking(session, user, days_ago: float):
    booking = make_booking(session, user)
    booking.created_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return booking


def test_session_reminder_goes_once_across_two_runs(app):
    session = make_session(title="Portfolio workshop", starts_in=timedelta(hours=23, minutes=30), location="Room 101")
    keen = make_user(name="Keen Person", email="keen@example.ac.uk")
    booking = _booking(session, keen, days_ago=3)
    first = _run()
    second = _run()
    (message,) = _messages()
    assert message.recipient == "keen@example.ac.uk"
    assert message.subject == "Tomorrow: Portfolio workshop"
    assert "Room 101" in message.body and "/my-data/reminders" in message.body
    assert message.dedupe_key == f"reminder:session-tomorrow:{booking.id}"
    assert first.queued == {"session-tomorrow": 1} and second.total == 0


def test_no_session_reminder_for_opted_out_people(app):
    session = make_session(starts_in=timedelta(hours=23, minutes=30))
    _booking(session, make_user(wants_reminders=False), days_ago=3)
    report = _run()
    assert _messages() == [] and report.opted_out == 1


def test_no_tomorrow_reminder_when_its_moment_had_passed(app):
    # Booked an hour before it starts: the day-before moment was already past.
    soon = make_session(starts_in=timedelta(hours=2))
    _booking(soon, make_user(), days_ago=1 / 24)
    # Still more than a day away: not yet due.
    later = make_session(starts_in=timedelta(days=3))
    _booking(later, make_user(), days_ago=3)
    # Already over.
    past = make_session(starts_in=timedelta(hours=-2))
    _booking(past, make_user(), days_ago=5)
    # Cancelled places get nothing.
    cancelled = make_session(starts_in=timedelta(hours=20))
    make_booking(cancelled, make_user(), status="cancelled")
    assert _run().total == 0 and _messages() == []


def test_proposal_deadline_reminder_for_unsent_drafts_only(app):
    now = utcnow()
    round_ = make_round(name="Spring round", closes_at=now + timedelta(days=6, hours=20))
    drafter = make_user(email="drafter@example.ac.uk")
    draft = make_proposal(round_, drafter)
    draft.created_at = now - timedelta(days=10)
    sent = make_proposal(round_, make_user(), state=ProposalState.SUBMITTED)
    sent.created_at = now - timedelta(days=10)
    opted_out = make_proposal(round_, make_user(wants_reminders=False))
    opted_out.created_at = now - timedelta(days=10)
    make_proposal(round_, make_user())  # started today, after the week-before moment
    db.session.commit()
    _run()
    _run()
    (message,) = _messages()
    assert message.recipient == "drafter@example.ac.uk"
    assert message.subject == "One week left to send your proposal for Spring round"
    assert f"/proposals/{draft.id}/edit" in message.body


def test_no_proposal_reminder_long_after_its_moment(app):
    now = utcnow()
    round_ = make_round(closes_at=now + timedelta(days=2))
    draft = make_proposal(round_, make_user())
    draft.created_at = now - timedelta(days=30)
    db.session.commit()
    assert _run().total == 0


def test_submission_deadline_reminder_once(app):
    round_ = make_cohort_round()
    participant = make_participant(round_, email="pat@example.ac.uk")
    today = to_local(utcnow()).date()
    db.session.add(Progress(proposal_id=participant.id, target_deadline=today + timedelta(days=7)))
    far = make_participant(round_)
    db.session.add(Progress(proposal_id=far.id, target_deadline=today + timedelta(days=30)))
    quiet = make_participant(round_, wants_reminders=False)
    db.session.add(Progress(proposal_id=quiet.id, target_deadline=today + timedelta(days=7)))
    db.session.commit()
    assert _run().queued == {"submission-deadline": 1}
    assert _run().total == 0
    (message,) = _messages()
    assert message.recipient == "pat@example.ac.uk" and message.subject.startswith("One week to your portfolio deadline")


def test_mentor_nudge_after_six_quiet_weeks_once(app):
    round_ = make_cohort_round()
    today = to_local(utcnow()).date()
    quiet_mentor = make_mentor(email="quiet.mentor@example.ac.uk")
    busy_mentor = make_mentor()
    # 43 days: today is the first day past six weeks (mentoring's rule), the nudge's moment.
    for mentor, last_met in ((quiet_mentor, 43), (busy_mentor, 10)):
        proposal = make_participant(round_)
        pairing = Pairing(round_id=round_.id, proposal_id=proposal.id, mentee_id=proposal.user_id,
                          mentor_id=mentor.id, state=PairingState.CONFIRMED,
                          confirmed_at=utcnow() - timedelta(days=90))
        db.session.add(pairing)
        db.session.flush()
        db.session.add(Meeting(pairing_id=pairing.id, held_on=today - timedelta(days=last_met)))
    db.session.commit()
    assert _run().queued == {"mentor-nudge": 1}
    assert _run().total == 0
    (message,) = _messages()
    assert message.recipient == "quiet.mentor@example.ac.uk" and message.subject == "Time to meet your mentee?"


def test_cli_command_queues_and_reports(app):
    session = make_session(starts_in=timedelta(hours=23, minutes=30))
    _booking(session, make_user(), days_ago=2)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert "queued 1 reminder(s): session-tomorrow 1" in result.output
    result = runner.invoke(args=["reminders", "send"])
    assert "queued 0 reminder(s)" in result.output
    assert len(_messages()) == 1


def test_award_reminders_a_month_before_each_anniversary_for_those_who_opted_in(app):
    from datetime import date, datetime, timezone

    from portal.reminders.models import AwardReminders
    fee_only = make_user(email="fee@example.ac.uk")
    both = make_user(email="both@example.ac.uk")
    not_opted = make_user(email="none@example.ac.uk")
    quiet = make_user(email="quiet@example.ac.uk", wants_reminders=False)
    db.session.add_all([
        AwardReminders(user_id=fee_only.id, awarded_on=date(2024, 7, 31), membership_fee=True),
        AwardReminders(user_id=both.id, awarded_on=date(2023, 7, 31), membership_fee=True, portfolio_review=True),
        AwardReminders(user_id=not_opted.id, awarded_on=date(2023, 7, 31)),
        AwardReminders(user_id=quiet.id, awarded_on=date(2023, 7, 31), membership_fee=True),
    ])
    db.session.commit()
    now = datetime(2026, 7, 1, 9, 0, tzinfo=timezone.utc)  # 30 days before 31 July
    assert _run(now).queued == {"membership-fee": 2, "portfolio-review": 1}
    assert _run(now).total == 0
    assert _run(datetime(2026, 7, 20, 9, 0, tzinfo=timezone.utc)).total == 0  # past the moment
    got = sorted((m.recipient, m.subject) for m in _messages())
    assert got == [
        ("both@example.ac.uk", "Your annual membership fee is due on Fri 31 Jul 2026"),
        ("both@example.ac.uk", "Your three-yearly portfolio review is due on Fri 31 Jul 2026"),
        ("fee@example.ac.uk", "Your annual membership fee is due on Fri 31 Jul 2026"),
    ]


# ---------------------------------------------------------------- a missed moment is skipped, for every kind

def test_a_session_reminder_is_not_sent_hours_after_its_moment(app):
    """The job missed the day-before moment by four hours: the reminder is skipped, not sent late."""
    now = utcnow()
    late = make_session(starts_at=now + timedelta(hours=20), ends_at=now + timedelta(hours=21))
    _booking(late, make_user(), days_ago=3)
    on_time = make_session(starts_at=now + timedelta(hours=22, minutes=30), ends_at=now + timedelta(hours=23))
    keen = _booking(on_time, make_user(), days_ago=3)
    assert _run(now).queued == {"session-tomorrow": 1}
    assert [m.dedupe_key for m in _messages()] == [f"reminder:session-tomorrow:{keen.id}"]


def test_a_proposal_deadline_reminder_is_skipped_a_day_after_its_moment(app):
    now = utcnow()
    late = make_round(closes_at=now + timedelta(days=5, hours=23))     # moment 25 hours ago
    on_time = make_round(closes_at=now + timedelta(days=6, hours=1))   # moment 23 hours ago
    for round_ in (late, on_time):
        make_proposal(round_, make_user()).created_at = now - timedelta(days=20)
    db.session.commit()
    assert _run(now).queued == {"proposal-deadline": 1}
    (message,) = _messages()
    assert on_time.name in message.subject


def test_a_submission_deadline_reminder_is_skipped_a_day_after_its_moment(app):
    round_ = make_cohort_round()
    now = utcnow()
    today = to_local(now).date()
    late, on_time = make_participant(round_), make_participant(round_, email="on.time@example.ac.uk")
    db.session.add(Progress(proposal_id=late.id, target_deadline=today + timedelta(days=5)))
    db.session.add(Progress(proposal_id=on_time.id, target_deadline=today + timedelta(days=7)))
    db.session.commit()
    assert _run(now).queued == {"submission-deadline": 1}
    assert [m.recipient for m in _messages()] == ["on.time@example.ac.uk"]


def test_a_mentor_nudge_is_skipped_once_its_day_has_passed(app):
    """The nudge's moment is the day the pairing becomes overdue; a spell already quiet for 50 days was missed."""
    round_ = make_cohort_round()
    now = utcnow()
    today = to_local(now).date()
    proposal = make_participant(round_)
    pairing = Pairing(round_id=round_.id, proposal_id=proposal.id, mentee_id=proposal.user_id,
                      mentor_id=make_mentor().id, state=PairingState.CONFIRMED, confirmed_at=now - timedelta(days=90))
    db.session.add(pairing)
    db.session.flush()
    db.session.add(Meeting(pairing_id=pairing.id, held_on=today - timedelta(days=50)))
    db.session.commit()
    assert _run(now).total == 0


def test_an_award_reminder_is_skipped_a_day_after_its_moment(app):
    from datetime import date, datetime, timezone

    from portal.reminders.models import AwardReminders
    holder = make_user()
    db.session.add(AwardReminders(user_id=holder.id, awarded_on=date(2024, 7, 31), membership_fee=True))
    db.session.commit()
    # The moment is midnight in London on 1 July 2026 (30 June 23:00 UTC); a day later it has passed.
    assert _run(datetime(2026, 7, 1, 23, 30, tzinfo=timezone.utc)).total == 0
    assert _run(datetime(2026, 6, 30, 23, 30, tzinfo=timezone.utc)).queued == {"membership-fee": 1}
