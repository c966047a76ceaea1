"""Consent arithmetic: hand-computed votes under every rule, with area weighting and quorums."""

import typing

import numpy as np
import pytest

from sim.mechanisms.consent import (
    CIVIL_CODE_MAJOR,
    CIVIL_CODE_ORDINARY,
    CONSENT_RULES,
    MAJORITY,
    SHARE,
    UNANIMITY,
    consent_rule,
    tally,
    unit_groups,
)
from sim.scenario.crowdfunding_params import ConsentRuleName


def ballot(votes: str, areas: list[float] | None = None):
    """Owners from a string: Y (yes), N (no), - (did not vote); equal areas unless given."""
    voted = np.array([v != "-" for v in votes])
    yes = np.array([v == "Y" for v in votes])
    area = np.ones(len(votes)) if areas is None else np.asarray(areas, dtype=float)
    return area, voted, yes


def passes(rule: str, votes: str, areas: list[float] | None = None, **kwargs) -> bool:
    area, voted, yes = ballot(votes, areas)
    return tally(consent_rule(rule, **kwargs), area, voted, yes).passed


def test_the_schema_offers_exactly_the_rules_the_consent_module_counts():
    assert set(typing.get_args(ConsentRuleName)) == set(CONSENT_RULES)


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="unknown consent rule"):
        consent_rule("two_thirds")


# --- unanimity --------------------------------------------------------------------------------


def test_unanimity_needs_every_eligible_owner():
    assert passes(UNANIMITY, "YYYYYY")
    assert not passes(UNANIMITY, "YYYYYN")
    assert not passes(UNANIMITY, "YYYYY-"), "an abstention counts against"


# --- a share of all owners ------------------------------------------------------------------------


def test_share_rule_counts_against_all_eligible_owners_by_headcount():
    assert passes(SHARE, "YYYYYYYYYN", share=0.9)  # 9 of 10 = 90%
    assert not passes(SHARE, "YYYYYYYYNN", share=0.9)  # 8 of 10
    assert not passes(SHARE, "YYYYYYYYY-", share=1.0)


def test_share_rule_also_needs_the_share_by_area():
    # 9 of 10 by headcount, but the no owns 20 of 65 m2: yes area 45/65 = 69% < 90%
    areas = [5.0] * 9 + [20.0]
    assert not passes(SHARE, "YYYYYYYYYN", areas, share=0.9)
    assert passes(SHARE, "YYYYYYYYYN", areas, share=0.65)


# --- simple majority of participants --------------------------------------------------------------


def test_majority_of_participants_needs_no_quorum_and_more_than_half():
    assert passes(MAJORITY, "YY-N------")  # 2 of 3 participants
    assert not passes(MAJORITY, "YYNN")  # a tie is not a majority
    assert not passes(MAJORITY, "----")


def test_majority_rule_ignores_area():
    assert passes(MAJORITY, "YYN", [10.0, 10.0, 100.0])


# --- Civil Code art. 278 ----------------------------------------------------------------------------


def test_civil_code_quorum_is_two_thirds_of_owners_by_headcount():
    # 9 owners of equal area: 6 voting is exactly 2/3 (met); 5 is not
    assert passes(CIVIL_CODE_ORDINARY, "YYYYNN---")
    count = tally(consent_rule(CIVIL_CODE_ORDINARY), *ballot("YYYYN----"))
    assert not count.quorum_met and not count.passed
    assert count.turnout == 5 and count.eligible == 9


def test_civil_code_quorum_is_also_two_thirds_by_area():
    # 6 of 9 take part (2/3 by headcount) but own 60 of 130 m2 (46%)
    areas = [10.0] * 6 + [70.0 / 3] * 3
    count = tally(consent_rule(CIVIL_CODE_ORDINARY), *ballot("YYYYYY---", areas))
    assert not count.quorum_met
    assert count.turnout_area_share == pytest.approx(60 / 130)


