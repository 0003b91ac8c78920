"""The lead's at-risk list, the mentor's dashboard and the reminders agree on who is at risk and why:
each asks mentoring's rules (registration valid for two years, six weeks without a meeting, a deadline
within eight weeks with sections not ready)."""
from __future__ import annotations

from datetime import timedelta

from dateutil.relativedelta import relativedelta

from portal.db_types import utcnow
from portal.dashboard.at_risk import at_risk
from portal.extensions import db
from portal.mentoring import queries as mentoring_queries
from portal.mentoring.models import Meeting, Pairing, PairingState, Progress, ProgressSection, SectionStatus
from portal.reminders.services import send_reminders
from portal.timeutil import to_local
from tests.factories import make_cohort_round, make_mentor, make_participant


def _participant(round_, *, registered_months_ago=None, last_met_days_ago=3, deadline_in=None, not_ready=0):
    """A participant with a confirmed mentor, their own progress and a meeting; returns (proposal, mentor)."""
    now = utcnow()
    today = to_local(now).date()
    proposal = make_participant(round_)
    mentor = make_mentor(capacity=2)
    pairing = Pairing(round_id=round_.id, proposal_id=proposal.id, mentee_id=proposal.user_id, mentor_id=mentor.id,
                      state=PairingState.CONFIRMED, confirmed_at=now - timedelta(days=200))
    db.session.add(pairing)
    db.session.flush()
    db.session.add(Meeting(pairing_id=pairing.id, held_on=today - timedelta(days=last_met_days_ago)))
    registered = today - relativedelta(months=registered_months_ago) if registered_months_ago is not None else None
    db.session.add(Progress(
        proposal_id=proposal.id, registered_on=registered,
        target_deadline=today + deadline_in if deadline_in is not None else None,
        sections=[ProgressSection(name=f"Section {i}", position=i,
                                  status=SectionStatus.DRAFTING if i < not_ready else SectionStatus.READY)
                  for i in range(3)]))
    db.session.commit()
    return proposal, mentor


def _both_views(round_, proposal, mentor):
    """(the lead's reasons for this participant, the mentor's dashboard row for them)."""
    now = utcnow()
    reasons = {r.proposal_id: r.reasons for r in at_risk(round_, now)}.get(proposal.id, [])
    (row,) = mentoring_queries.dashboard_rows(mentoring_queries.mentor_pairings(mentor.id), to_local(now).date())
    return reasons, row


def test_a_registration_18_months_old_is_valid_on_both_dashboards(app):
    round_ = make_cohort_round()
    proposal, mentor = _participant(round_, registered_months_ago=18)
    reasons, row = _both_views(round_, proposal, mentor)
    assert row.registration == "valid"
    assert reasons == []


def test_a_registration_22_months_old_is_expiring_on_both_dashboards_with_the_same_date(app):
    round_ = make_cohort_round()
    proposal, mentor = _participant(round_, registered_months_ago=22)
    reasons, row = _both_views(round_, proposal, mentor)
    expires = row.progress.registered_on + relativedelta(years=2)
    assert row.registration == "expiring"
    assert reasons == [f"Registration expires on {expires.strftime('%-d %B %Y')}"]


def test_six_weeks_without_a_meeting_is_the_same_boundary_for_the_lead_the_mentor_and_the_nudge(app):
    round_ = make_cohort_round()
    exactly, exactly_mentor = _participant(round_, last_met_days_ago=42)
    over, over_mentor = _participant(round_, last_met_days_ago=43)

    reasons, row = _both_views(round_, exactly, exactly_mentor)
    assert not row.meeting_overdue and reasons == []
    reasons, row = _both_views(round_, over, over_mentor)
    assert row.meeting_overdue and len(reasons) == 1 and reasons[0].startswith("No meeting since")

    report = send_reminders()
    db.session.commit()
    assert report.queued == {"mentor-nudge": 1}  # only the mentor whose mentee is overdue


def test_a_deadline_seven_weeks_away_with_a_section_not_ready_is_at_risk_on_both_dashboards(app):
    round_ = make_cohort_round()
    proposal, mentor = _participant(round_, deadline_in=timedelta(weeks=7), not_ready=1)
    reasons, row = _both_views(round_, proposal, mentor)
    assert row.deadline_at_risk
    assert len(reasons) == 1 and reasons[0].endswith("with 1 section not ready")
