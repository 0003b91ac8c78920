"""Pathway guidance follows each pathway's stated eligibility (years and leadership), read from its data."""
from __future__ import annotations

from portal.rounds.guidance import describe_eligibility, suggest
from portal.rounds.models import Pathway

PATHWAYS = [Pathway(id=1, name="Associate CMALT", min_years=0, max_years=3, level=1, position=0,
                    requires_leadership=False),
            Pathway(id=2, name="CMALT", min_years=3, max_years=None, level=2, position=1, requires_leadership=False),
            Pathway(id=3, name="Senior CMALT", min_years=4, max_years=None, level=3, position=2,
                    requires_leadership=True)]


def name(years, leadership=None):
    suggestion = suggest(PATHWAYS, years, leadership)
    return suggestion.pathway.name if suggestion and suggestion.pathway else None


def test_years_and_the_leadership_answer_decide_the_pathway():
    assert name(0) == name(2) == name(2, True) == "Associate CMALT"
    assert name(3) == name(3, True) == "CMALT"  # Senior asks for more than three years
    assert name(9) == name(20, False) == "CMALT"
    assert name(4, True) == name(9, True) == name(20, True) == "Senior CMALT"
    assert suggest(PATHWAYS, None, True) is None
    assert suggest(PATHWAYS, -1) is None


def test_the_reason_says_why_and_what_else_is_open():
    senior = suggest(PATHWAYS, 20, True, role="Head of Digital Education")
    assert senior.reason == ("You have 20 years of experience and, as Head of Digital Education, leadership, "
                             "strategy or research responsibilities, so Senior CMALT fits (4 years or more plus "
                             "leadership, strategy or research responsibilities). CMALT is also open to you.")
    assert [p.name for p in senior.alternatives] == ["CMALT"]
    assert not senior.asks_leadership
    associate = suggest(PATHWAYS, 2, None)
    assert associate.reason == "You have 2 years of experience, so Associate CMALT fits (under 3 years)."
    assert associate.alternatives == [] and not associate.asks_leadership


def test_an_unanswered_question_is_asked_when_it_would_change_the_suggestion():
    unanswered = suggest(PATHWAYS, 9, None)
    assert unanswered.pathway.name == "CMALT" and unanswered.asks_leadership
    assert "If you have leadership, strategy or research responsibilities, Senior CMALT fits instead" in unanswered.reason
    declined = suggest(PATHWAYS, 9, False)
    assert not declined.asks_leadership
    assert declined.reason.endswith("Senior CMALT also asks for leadership, strategy or research responsibilities.")


def test_guidance_reads_the_pathways_data_not_their_names():
    fellowship = [Pathway(id=7, name="Fellow", min_years=None, max_years=None, level=1, position=0,
                          requires_leadership=False),
                  Pathway(id=8, name="Principal Fellow", min_years=10, max_years=None, level=2, position=1,
                          requires_leadership=True)]
    assert suggest(fellowship, 12, True).pathway.name == "Principal Fellow"
    assert suggest(fellowship, 12, False).pathway.name == "Fellow"
    assert describe_eligibility(fellowship[0]) == "any length of experience"
    nothing = suggest(fellowship[1:], 2, True)
    assert nothing.pathway is None and "Ask the programme lead" in nothing.reason


def test_describe_eligibility_from_the_band():
    assert describe_eligibility(PATHWAYS[0]) == "under 3 years"
    assert describe_eligibility(PATHWAYS[1]) == "3 years or more"
    band = Pathway(name="Mid", min_years=2, max_years=6, requires_leadership=False)
    assert describe_eligibility(band) == "2 to 5 years"
