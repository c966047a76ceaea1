"""After a points scheme ends, its dip in participation is bounded and fades (pattern 9).

Deci, Koestner & Ryan (1999): tangible rewards lower later free-choice behaviour by about a third
of a standard deviation (d = -0.34), and less for unexpected or verbal rewards. The model's bound:
a year after the scheme ends, participation is at most `BOUND` standard deviations below the same
community that never had one. Each setting runs the scheme for two years (weeks 26-129, as in
`time_bank`), then two years without it, against the same community and seed with no scheme
(the two runs are identical up to week 26). The after-effect in a quarter is

    d = (P_points - P_never) / SD_never

with P the share of household-weeks active in the quarter and SD_never the spread, across the
households of the never-treated run, of their share of weeks active in it. "A year after" is
the quarter ending 52 weeks after the scheme, "two years after" the one ending 104 weeks after.
Settings: one compound with low trust in committees, three compounds with the default trust;
seeds 1-8 each: the bound is checked on the mean over seeds, the fading on the median (see
`dip`).
"""

from functools import cache

import numpy as np
import pytest

from sim.mechanisms.points import recovery_factor
from sim.model import CommunityModel
from sim.scenario.loader import load_scenario

START, END = 26, 130
STEPS = END + 104
QUARTER = 13
SEEDS = tuple(range(1, 9))
SETTINGS = {
    "one compound, low trust": ("structure.compounds=1", "households.initial_trust_committee=0.3"),
    "three compounds": ("structure.compounds=3",),
}
BOUND = 1 / 3  # Deci, Koestner & Ryan 1999: d = -0.34 for tangible rewards
NO_RECOVERY = ("mechanisms.points.recovery_half_life_weeks=0",)
VERY_STRONG_CROWDING = ("mechanisms.points.crowding_strength=1",)
SCHEME = (
    f"interventions=[{{at_week: {START}, set: {{mechanisms.points.enabled: true}}}},"
    f" {{at_week: {END}, set: {{mechanisms.points.enabled: false}}}}]"
)


@cache
def run(setting: str, overrides: tuple[str, ...], seed: int, scheme: bool = True) -> dict:
    """Weekly activity of every flat, and the households and motivations the tests read."""
    timeline = SCHEME if scheme else "interventions=[]"
    scenario = load_scenario(
        "time_bank", [f"seed={seed}", f"steps={STEPS}", timeline, *SETTINGS[setting], *overrides]
    )
    model = CommunityModel(scenario)
    hh = model.households
    active, volunteer, record = [], [], {}
    for week in range(1, STEPS + 1):
        model.step()
        active.append(hh.active.copy())
        volunteer.append(hh.volunteer.copy())
        if week == START:
            record["ids_at_start"] = hh.household_id.copy()
            record["inactive_at_start"] = hh.activity < 0.25
        if week == END:
            record["ids_at_end"] = hh.household_id.copy()
            record["crowded_at_end"] = hh.baseline_motivation - hh.motivation
        if week == END + 52:
            record["ids_year_after"] = hh.household_id.copy()
            record["crowded_year_after"] = hh.baseline_motivation - hh.motivation
    record["active"] = np.array(active)
    record["volunteer"] = np.array(volunteer)
    record["baseline"] = hh.baseline_motivation.copy()
    record["motivation"] = hh.motivation.copy()
    return record


def after_effect(setting: str, overrides: tuple[str, ...], seed: int, weeks_after: int) -> float:
    """d in the quarter ending `weeks_after` weeks after the scheme (see the module docstring)."""
    stop = END + weeks_after
    treated = run(setting, overrides, seed)["active"][stop - QUARTER : stop]
    never = run(setting, (), seed, scheme=False)["active"][stop - QUARTER : stop]
    spread = never.mean(axis=0).std()
    return float((treated.mean() - never.mean()) / spread)


def mean_after_effect(setting: str, overrides: tuple[str, ...], weeks_after: int) -> float:
    return float(np.mean([after_effect(setting, overrides, s, weeks_after) for s in SEEDS]))


@pytest.mark.parametrize("setting", SETTINGS)
def test_a_year_after_the_scheme_participation_is_within_the_bound(setting):
    """Defaults: about -0.2 to 0 here; very strong crowding: about -0.5 to -0.7."""
    assert mean_after_effect(setting, (), 52) >= -BOUND
    assert mean_after_effect(setting, VERY_STRONG_CROWDING, 52) < -BOUND


def median_after_effect(setting: str, overrides: tuple[str, ...], weeks_after: int) -> float:
    return float(np.median([after_effect(setting, overrides, s, weeks_after) for s in SEEDS]))


