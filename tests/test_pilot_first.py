"""Pilot first: retries, hold-outs, spread to neighbouring units, S-shaped adoption, adoptions.csv.

Pattern tests run small communities (1-6 compounds) over fixed seeds with stated tolerances,
each against a contrast that must fail it.
"""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim.mechanisms.pilot_first import ADOPTION_COLUMNS, adoption_hazard
from sim.model import CommunityModel
from sim.runner import simulate
from sim.scenario.loader import load_scenario
from sim.validation.statistics import neighbour_adoption_lead

P = "mechanisms.pilot_first"


def scenario(compounds: int, seed: int, weeks: int, *overrides: str):
    return load_scenario(
        "default",
        [
            f"seed={seed}",
            f"structure.compounds={compounds}",
            f"steps={weeks}",
            f"{P}.enabled=true",
            *overrides,
        ],
    )


def adoptions(compounds: int, seed: int, weeks: int, *overrides: str) -> pd.DataFrame:
    return simulate(scenario(compounds, seed, weeks, *overrides)).adoptions


def followers_curve(table: pd.DataFrame, weeks: int) -> np.ndarray:
    """Share of the units that did not pilot that have adopted, at the end of weeks 1..weeks."""
    followers = table[~table["pilot"].astype(bool)]
    adopted = followers["adopted_week"].dropna().to_numpy(dtype=np.int64)
    counts = np.searchsorted(np.sort(adopted), np.arange(1, weeks + 1), side="right")
    return counts / max(len(followers), 1)


def phase_rates(curve: np.ndarray) -> tuple[float, float, float, float]:
    """Final share G, and the weekly rates of the first quarter of G (from the pilots' week),
    of the middle half (25% to 75% of G) and of the approach to saturation (75% to 95%)."""
    final = float(curve[-1])
    if final <= 0:
        return 0.0, 0.0, 0.0, 0.0
    t25, t75, t95 = (int(np.argmax(curve >= level * final)) for level in (0.25, 0.75, 0.95))
    early = 0.25 * final / (t25 + 1)
    middle = 0.5 * final / max(t75 - t25, 1)
    late = 0.2 * final / max(t95 - t75, 1)
    return final, early, middle, late


def is_s_shaped(curve: np.ndarray) -> bool:
    """Slow start, acceleration, saturation: spread reaches 30% of the followers, the middle
    half is faster than the start and than the approach to saturation."""
    final, early, middle, late = phase_rates(curve)
    return 0.3 <= final <= 1.0 and middle > early and middle > late


# --- adoptions.csv ---------------------------------------------------------------------------


def test_adoptions_table_has_one_row_per_unit_and_only_a_header_while_off():
    result = simulate(scenario(2, 1, 30))
    table = result.adoptions
    world = result.model.world
    assert list(table.columns) == list(ADOPTION_COLUMNS)
    assert len(table) == world.units
    assert (table["building"].to_numpy() == world.unit_building).all()
    assert table["pilot"].sum() >= 1
    adopted = table["adopted_week"].notna()
    assert adopted.mean() == pytest.approx(result.timeseries["practice_adoption"].iloc[-1])
    assert (table.loc[~adopted, "outcome"] == "").all()
    assert table.loc[table["outcome"].isin(["works", "failed"]), "outcome_week"].notna().all()
    off = simulate(load_scenario("default", ["structure.compounds=1", "steps=5"])).adoptions
    assert list(off.columns) == list(ADOPTION_COLUMNS) and off.empty


def test_adoptions_table_is_the_same_for_the_same_seed_and_differs_for_another():
    tables = [adoptions(2, seed, 40).to_csv(index=False) for seed in (3, 3, 4)]
    assert tables[0] == tables[1]
    assert tables[0] != tables[2]


# --- the decision of a unit -------------------------------------------------------------------


def test_adoption_hazard_rises_with_examples_and_support_and_is_zero_with_none_in_view():
    examples = np.array([0.0, 0.1, 0.2, 0.3, 0.6])
    hazard = adoption_hazard(examples, np.full(5, 0.5), np.full(5, 0.25), 1.0)
    assert hazard[0] == 0.0
    assert (np.diff(hazard) > 0).all()
    assert hazard[-1] == pytest.approx(0.5, abs=1e-3)
    support = np.array([0.2, 0.4, 0.8])
    by_support = adoption_hazard(np.full(3, 0.3), support, np.full(3, 0.25), 1.0)
    assert (np.diff(by_support) > 0).all()


# --- retries -----------------------------------------------------------------------------------


