"""Dashboard figures on a hand-built cohort."""
from __future__ import annotations

from portal.dashboard import at_risk, funnel, queries, years
from portal.panel.funding import round_funding
from tests.dashboard.cohort import build_cohort
from tests.factories import make_user
from portal.panel.models import Assignment, PanelMember, Review
from portal.db_types import utcnow
from portal.extensions import db


def test_funnel_counts_each_step_and_its_conversion(app):
    cohort = build_cohort()
    steps = funnel.funnel(cohort.round)
    assert [(s.label, s.count) for s in steps] == [
        ("Intro session attended", 5), ("Started a proposal", 6), ("Submitted", 5), ("Selected", 3),
        ("Registered with the awarding body", 2), ("Portfolio submitted", 1), ("Awarded", 1)]
    assert steps[0].conversion is None
    assert round(steps[3].conversion, 2) == 0.6  # 3 of 5 submitted were selected
    assert steps[6].conversion == 1.0


def test_funding_counts_selected_fees(app):
    cohort = build_cohort()
    funding = round_funding(cohort.round)
    assert (funding.places, funding.places_used, funding.budget, funding.budget_used) == (10, 3, 150000, 3 * 16500)


def test_participants_at_risk_and_why(app):
    cohort = build_cohort()
    risks = {r.name: r.reasons for r in at_risk.at_risk(cohort.round)}
    assert risks["Applicant 2"] == ["No mentor"]
    quiet, deadline = risks["Applicant 1"]
    assert quiet.startswith("No meeting since")
    assert deadline.endswith("with 1 section not ready")
    assert "Applicant 0" not in risks  # awarded: nothing left to risk


def test_applications_by_department_and_pathway(app):
    cohort = build_cohort()
    by_department, by_pathway = funnel.applications_by(cohort.round.id)
    # Submitted: applicants 0-3 and the withdrawn one is not counted (withdrawn is not an application).
    assert by_department == [("Library", 2), ("School of Law", 2)]
    assert by_pathway == [("CMALT", 4)]


def test_scoring_progress_per_member(app):
    cohort = build_cohort()
    alice, bob = make_user(name="Alice Panel"), make_user(name="Bob Panel")
    for member in (alice, bob):
        db.session.add(PanelMember(round_id=cohort.round.id, user_id=member.id))
    for proposal in (cohort.awarded, cohort.drafting):
        db.session.add(Assignment(round_id=cohort.round.id, proposal_id=proposal.id, user_id=alice.id))
    db.session.add(Assignment(round_id=cohort.round.id, proposal_id=cohort.awarded.id, user_id=bob.id))
    db.session.add(Review(round_id=cohort.round.id, proposal_id=cohort.awarded.id, reviewer_id=alice.id,
                          submitted_at=utcnow()))
    db.session.commit()
    rows = [(r.name, r.done, r.assigned, r.percent) for r in queries.scoring_progress(cohort.round.id)]
    assert rows == [("Alice Panel", 1, 2, 50), ("Bob Panel", 0, 1, 0)]


def test_year_on_year_row(app):
    cohort = build_cohort()
    (row,) = years.year_rows()
    assert row.round.id == cohort.round.id
    assert (row.applications, row.selected, row.awarded, row.referred) == (4, 3, 1, 0)
    assert round(row.completion_rate, 3) == round(1 / 3, 3)
    assert row.median_days_to_submission == 40
    assert (row.mentors, row.mentor_load) == (1, 2.0)
