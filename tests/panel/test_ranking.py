"""The moderation ranking is read in the database (one aggregate a proposal); each shown row's details
are read pair by pair. These tests hold the two to the same answer on awkward data."""
from __future__ import annotations

import random
from collections import Counter

import pytest

from portal.extensions import db
from portal.panel import assigning, ranking, reviewing, scoring, setting_up
from portal.panel.models import Aggregate
from tests.panel.helpers import build_panel, score


def _awkward_round():
    """Four members, ten proposals: random complete scores, an incomplete review, an abstention, a
    proposal nobody scored, a conflict declared after scoring, an automatic conflict arising after
    scoring (the applicant's line manager), and a review left behind by an unassignment."""
    p = build_panel(members=4, proposals=10)
    a, b, c, d = p.members
    rng = random.Random(2026)
    for prop in p.proposals[:8]:
        for member in p.members:
            score(member, prop, p.criteria, [rng.randint(1, 5) for _ in p.criteria])
    partly = p.proposals[8]
    score(a, partly, p.criteria, [3, 4, 5, 2])
    score(b, partly, p.criteria, [2, 2, None, 2])  # in progress: no total
    reviewing.abstain(c, partly, "We share an office")
    assigning.declare_conflict(d, p.proposals[0], "Co-author")
    p.proposals[1].applicant.line_manager_id = c.id
    assert assigning.toggle_assignment(p.lead, p.proposals[2], b) is False
    db.session.commit()
    return p


@pytest.mark.parametrize("how", [Aggregate.MEAN, Aggregate.MEDIAN])
def test_the_ranking_agrees_with_every_rows_own_totals(app, how):
    p = _awkward_round()
    a, b, c, d = p.members
    setting_up.ensure_settings(p.round).aggregate = how
    db.session.commit()

    table = ranking.moderation(p.round)
    for row in table.rows:
        if row.totals:
            assert row.aggregate == pytest.approx(scoring.aggregate(list(row.totals), how.value), abs=1e-9)
        else:
            assert row.aggregate is None
    order = sorted(table.rows, key=lambda r: (r.aggregate is None, -(r.aggregate or 0),
                                              r.proposal.applicant_name.lower()))
    assert table.rows == order
    assert [r.rank for r in table.rows] == [i + 1 if r.aggregate is not None else None
                                            for i, r in enumerate(table.rows)]

    by_id = {row.proposal.id: row for row in table.rows}
    declared, managed, left_behind, partly, unscored = (by_id[p.proposals[i].id] for i in (0, 1, 2, 8, 9))
    assert d.id not in declared.by_member and len(declared.totals) == 3
    assert c.id not in managed.by_member and len(managed.totals) == 3
    kept = left_behind.by_member[b.id]
    assert kept.total is not None and not kept.missing and len(left_behind.totals) == 4
    assert len(partly.totals) == 1 and partly.aggregate == pytest.approx(partly.totals[0])
    assert [m.id for m in partly.missing] == [b.id, d.id] and partly.by_member[c.id].abstained
    assert unscored.aggregate is None and unscored.rank is None and len(unscored.missing) == 4


def test_missing_scores_per_member_agree_with_the_rows(app):
    p = _awkward_round()
    table = ranking.moderation(p.round)
    from_rows = Counter(person.id for row in table.rows for person in row.missing)
    assert table.missing_by_member == dict(from_rows)
    a, b, c, d = p.members
    # Everyone on the unscored proposal; B (in progress) and D, not C (abstained), on the partly scored one.
    assert table.missing_by_member == {a.id: 1, b.id: 2, c.id: 1, d.id: 2}


def test_calibration_reads_each_member_against_their_own_scale(app):
    p = _awkward_round()
    table = ranking.moderation(p.round)
    mine: dict[int, dict[int, float]] = {}
    for row in table.rows:
        for column in row.reviewers:
            if column.total is not None:
                mine.setdefault(column.reviewer.id, {})[row.proposal.id] = column.total
    for row in table.rows:
        for member_id, z in row.z.items():
            totals = list(mine[member_id].values())
            mean = sum(totals) / len(totals)
            sd = (sum((t - mean) ** 2 for t in totals) / len(totals)) ** 0.5
            assert z == pytest.approx((mine[member_id][row.proposal.id] - mean) / sd)
        expected = scoring.aggregate(list(row.z.values()))
        assert row.calibrated == (pytest.approx(expected) if expected is not None else None)


def test_equal_totals_tie_and_go_by_name_in_whatever_order_the_database_adds_them(app):
    p = build_panel(members=3, proposals=2)
    first, second = p.proposals  # Applicant 1, Applicant 2
    # Weighted totals of 6/30, 7/30 and 13/30 (×100), given to the two proposals in opposite orders:
    # added up as floats, (t6 + t7) + t13 is a hair below (t13 + t7) + t6.
    low, middle, high = [1, 1, 1, 1], [1, 1, 2, 1], [1, 3, 4, 1]
    for member, mine, theirs in zip(p.members, (low, middle, high), (high, middle, low)):
        score(member, first, p.criteria, mine)
        score(member, second, p.criteria, theirs)
    table = ranking.moderation(p.round)
    assert table.rows[0].aggregate == table.rows[1].aggregate
    assert [r.proposal.id for r in table.rows] == [first.id, second.id]
