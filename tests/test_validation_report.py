"""The validation layer: catalogue loading and its errors, estimates and intervals, the
report's bytes, resuming, exit status, and that docs/validation.md is current."""

import math
import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import stats

from sim.cli import main
from sim.experiments.storage import SweepStore
from sim.scenario.loader import ScenarioError
from sim.validation import statistics
from sim.validation.assess import compared, estimate
from sim.validation.catalogue import DEFAULT_CATALOGUE, Check, load_catalogue
from sim.validation.report import CATALOGUE_LINE, STATISTICS_LINE

DOC = Path(__file__).resolve().parents[1] / "docs" / "validation.md"
REGENERATE = "docs/validation.md is out of date: run `make validate`"

#: A one-pattern catalogue small enough to run in a few seconds: 1 compound, 12 weeks.
TINY = {
    "patterns": [
        {
            "id": "tiny_trap",
            "number": 1,
            "title": "A low-trust compound collects little",
            "scenario": "fee_spiral",
            "set": {"steps": 12, "structure.buildings_per_compound_max": 4},
            "arms": {"trap": {}},
            "conditions": {
                "shipped": True,
                "samples": 1,
                "seed": 3,
                "ranges": {
                    "households.initial_trust_firm": {"type": "real", "low": 0.1, "high": 0.2}
                },
            },
            "seeds": 2,
            "seed": 1,
            "checks": [
                {
                    "id": "low_collection",
                    "claim": "collection stays low",
                    "statistic": "window_mean",
                    "args": {"column": "fee_collection_rate", "start": 0},
                    "arm": "trap",
                    "expect": {"max": 0.6},
                    "falsifier": {
                        "set": {
                            "households.initial_trust_firm": 0.9,
                            "service.initial_quality": 0.9,
                        },
                        "why": "trust and service",
                    },
                    "source": {"key": "S2", "figure": "20%+"},
                }
            ],
            "figures": [
                {
                    "label": "trap collection",
                    "source": {"key": "S2", "figure": "20%+"},
                    "article_value": 0.2,
                    "statistic": "window_mean",
                    "args": {"column": "fee_collection_rate", "start": 0},
                    "arm": "trap",
                }
            ],
        }
    ]
}


def write_catalogue(folder: Path, data: dict) -> Path:
    path = folder / "patterns.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def tiny(**changes) -> dict:
    """The tiny catalogue with changes to its check (dotted keys into the check)."""
    data = yaml.safe_load(yaml.safe_dump(TINY))
    check = data["patterns"][0]["checks"][0]
    for key, value in changes.items():
        *path, last = key.split(".")
        node = check
        for part in path:
            node = node[part]
        node[last] = value
    return data


# --- loading ---------------------------------------------------------------------------------


def test_the_shipped_catalogue_loads_with_a_falsifier_and_source_for_every_check():
    catalogue = load_catalogue()
    for pattern in catalogue.patterns:
        for check in pattern.checks:
            assert check.falsifier.set and check.source.figure
        if pattern.status == "proxy":
            assert pattern.pending


@pytest.mark.parametrize(
    ("change", "field", "allowed"),
    [
        ({"expectt": {"min": 1}}, "patterns[tiny_trap].checks[low_collection].expectt", "known:"),
        ({"statistic": "nonsense"}, "checks[low_collection].statistic", "known: window_mean"),
        ({"args.colum": "x"}, "checks[low_collection].args.colum", "window_mean takes: column"),
        ({"args.start": "zero"}, "checks[low_collection].args.start", "a int"),
        ({"args.column": "fee_colection"}, "args.column: unknown column", "fee_collection_rate"),
        ({"arm": "elsewhere"}, "patterns[tiny_trap]", "arm 'elsewhere'"),
        ({"compare": "difference"}, "checks[low_collection]", "needs an 'against' arm"),
        ({"expect": {"tolerance": 0.1}}, "checks[low_collection].expect", "min, max or both"),
        ({"source.key": "S9"}, "checks[low_collection].source.key", "S0"),
        (
            {"falsifier.set": {"households.initial_trust_frim": 0.9}},
            "falsifier.set.households.initial_trust_frim",
            "initial_trust_firm",
        ),
        (
            {"falsifier.set": {"households.initial_trust_firm": 1.5}},
            "falsifier.set: households.initial_trust_firm",
            "<= 0.99",
        ),
    ],
)
def test_a_bad_catalogue_is_refused_with_one_line_naming_file_and_field(
    tmp_path, change, field, allowed
):
    path = write_catalogue(tmp_path, tiny(**change))
    with pytest.raises(ScenarioError) as error:
        load_catalogue(path)
    line = str(error.value)
    assert "\n" not in line
    assert line.startswith(str(path)), line
    assert field in line and allowed in line, line