def test_failed_pilots_are_retried_after_the_wait_in_the_next_most_supportive_units():
    """With a practice that never works, each attempt pilots the most supportive units left,
    `retry_weeks` after the last failure, up to `pilot_attempts`; with one attempt, none."""
    never_works = [f"{P}.success_midpoint=1.0", f"{P}.pilot_units=2", f"{P}.retry_weeks=5"]
    for seed in (1, 2):
        model = CommunityModel(scenario(2, seed, 60, *never_works, f"{P}.pilot_attempts=3"))
        pilot = model.pilot_first
        for _ in range(60):
            attempts = pilot.attempts
            support = pilot.unit_support()
            open_before = ~pilot.adopted
            model.step()
            if pilot.attempts > attempts:
                chosen = pilot.attempt == pilot.attempts
                assert chosen.sum() == 2
                others = open_before & ~chosen & ~pilot.holds_out
                assert not pilot.holds_out[chosen].any()
                assert support[chosen].min() >= support[others].max() - 1e-12
                if attempts:
                    failed_at = pilot.outcome_week[pilot.attempt == attempts].max()
                    assert model.week == failed_at + 5
        table = simulate(model.params).adoptions
        assert sorted(table["attempt"].unique()) == [0, 1, 2, 3]
        assert table["adopted_week"].notna().sum() == 6
        assert (table.loc[table["pilot"], "outcome"] == "failed").all()
        once = adoptions(2, seed, 60, *never_works, f"{P}.pilot_attempts=1")
        assert once["attempt"].max() == 1 and once["adopted_week"].notna().sum() == 2


# --- spread to neighbouring units ----------------------------------------------------------------


def clustering_in_time(table: pd.DataFrame, group: str) -> tuple[float, float]:
    """Share of the variance of the followers' adoption weeks that lies between the groups
    (buildings or compounds), and the share expected by chance, (groups - 1) / (followers - 1)."""
    followers = table[~table["pilot"].astype(bool) & table["adopted_week"].notna()]
    weeks = followers["adopted_week"].astype(np.float64)
    total = float(((weeks - weeks.mean()) ** 2).sum())
    if total == 0:
        return 0.0, 0.0
    means = weeks.groupby(followers[group]).transform("mean")
    between = float(((means - weeks.mean()) ** 2).sum())
    chance = (followers[group].nunique() - 1) / max(len(followers) - 1, 1)
    return between / total, chance


def test_units_adopt_together_with_their_compound_unlike_spread_by_word_of_mouth_alone():
    """Followers adopt in waves by compound: the share of the variance of their adoption weeks
    between compounds is well above chance; with the examples counted only community-wide (no
    building, compound or tie weight) it falls to about chance."""
    no_neighbours = [f"{P}.{w}_weight=0" for w in ("building", "compound", "tie")]
    local, mean_field, chance = [], [], []
    for compounds, pilots in ((3, 1), (3, 2), (6, 2)):
        for seed in range(1, 9):
            runs = ((local, []), (mean_field, no_neighbours))
            for found, overrides in runs:
                table = adoptions(compounds, seed, 78, f"{P}.pilot_units={pilots}", *overrides)
                between, expected = clustering_in_time(table, "compound")
                found.append(between)
                chance.append(expected)
    assert np.mean(local) > np.mean(chance) + 0.1, (local, chance)
    assert np.mean(local) > np.mean(mean_field) + 0.1, (local, mean_field)


def test_neighbour_lead_compares_adopted_building_mates_with_those_of_open_units():
    """Two buildings of two units, the pilot in unit 0: a building mate following first leads
    by 1 - 1/3 at its week and 0 at the next (lead 1/3); the other building first, -1/6."""

    def lead(weeks: list[float]) -> float:
        table = pd.DataFrame(
            {
                "building": [0, 0, 1, 1],
                "pilot": [True, False, False, False],
                "holds_out": [False] * 4,
                "adopted_week": pd.array(weeks, dtype="Int64"),
            }
        )
        return neighbour_adoption_lead(SimpleNamespace(adoptions=table), group="building")

    assert lead([1, 5, 8, None]) == pytest.approx(1 / 3)
    assert lead([1, 8, 5, None]) == pytest.approx(-1 / 6)
    assert np.isnan(lead([1, None, None, None]))


NOT_LOCAL = [f"{P}.{w}_weight=0" for w in ("building", "compound", "tie")]
NOT_LOCAL += [f"{P}.visibility=0", f"{P}.influence=0"]


def test_followers_adopt_beside_earlier_adopters_unlike_influence_that_is_not_local():
    """Followers adopt where more of their building mates have adopted than an open unit's,
    over 1-4 compounds, 1-4 pilots and thresholds 0.15-0.35; with only the community's share
    of working units counted and no support moving along ties, the same claim fails.

    Measured over these settings and 6 seeds: lead 0.095 (sd 0.086 over runs) and 0.018 (sd
    0.087) not local, whose expectation is 0 (who adopts is then unrelated to where); over 8
    seeds the mean's standard error is about 0.015, and the bound lies 3 of them above 0."""
    settings = [(1, 1, 0.25), (2, 4, 0.35), (3, 2, 0.15), (4, 3, 0.25)]
    local, not_local = [], []
    for compounds, pilots, threshold in settings:
        knobs = (f"{P}.pilot_units={pilots}", f"{P}.adoption_threshold={threshold}")
        for seed in range(1, 9):
            for found, overrides in ((local, []), (not_local, NOT_LOCAL)):
                run = simulate(scenario(compounds, seed, 104, *knobs, *overrides))
                found.append(neighbour_adoption_lead(run, group="building"))
    assert np.nanmean(local) > 0.045, local
    assert np.nanmean(not_local) < 0.045, not_local