def test_civil_code_ordinary_matters_need_more_than_half_of_participants_by_headcount_and_area():
    assert passes(CIVIL_CODE_ORDINARY, "YYYYNNN")  # 4 of 7
    assert not passes(CIVIL_CODE_ORDINARY, "YYYNNN")  # 3 of 6: not more than half
    # 4 of 7 by headcount, but the yes owners hold 40 of 100 m2 of the participants
    areas = [10.0, 10.0, 10.0, 10.0, 20.0, 20.0, 20.0]
    count = tally(consent_rule(CIVIL_CODE_ORDINARY), *ballot("YYYYNNN", areas))
    assert count.yes_area_share == pytest.approx(0.4)
    assert count.quorum_met and not count.passed


def test_civil_code_renovation_needs_three_quarters_of_participants_by_headcount_and_area():
    assert passes(CIVIL_CODE_MAJOR, "YYYYYYNN")  # 6 of 8 = 3/4 exactly ("at least")
    assert not passes(CIVIL_CODE_MAJOR, "YYYYYNNN")  # 5 of 8
    # 6 of 8 by headcount but the two no owners hold 40% of the participants' area
    areas = [10.0] * 6 + [20.0, 20.0]
    assert not passes(CIVIL_CODE_MAJOR, "YYYYYYNN", areas)
    # 3/4 exactly by area too: yes 75 of 100 m2
    areas = [12.5] * 6 + [12.5, 12.5]
    assert passes(CIVIL_CODE_MAJOR, "YYYYYYNN", areas)


def test_civil_code_renovation_counts_participants_so_abstentions_do_not_block_it():
    # 12 owners, 9 take part (quorum met), 7 say yes: 7/9 = 78% of participants, 58% of owners
    assert passes(CIVIL_CODE_MAJOR, "YYYYYYYNN---")
    assert not passes(UNANIMITY, "YYYYYYYNN---")
    assert not passes(SHARE, "YYYYYYYNN---", share=0.9)


def test_yes_area_share_is_of_the_participants_area():
    count = tally(consent_rule(CIVIL_CODE_MAJOR), *ballot("YYN-", [30.0, 30.0, 40.0, 50.0]))
    assert count.yes_area_share == pytest.approx(0.6)
    assert count.turnout_area_share == pytest.approx(100 / 150)
    assert (count.eligible, count.turnout, count.yes_headcount) == (4, 3, 2)


# --- the veto of harmed households --------------------------------------------------------------


def test_a_harmed_household_voting_no_vetoes_only_with_the_veto():
    area, voted, yes = ballot("NYYYYYYYYYYY")
    harmed = np.zeros(12, dtype=bool)
    harmed[0] = True
    rule = consent_rule(CIVIL_CODE_MAJOR)
    assert tally(rule, area, voted, yes).passed
    vetoed = tally(rule, area, voted, yes, harmed)
    assert vetoed.vetoed and not vetoed.passed


def test_a_harmed_household_that_stays_away_does_not_veto():
    area, voted, yes = ballot("-YYYYYYYYYYY")
    harmed = np.zeros(12, dtype=bool)
    harmed[0] = True
    count = tally(consent_rule(CIVIL_CODE_MAJOR), area, voted, yes, harmed)
    assert not count.vetoed and count.passed


def test_a_yes_without_a_vote_is_not_counted():
    area = np.ones(4)
    voted = np.array([True, True, False, False])
    yes = np.array([True, False, True, True])
    count = tally(consent_rule(MAJORITY), area, voted, yes)
    assert count.yes_headcount == 1 and not count.passed


@pytest.mark.parametrize("ordered", [True, False], ids=["unit by unit", "mixed"])
def test_owners_are_grouped_by_unit_as_np_unique_groups_them(ordered):
    rng = np.random.default_rng(5)
    for _ in range(200):
        unit = rng.integers(0, rng.integers(1, 12), size=rng.integers(1, 50))
        unit = np.sort(unit) if ordered else unit
        group, units = unit_groups(unit)
        labels, expected = np.unique(unit, return_inverse=True)
        assert units == labels.size
        assert np.array_equal(group, expected)