def test_a_range_outside_the_scenario_schema_is_refused(tmp_path):
    data = tiny()
    ranges = data["patterns"][0]["conditions"]["ranges"]
    ranges["households.initial_trust_firm"]["high"] = 1.4
    with pytest.raises(ScenarioError) as error:
        load_catalogue(write_catalogue(tmp_path, data))
    assert "conditions.ranges[households.initial_trust_firm].high" in str(error.value)


def test_a_misspelt_range_key_is_refused_with_the_known_keys(tmp_path):
    data = tiny()
    data["patterns"][0]["conditions"]["ranges"]["households.initial_trust_firm"]["hihg"] = 0.3
    with pytest.raises(ScenarioError) as error:
        load_catalogue(write_catalogue(tmp_path, data))
    line = str(error.value)
    assert "ranges[households.initial_trust_firm].hihg: unknown key (known: type, low, high" in line


def test_every_statistic_is_documented_with_a_unit():
    for stat in statistics.STATISTICS.values():
        assert stat.description and stat.unit, stat.name


# --- estimates ---------------------------------------------------------------------------------


def test_estimate_gives_the_student_t_interval_over_seeds():
    values = np.array([0.2, 0.25, 0.31, 0.22])
    found = estimate(values)
    low, high = stats.t.interval(0.95, 3, loc=values.mean(), scale=stats.sem(values))
    assert found.mean == pytest.approx(values.mean())
    assert (found.low, found.high) == (pytest.approx(low), pytest.approx(high))
    assert found.seeds == 4 and found.note == ""


def test_estimate_gives_no_interval_with_fewer_than_two_seeds_and_says_so():
    one = estimate(np.array([0.3, math.nan]))
    assert one.mean == 0.3 and one.low is None and one.high is None and one.seeds == 1
    assert "fewer than 2 seeds" in one.note
    none = estimate(np.array([math.nan]))
    assert math.isnan(none.mean) and none.seeds == 0 and none.note


def test_comparisons_pair_arms_seed_by_seed():
    base = TINY["patterns"][0]["checks"][0]
    a, b = np.array([0.5, 0.8]), np.array([0.25, 0.5])
    check = Check.model_validate({**base, "compare": "difference", "against": "other"})
    assert compared(check, a, b) == pytest.approx([0.25, 0.3])
    check = Check.model_validate({**base, "compare": "logit_difference", "against": "other"})
    assert compared(check, a, b) == pytest.approx([np.log(3), np.log(4)])
    check = Check.model_validate({**base, "compare": "log_ratio", "against": "other", "offset": 1})
    assert compared(check, np.array([3.0]), np.array([1.0])) == pytest.approx([np.log(2)])


# --- the command -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_runs(tmp_path_factory):
    """The tiny catalogue run twice into two folders, then once more into the first."""
    root = tmp_path_factory.mktemp("tiny")
    catalogue = write_catalogue(root, TINY)
    codes = []
    for out in ("a", "b", "a"):
        args = ["patterns", "--catalogue", str(catalogue), "--out", str(root / out)]
        codes.append(main([*args, "--backend", "sequential", "--doc", str(root / out / "doc.md")]))
    return root, codes


def test_the_same_catalogue_and_seeds_give_byte_identical_reports(tiny_runs):
    root, codes = tiny_runs
    assert codes == [0, 0, 0]
    for name in (
        "patterns.csv",
        "report.md",
        "doc.md",
        "figures/tiny_trap.png",
        "doc/tiny_trap.png",
    ):
        assert (root / "a" / name).read_bytes() == (root / "b" / name).read_bytes(), name
    report = (root / "a" / "report.md").read_text()
    assert "](figures/tiny_trap.png)" in report
    assert "](doc/tiny_trap.png)" in (root / "a" / "doc.md").read_text()


