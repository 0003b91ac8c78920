"""Round services: validation, no overlapping windows in a scheme, pathways chosen by proposals stay, fees in pence
(state moves: test_clock.py)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.extensions import db
from portal.proposals.queries import FOR_ROUNDS
from portal.rounds import services
from portal.rounds.models import RoundState
from portal.timeutil import local_to_utc
from portal.web.fields import pence_text, pounds_to_pence
from tests.factories import make_proposal, make_round, make_scheme, make_user


def data(scheme, **overrides) -> services.RoundData:
    opens = local_to_utc(datetime(2026, 9, 1, 9, 0))
    values = dict(name="CMALT cohort 2026/27", scheme=scheme, pathways=list(scheme.pathways), opens_at=opens,
                  closes_at=local_to_utc(datetime(2026, 10, 21, 12, 0)), funded_places=12, budget_pence=200000,
                  word_limits={"motivation": 500})
    values.update(overrides)
    return services.RoundData(**values)


def test_pounds_become_whole_pence_and_back():
    assert pounds_to_pence("165") == 16500 and pounds_to_pence("165.5") == 16550
    assert pounds_to_pence(" £1,650.05 ") == 165005 and pounds_to_pence("0.07") == 7
    for bad in ("0.005", "1e3", "nan", "inf", "-1", "1,65", "", "12 34", "١٢"):
        assert pounds_to_pence(bad) is None, bad
    assert pence_text(16500) == "165.00" and pence_text(7) == "0.07" and pence_text(None) == ""


def test_funded_places_and_budget_are_bounded_so_the_database_can_hold_them(app):
    scheme = make_scheme()
    with pytest.raises(services.RoundError) as refused:
        services.save_round(make_user(), None, data(scheme, funded_places=2147483648), FOR_ROUNDS)
    assert refused.value.field == "funded_places"
    with pytest.raises(services.RoundError) as refused:
        services.save_round(make_user(), None, data(scheme, budget_pence=10 ** 20), FOR_ROUNDS)
    assert refused.value.field == "budget"


def test_create_round_as_draft_with_audit(app):
    lead = make_user(roles=[Role.LEAD])
    scheme = make_scheme()
    round_ = services.save_round(lead, None, data(scheme), FOR_ROUNDS)
    db.session.commit()
    assert round_.state == RoundState.DRAFT
    assert round_.closes_at.isoformat() == "2026-10-21T11:00:00+00:00"  # 12:00 BST
    assert round_.word_limits == {"motivation": 500}
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_id == round_.id)) == "round.created"


@pytest.mark.parametrize("overrides, field, message", [
    ({"closes_at": datetime(2026, 9, 1, 8, 0, tzinfo=timezone.utc)}, "closes_on", "closing time must be after"),
    ({"funded_places": -1}, "funded_places", "cannot be negative"),
    ({"budget_pence": -100}, "budget", "cannot be negative"),
    ({"pathways": []}, "pathway_ids", "at least one pathway"),
])
def test_round_validation(app, overrides, field, message):
    scheme = make_scheme()
    with pytest.raises(services.RoundError) as refused:
        services.save_round(make_user(), None, data(scheme, **overrides), FOR_ROUNDS)
    assert refused.value.field == field and message in refused.value.message


def test_a_pathway_chosen_by_a_proposal_cannot_be_dropped(app):
    round_ = make_round()
    make_proposal(round_, pathway_id=round_.pathways[2].id)
    with pytest.raises(services.RoundError) as refused:
        services.save_round(make_user(), round_, data(round_.scheme, pathways=round_.pathways[:2]), FOR_ROUNDS)
    assert refused.value.message == "Proposals in this round chose Senior CMALT, so it must stay on offer."
    db.session.rollback()
    kept = services.save_round(make_user(), round_, data(round_.scheme, pathways=round_.pathways[1:]),
                              FOR_ROUNDS)
    assert [p.name for p in kept.pathways] == ["CMALT", "Senior CMALT"]


def test_moving_a_scheduled_rounds_dates_into_another_rounds_window_is_refused(app):
    scheme = make_scheme()
    autumn = make_round(scheme, name="Autumn")
    spring = make_round(scheme, state=RoundState.SCHEDULED, name="Spring", opens_at=autumn.closes_at,
                        closes_at=autumn.closes_at + timedelta(days=30))
    with pytest.raises(services.RoundError) as refused:
        services.save_round(make_user(), spring, data(scheme, name="Spring", opens_at=autumn.opens_at,
                                                      closes_at=spring.closes_at), FOR_ROUNDS)
    assert refused.value.field == "opens_on" and refused.value.message.startswith("“Autumn” accepts proposals from")
    db.session.rollback()
    # A draft may hold any dates: the rule applies when it is scheduled.
    draft = make_round(scheme, state=RoundState.DRAFT)
    services.save_round(make_user(), draft, data(scheme, opens_at=autumn.opens_at, closes_at=autumn.closes_at),
                        FOR_ROUNDS)


def test_pathway_fee_in_pounds_and_sections_one_per_line(app):
    scheme = make_scheme()
    pathway = services.save_pathway(make_user(), scheme, None, name="Fellowship", fee_pence=9999,
                                    min_years=2, max_years=None, level=4,
                                    sections_text="Context\n\n  Evidence one \nReflection\n")
    assert pathway.fee_pence == 9999
    assert pathway.portfolio_sections == ["Context", "Evidence one", "Reflection"]
    with pytest.raises(services.RoundError):
        services.save_pathway(make_user(), scheme, pathway, name="Fellowship", fee_pence=-1)
    with pytest.raises(services.RoundError):
        services.save_pathway(make_user(), scheme, pathway, name="Fellowship", fee_pence=100, min_years=5,
                              max_years=3)
    assert timedelta  # imported for the parametrised cases
