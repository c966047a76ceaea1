"""The pattern catalogue (experiments/patterns.yaml) as robustness tests.

Each of the 11 patterns of the domain description is checked over its spread of conditions
(the shipped scenario and Latin hypercube draws from documented ranges) and seeds, with the
catalogue's tolerances; each check is paired with its falsifier (the mechanism switched off
or broken), which must fail it in every condition. The runs are those `cogov patterns` does,
on a pool of two worker processes, into a temporary folder; only the patterns of the selected
tests run (``pytest -m patterns -k fee_trap``).
"""

import pytest

from sim.validation.assess import PatternVerdict, assess
from sim.validation.catalogue import load_catalogue
from sim.validation.report import condition_text, interval
from sim.validation.runner import run_catalogue

pytestmark = pytest.mark.patterns

CATALOGUE = load_catalogue()
IDS = [p.id for p in CATALOGUE.patterns]


@pytest.fixture(scope="module")
def verdicts(request, tmp_path_factory) -> dict[str, PatternVerdict]:
    """The verdicts of the patterns whose tests were selected, run once in one pool."""
    wanted = sorted(
        {
            item.callspec.params["pattern_id"]
            for item in request.session.items
            if item.module is request.module and hasattr(item, "callspec")
        }
    )
    out = tmp_path_factory.mktemp("patterns")
    runs = run_catalogue(CATALOGUE, out, only=wanted, workers=2)
    return {r.plan.pattern.id: assess(r) for r in runs}


def numbers(verdict, falsified: bool = False) -> str:
    """A check's estimates per condition, for a failure message."""
    return "; ".join(
        f"{condition_text(c.values)}: {interval(c.falsified if falsified else c.estimate)}"
        for c in verdict.conditions
    )


def test_the_catalogue_holds_the_11_patterns_of_the_domain():
    assert sorted(p.number for p in CATALOGUE.patterns) == list(range(1, 12))
    for pattern in CATALOGUE.patterns:
        sampled = pattern.conditions.samples
        assert sampled >= 2, f"{pattern.id}: checked over too few sampled conditions"
        assert pattern.seeds >= 3, f"{pattern.id}: too few seeds"


@pytest.mark.parametrize("pattern_id", IDS)
def test_pattern_holds_in_every_condition(verdicts, pattern_id):
    verdict = verdicts[pattern_id]
    assert verdict.unfinished == 0, f"{verdict.unfinished} runs failed"
    known = [c for c in verdict.checks if c.check.known_failure]
    for check in verdict.checks:
        if check.check.known_failure:
            assert not check.holds, (
                f"{check.check.id} passes now: remove its known_failure note in patterns.yaml"
            )
            continue
        assert check.passed, (
            f"{check.check.id} ({check.check.claim}; expected {check.check.expect.text()}): "
            + numbers(check)
        )
    if known:
        pytest.xfail("known failures: " + "; ".join(c.check.known_failure for c in known))


@pytest.mark.parametrize("pattern_id", IDS)
def test_falsifier_fails_every_check_in_every_condition(verdicts, pattern_id):
    """The same statistic with the mechanism off or broken misses the expectation, so the
    check above could fail."""
    for check in verdicts[pattern_id].checks:
        assert check.can_fail, (
            f"{check.check.id}: its falsifier ({check.check.falsifier.why}) meets "
            f"{check.check.expect.text()}: " + numbers(check, falsified=True)
        )