def test_a_second_call_resumes_and_runs_nothing(tiny_runs, capsys):
    root, _ = tiny_runs
    catalogue = root / "patterns.yaml"
    code = main(["patterns", "--catalogue", str(catalogue), "--out", str(root / "a")])
    assert code == 0
    assert "0 runs done now" in capsys.readouterr().out


def test_patterns_csv_has_estimates_intervals_and_verdicts(tiny_runs):
    import pandas as pd

    root, _ = tiny_runs
    table = pd.read_csv(root / "a" / "patterns.csv")
    assert set(table["role"]) == {"check", "falsifier"}
    assert list(table["condition"].unique()) == [0, 1]
    checks = table[table["role"] == "check"]
    assert (checks["seeds"] == 2).all() and checks["ci95_low"].notna().all()
    assert (checks["result"] == "pass").all()
    falsifiers = table[table["role"] == "falsifier"]
    assert (~falsifiers["meets_expectation"]).all() and (falsifiers["result"] == "pass").all()


def test_one_seed_gives_no_interval_and_the_report_says_so(tmp_path):
    path = write_catalogue(tmp_path, TINY)
    out = tmp_path / "out"
    code = main(["patterns", "--catalogue", str(path), "--out", str(out), "--seeds", "1"])
    assert code == 0
    assert "fewer than 2 seeds: no interval" in (out / "report.md").read_text()
    assert "fewer than 2 seeds" in (out / "patterns.csv").read_text()


def test_a_failing_check_makes_the_command_exit_non_zero(tmp_path, capsys):
    path = write_catalogue(tmp_path, tiny(expect={"min": 0.99}))
    code = main(["patterns", "--catalogue", str(path), "--out", str(tmp_path / "out")])
    assert code == 1
    assert "tiny_trap: fail" in capsys.readouterr().out


def test_a_check_whose_falsifier_passes_fails(tmp_path):
    """A check that a broken mechanism also passes could not have failed."""
    path = write_catalogue(tmp_path, tiny(expect={"min": 0.0}))
    assert main(["patterns", "--catalogue", str(path), "--out", str(tmp_path / "out")]) == 1


def test_a_known_failure_is_reported_without_failing_the_command(tmp_path, capsys):
    path = write_catalogue(tmp_path, tiny(expect={"min": 0.99}, known_failure="reported"))
    assert main(["patterns", "--catalogue", str(path), "--out", str(tmp_path / "out")]) == 0
    assert "known failure" in capsys.readouterr().out


def test_a_statistic_that_raises_records_a_failed_run_and_fails_the_pattern(tmp_path, capsys):
    """The worker keeps a run whose statistic raised as a failed row, not a crash."""
    path = write_catalogue(
        tmp_path, tiny(statistic="pipeline_share", args={"stage": "nonsense", "kind": "gate"})
    )
    out = tmp_path / "out"
    args = ["patterns", "--catalogue", str(path), "--out", str(out), "--backend", "sequential"]
    assert main(args) == 1
    assert "runs failed or missing" in (out / "report.md").read_text()
    runs = SweepStore(out / "runs" / "tiny_trap").read_runs()
    assert len(runs) and (runs["status"] == "failed").all()
    assert runs["error"].str.contains("Traceback").all()


def test_an_unknown_pattern_id_is_refused(capsys):
    assert main(["patterns", "--only", "no_such_pattern", "--out", "/nonexistent"]) == 2
    assert "--only: no_such_pattern: no such pattern" in capsys.readouterr().err


# --- the committed report ----------------------------------------------------------------------


def test_docs_validation_was_generated_from_the_current_catalogue_and_statistics():
    """Regenerating the report runs the whole catalogue (minutes), so this checks instead that
    the committed report names the hashes of today's catalogue file and statistics module."""
    text = DOC.read_text(encoding="utf-8")
    catalogue = load_catalogue(DEFAULT_CATALOGUE)
    expected = [
        CATALOGUE_LINE.format(file="experiments/patterns.yaml", sha=catalogue.sha256),
        STATISTICS_LINE.format(sha=statistics.code_sha256()),
    ]
    for line in expected:
        assert line in text, REGENERATE
    for pattern in catalogue.patterns:
        assert f'<a id="{pattern.id}"></a>' in text, REGENERATE
        figure = DOC.parent / "validation" / f"{pattern.id}.png"
        assert figure.is_file(), REGENERATE
    assert not re.search(r"\b20\d\d-\d\d-\d\d", text), "the report must carry no dates"