# --- hold-outs -----------------------------------------------------------------------------------


def test_some_units_hold_out_in_compounds_the_practice_reached():
    """Units that hold out never adopt, even where the rest of their compound did; without
    hold-outs and with thresholds at 0, every unit of a reached compound adopts.

    Over 8 seeds a reached two-compound community has about 120 units, so the share that
    never adopts (holdout_share 0.1, plus units that never cross their threshold) has a
    binomial spread of about 0.03: measured 0.076, 0.18, 0.11 and 0.088 over seeds 1-8, 9-16,
    17-24 and 25-32 (over 4 seeds, 1 unit of 46 held out)."""
    none_hold_out = [f"{P}.holdout_share=0", f"{P}.adoption_threshold=0", f"{P}.threshold_sd=0"]
    for overrides, expect_holdouts in (([], True), (none_hold_out, False)):
        never, reached_units = 0, 0
        for seed in range(1, 9):
            table = adoptions(2, seed, 104, *overrides)
            followed = table["adopted_week"].notna() & ~table["pilot"]
            reached = table[table["compound"].isin(table.loc[followed, "compound"])]
            never += int(reached["adopted_week"].isna().sum())
            reached_units += len(reached)
            assert reached.loc[reached["holds_out"], "adopted_week"].isna().all()
        if expect_holdouts:
            assert 0.03 <= never / reached_units <= 0.3, (never, reached_units)
        else:
            assert never == 0, (never, reached_units)


# --- speed: S0's 8 units in 3 months --------------------------------------------------------------


def test_a_compound_follows_its_pilot_within_months():
    """S0: the pilot went first and the others followed, 8 units in 3 months. In one compound
    (about 8 units) half or more of the units have adopted by week 13 in the median run, and
    the pilot's week alone is far from it."""
    at_13, units = [], []
    for seed in range(1, 9):
        table = adoptions(1, seed, 13)
        at_13.append(int(table["adopted_week"].notna().sum()))
        units.append(len(table))
    assert np.median(np.array(at_13) / np.array(units)) >= 0.4, (at_13, units)
    assert np.median(at_13) >= 3, at_13


# --- S-shaped adoption -----------------------------------------------------------------------------

GRID = [(compounds, pilots) for compounds in (1, 3, 6) for pilots in (1, 2, 4)]
# The mean curve mixes runs whose pilots work at once with runs that wait for a retry, and in
# the 3-compound settings the middle half is only about 1.2 times as fast as the start, so
# over 6 seeds the count of S-shaped settings moved between 6 and 9 (seeds 1-6, 7-12, 13-18,
# 19-24: 6, 9, 6, 8 of 9); over 12 seeds it was 9 and 8, and over 24 seeds all 9 settings.
S_SEEDS = range(1, 13)
S_WEEKS = 78


def mean_followers_curve(
    compounds: int, pilots: int, *overrides: str, seeds: range = S_SEEDS
) -> np.ndarray:
    curves = [
        followers_curve(
            adoptions(compounds, seed, S_WEEKS, f"{P}.pilot_units={pilots}", *overrides), S_WEEKS
        )
        for seed in seeds
    ]
    return np.mean(curves, axis=0)


def test_adoption_is_s_shaped_over_pilot_counts_and_community_sizes():
    """The followers' mean adoption curve (12 seeds) starts slowly, accelerates and saturates in
    at least 7 of the 9 settings of 1, 3, 6 compounds and 1, 2, 4 pilots."""
    shaped = {setting: is_s_shaped(mean_followers_curve(*setting)) for setting in GRID}
    assert sum(shaped.values()) >= 7, shaped


@pytest.mark.parametrize(
    "overrides",
    [
        [f"{P}.{w}_weight=0" for w in ("building", "compound", "tie", "community")],
        [f"{P}.enabled=false"],
    ],
    ids=["no_neighbour_effect", "pilots_off"],
)
def test_without_neighbour_effect_or_pilots_nothing_spreads(overrides):
    """The contrasts: with no example counted, or no pilots, no setting is S-shaped (nothing
    spreads at all, so 6 seeds suffice)."""
    for setting in [(1, 1), (3, 2), (6, 4)]:
        curve = mean_followers_curve(*setting, *overrides, seeds=range(1, 7))
        assert not is_s_shaped(curve), setting


def test_ties_to_units_where_it_works_are_counted_as_the_ties_themselves_say():
    """Each household's count of ties in units where the practice works, kept up as outcomes
    show, equals the count taken afresh from the tie matrix (exactly: the shares read from it
    are the model's outputs)."""
    model = CommunityModel(scenario(2, 3, 104, f"{P}.start_week=1"))
    pilot = model.pilot_first
    for _ in range(104):
        model.step()
    visible = pilot.succeeded[model.world.unit].astype(float)
    assert pilot.succeeded.sum() >= 5
    assert np.array_equal(pilot.tied_successes, model.ties.adjacency @ visible)