def dip(setting: str, overrides: tuple[str, ...], weeks_after: int) -> float:
    """How far participation in the median seed is below the never-treated run, in SD (0 when
    above it).

    The median, not the mean: two years on, the treated and never-treated runs of a seed have
    drifted apart by chance (the scheme's draws shift every later draw), and now and then one
    of them settles at another level of participation, by up to 1-2 SD either way. Such seeds
    come as often without any crowding (crowding_strength 0: d two years after from -1.1 to
    +0.4 over seeds 1-48 in one compound, spread 0.25 SD; with the defaults, spread 0.34 SD
    against 0.17 SD a year after), and one of them swung the mean of 8 seeds by 0.15 SD.
    """
    return max(0.0, -median_after_effect(setting, overrides, weeks_after))


@pytest.mark.parametrize("setting", SETTINGS)
def test_the_dip_fades_from_the_first_to_the_second_year(setting):
    """Two years after, the dip is at most half that of one year after, or below 0.1 SD.

    Without recovery (half-life 0: never) it stays, or deepens as inactive neighbours hold
    each other back, so the same check fails. Measured over six blocks of 8 seeds (1-48) in
    one compound, four (1-32) in three: with the defaults, a dip of 0.04-0.25 SD a year after
    and 0-0.07 SD two years after; without recovery 0.29-0.51 SD a year after and 0.30-0.50 SD
    two years after; every block passes, and fails without recovery. Without any crowding
    the same blocks give 0-0.08 SD: below 0.1 SD a dip is the runs' drift, not crowding.
    """

    def fades(overrides: tuple[str, ...]) -> bool:
        return dip(setting, overrides, 104) <= max(0.5 * dip(setting, overrides, 52), 0.1)

    assert fades(())
    assert not fades(NO_RECOVERY)


@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("half_life", [13, 26, 52])
def test_crowded_out_motivation_halves_every_half_life_after_the_scheme(half_life, setting):
    """For households that stayed, the crowded-out part pi0 - pi shrinks by 2^(-52 / h) in a
    year (a volunteer leader's motivation is raised, which only shrinks it further); without
    recovery it stays. This is the return of intrinsic motivation after the scheme, household
    by household. Mean motivation against a never-treated run would mix in who moved in since:
    two years after, in time_bank seeds 1-6, the newcomers' baseline motivation differed
    between the two runs by -0.014 to +0.008, against 0.003 of crowding left."""
    overrides = (f"mechanisms.points.recovery_half_life_weeks={half_life}",)
    record = run(setting, overrides, 1)
    stayed = record["ids_at_end"] == record["ids_year_after"]
    before = record["crowded_at_end"][stayed]
    after = record["crowded_year_after"][stayed]
    assert before.sum() > 1.0
    assert np.all(after <= before * recovery_factor(half_life) ** 52 + 1e-12)
    assert after.sum() == pytest.approx(before.sum() * 0.5 ** (52 / half_life), rel=0.05)
    never = run(setting, NO_RECOVERY, 1)
    stayed = never["ids_at_end"] == never["ids_year_after"]
    kept = never["crowded_year_after"][stayed]
    assert kept.sum() == pytest.approx(never["crowded_at_end"][stayed].sum(), rel=0.05)


def while_running(setting: str, overrides: tuple[str, ...]) -> tuple[float, float]:
    """In the scheme's last quarter, the gain in participation of households inactive at its
    start, and the motivation of the intrinsically motivated (top quarter of baseline) who stayed,
    as a share of their baseline; both against the never-treated run, averaged over seeds."""
    gains, shares = [], []
    for seed in SEEDS:
        treated = run(setting, overrides, seed)
        never = run(setting, (), seed, scheme=False)
        window = slice(END - QUARTER, END)
        stayed = treated["ids_at_start"] == treated["ids_at_end"]
        stayed &= never["ids_at_start"] == never["ids_at_end"]
        inactive = treated["inactive_at_start"] & stayed
        gains.append(
            treated["active"][window][:, inactive].mean()
            - never["active"][window][:, inactive].mean()
        )
        baseline = treated["baseline"]
        motivated = stayed & (baseline >= np.quantile(baseline, 0.75))
        motivation_at_end = baseline - treated["crowded_at_end"]
        shares.append(motivation_at_end[motivated].sum() / baseline[motivated].sum())
    return float(np.mean(gains)), float(np.mean(shares))


@pytest.mark.parametrize("setting", SETTINGS)
def test_while_running_points_bring_in_the_inactive_and_crowd_out_the_motivated(setting):
    """Pattern 9 while the scheme runs: the inactive take part more (about +0.1 to +0.2 here),
    the intrinsically motivated lose part of their motivation (about a fifth here). Contrasts:
    without pull the inactive are not brought in; without crowding no one's motivation falls."""
    gain, kept = while_running(setting, ())
    assert gain > 0.05
    assert kept < 0.9
    no_pull_gain, _ = while_running(setting, ("mechanisms.points.pull=0",))
    assert no_pull_gain < 0.05
    _, kept_without_crowding = while_running(setting, ("mechanisms.points.crowding_strength=0",))
    assert kept_without_crowding == pytest.approx(1.0)
