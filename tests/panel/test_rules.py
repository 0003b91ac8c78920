"""Panel predicates and arithmetic, as pure functions."""
from __future__ import annotations

from types import SimpleNamespace as NS

import pytest

from portal.panel import rules, scoring
from portal.rounds.models import RoundState

W = [scoring.CriterionWeight(1, 3), scoring.CriterionWeight(2, 2), scoring.CriterionWeight(3, 1),
     scoring.CriterionWeight(4, 1, counted=False)]


def test_weighted_total_is_normalised_to_100_and_ignores_uncounted_criteria():
    assert scoring.weighted_total({1: 5, 2: 5, 3: 5, 4: 1}, W) == 100.0
    assert scoring.weighted_total({1: 1, 2: 1, 3: 1, 4: 5}, W) == 20.0
    assert round(scoring.weighted_total({1: 4, 2: 4, 3: 3}, W), 4) == round(23 / 30 * 100, 4)
    assert scoring.weighted_total({1: 4, 2: 4}, W) is None  # impact missing


def test_aggregate_spread_and_disagreement():
    assert scoring.aggregate([60.0, 80.0, 100.0]) == 80.0
    assert scoring.aggregate([60.0, 70.0, 100.0], "median") == 70.0
    assert scoring.aggregate([]) is None
    assert round(scoring.spread([60.0, 80.0, 100.0]), 3) == 16.330  # sqrt((400 + 0 + 400) / 3)
    assert scoring.spread([70.0]) == 0.0
    assert scoring.disagreements([{1: 5, 2: 3}, {1: 3, 2: 4}, {1: 4}], [1, 2]) == [1]
    assert scoring.disagreements([{1: 5}], [1]) == []


def test_z_scores_make_a_harsh_and_a_generous_scorer_count_alike():
    harsh = scoring.scale_from_sums(2, 40.0 + 60.0, 40.0 ** 2 + 60.0 ** 2, 40.0, 60.0)
    generous = scoring.scale_from_sums(2, 80.0 + 100.0, 80.0 ** 2 + 100.0 ** 2, 80.0, 100.0)
    assert (harsh.z(40.0), harsh.z(60.0)) == (-1.0, 1.0) == (generous.z(80.0), generous.z(100.0))
    assert scoring.scale_from_sums(1, 70.0, 4900.0, 70.0, 70.0).z(70.0) == 0.0


def test_a_member_who_gives_every_proposal_the_same_total_has_no_spread_exactly():
    total, n = 73.33333333333333, 1000
    # Summed as a database sums, these leave a residue that would turn into z-scores of noise.
    sums = (sum([total] * n), sum([total * total] * n))
    assert sums[0] / n != total
    assert scoring.scale_from_sums(n, *sums, total, total) == scoring.Scale(mean=total, sd=0.0)


def test_equal_totals_added_in_another_order_rank_as_a_tie():
    a, b, c = 31.428571428571427, 71.42857142857143, 97.14285714285714  # weighted totals out of 100
    first, second = ((a + b) + c) / 3, ((c + b) + a) / 3
    assert first != second
    assert scoring.as_ranked(first) == scoring.as_ranked(second)


def test_spread_chart_places_dots_on_the_axis():
    chart = scoring.spread_chart([0.0, 50.0, 100.0], 50.0, width=112, pad=6)
    assert [x for x, _ in chart.dots] == [6.0, 56.0, 106.0]
    assert (chart.centre_x, chart.low_x, chart.high_x) == (56.0, 6.0, 106.0)
    stacked = scoring.spread_chart([50.0, 50.0], 50.0)
    assert stacked.dots[0] != stacked.dots[1]


def _person(id=1, email="pm@example.ac.uk", department="School of Education"):
    return NS(id=id, email=email, department=department)


@pytest.mark.parametrize("proposal, applicant, same_dept, reason", [
    (NS(user_id=1, line_manager_email="", department=""), NS(line_manager_id=None, department=""), False,
     "This is your own proposal."),
    (NS(user_id=2, line_manager_email="", department=""), NS(line_manager_id=1, department=""), False,
     "You are the applicant's line manager."),
    (NS(user_id=2, line_manager_email=" PM@example.ac.uk", department=""), NS(line_manager_id=None, department=""),
     False, "You are named as the applicant's line manager."),
    (NS(user_id=2, line_manager_email="", department="school of education"), NS(line_manager_id=None, department=""),
     True, "The applicant is in your department."),
    (NS(user_id=2, line_manager_email="", department=""), NS(line_manager_id=None, department="School of Education"),
     True, "The applicant is in your department."),
    (NS(user_id=2, line_manager_email="", department="School of Education"), NS(line_manager_id=None, department=""),
     False, None),
    (NS(user_id=2, line_manager_email="", department=""), NS(line_manager_id=None, department=""), True, None),
])
def test_automatic_conflicts(proposal, applicant, same_dept, reason):
    assert rules.automatic_conflict_reason(_person(), proposal, applicant, same_dept) == reason


def _settings(closed=None, released=None):
    return NS(scoring_closed_at=closed, released_at=released)


def test_scoring_is_open_only_in_review_before_closing_and_release():
    in_review = NS(state=RoundState.IN_REVIEW)
    assert rules.is_scoring_open(_settings(), in_review)
    assert not rules.is_scoring_open(_settings(closed="x"), in_review)
    assert not rules.is_scoring_open(_settings(released="x"), in_review)
    assert not rules.is_scoring_open(_settings(), NS(state=RoundState.OPEN))


def test_blind_until_own_review_is_complete_or_moderation_begins():
    round_ = NS(state=RoundState.IN_REVIEW)
    assert not rules.can_see_other_scores(_settings(), round_, None)
    assert not rules.can_see_other_scores(_settings(), round_, NS(submitted_at=None, abstained=False))
    assert not rules.can_see_other_scores(_settings(), round_, NS(submitted_at=None, abstained=True))
    assert rules.can_see_other_scores(_settings(), round_, NS(submitted_at="now", abstained=False))
    assert rules.can_see_other_scores(_settings(closed="x"), round_, None)
    assert rules.can_see_other_scores(_settings(), NS(state=RoundState.DECIDED), None)


def test_rubric_editable_only_before_the_first_score():
    assert rules.is_rubric_editable(0, _settings())
    assert not rules.is_rubric_editable(1, _settings())
