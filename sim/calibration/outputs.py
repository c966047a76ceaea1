"""What a finished calibration writes beside its history.

DIR/posterior.csv, DIR/posterior.parquet  the last generation's particles and their weights
DIR/parameters.csv                        per parameter: weighted mean, sd, 5/50/95% quantiles,
                                          MAP (the particle of highest weighted KDE density)
DIR/generations.csv                       per generation: epsilon, particles, simulations,
                                          acceptance rate
DIR/predictive_check.csv                  per target: observed, sd, and the 5/50/95% band of
                                          the statistic over posterior predictive runs
DIR/predictive_runs.csv                   each posterior predictive run's draw and statistics
DIR/calibrated_scenario.yaml              the base scenario with the posterior mean (or MAP),
                                          provenance in its header comments; `cogov run` takes it
DIR/summary.json                          all of the above in one file, with provenance
DIR/figures/                              posterior_marginals, posterior_pairs, predictive_check
                                          (PNG and SVG)
"""

import json
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.calibration.loader import Calibration, particle_scenario_data
from sim.calibration.model import ParticleModel, mean_of, particle_seeds
from sim.calibration.run import Generation, generations
from sim.provenance import git_commit, package_version
from sim.scenario.loader import build_scenario

#: Quantiles of the credible intervals and predictive bands (a 90% interval).
QUANTILES = (0.05, 0.5, 0.95)
#: The predictive runs' seeds are drawn apart from every particle's (a stream label).
PREDICTIVE_STREAM = 1


def posterior(history: Any, keys: list[str]) -> pd.DataFrame:
    """The last generation's particles, one column per parameter (`keys` order), and their
    weights."""
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    frame = frame[list(keys)].reset_index(drop=True)
    frame.columns.name = None
    frame["weight"] = np.asarray(weights, dtype=float)
    return frame


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The q-quantile of weighted points (pyabc's definition: the inverse weighted CDF)."""
    from pyabc.weighted_statistics import weighted_quantile as quantile

    return float(quantile(values, weights, alpha=q))


def map_particle(frame: pd.DataFrame, keys: list[str]) -> dict[str, float]:
    """The particle where a weighted Gaussian KDE of the posterior is highest."""
    from scipy import stats

    points = frame[keys].to_numpy(dtype=float)
    weights = frame["weight"].to_numpy(dtype=float)
    try:
        density = stats.gaussian_kde(points.T, weights=weights)(points.T)
    except (np.linalg.LinAlgError, ValueError):  # a degenerate population: its heaviest particle
        density = weights
    best = int(np.argmax(density))
    return {key: float(points[best, i]) for i, key in enumerate(keys)}


def parameter_table(frame: pd.DataFrame, calibration: Calibration) -> pd.DataFrame:
    """Per parameter: prior range, weighted mean and sd, quantiles and MAP."""
    keys = list(calibration.priors)
    weights = frame["weight"].to_numpy(dtype=float)
    best = map_particle(frame, keys)
    rows = []
    for key in keys:
        values = frame[key].to_numpy(dtype=float)
        mean = float(np.sum(weights * values))
        row = {
            "parameter": key,
            "prior": calibration.priors[key].prior,
            "support_low": calibration.ranges[key].low,
            "support_high": calibration.ranges[key].high,
            "mean": mean,
            "sd": float(np.sqrt(np.sum(weights * (values - mean) ** 2))),
        }
        for q in QUANTILES:
            row[f"q{round(q * 100):02d}"] = weighted_quantile(values, weights, q)
        row["map"] = best[key]
        rows.append(row)
    return pd.DataFrame(rows)


def predictive_runs(frame: pd.DataFrame, calibration: Calibration, draws: int) -> pd.DataFrame:
    """Simulate `draws` particles drawn from the posterior by weight, each on fresh seeds."""
    keys = list(calibration.priors)
    model = ParticleModel(calibration)
    root = calibration.spec.abc.seed
    rng = np.random.default_rng([root, PREDICTIVE_STREAM])
    chosen = rng.choice(len(frame), size=draws, p=frame["weight"].to_numpy(dtype=float))
    rows = []
    for draw, index in enumerate(chosen):
        values = {key: float(frame[key].iloc[index]) for key in keys}
        seeds = particle_seeds(root, [PREDICTIVE_STREAM, draw], calibration.spec.run.seeds)
        runs = model.statistics(values, seeds)
        stats = {name: mean_of(r[name] for r in runs) for name in calibration.targets}
        rows.append({"draw": draw, "particle": int(index), **values, **stats})
    return pd.DataFrame(rows)


def predictive_table(runs: pd.DataFrame, calibration: Calibration) -> pd.DataFrame:
    """Per target: observed value and sd against the simulated 5-50-95% band."""
    rows = []
    for name, target in calibration.targets.items():
        simulated = runs[name].dropna().to_numpy(dtype=float)
        low, mid, high = (float(np.quantile(simulated, q)) for q in QUANTILES)
        observed = calibration.observed[name]
        rows.append(
            {
                "target": name,
                "observed": observed,
                "sd": target.sd,
                "simulated_mean": float(simulated.mean()),
                "simulated_q05": low,
                "simulated_q50": mid,
                "simulated_q95": high,
                "observed_in_band": bool(low <= observed <= high),
            }
        )
    return pd.DataFrame(rows)


def generation_table(done: list[Generation]) -> pd.DataFrame:
    """One row per completed generation."""
    return pd.DataFrame(
        [
            {
                "generation": g.t,
                "epsilon": g.epsilon,
                "particles": g.particles,
                "simulations": g.simulations,
                "acceptance_rate": g.acceptance_rate,
            }
            for g in done
        ]
    )


def calibrated_scenario(
    calibration: Calibration, values: dict[str, float], header: list[str]
) -> str:
    """The base scenario with `values` set, validated, as YAML with `header` as comments."""
    data = particle_scenario_data(calibration, values)
    data["name"] = f"{calibration.name}_calibrated"
    data["description"] = f"{calibration.base_scenario.name} calibrated by ABC-SMC to " + ", ".join(
        calibration.targets
    )
    build_scenario(data, calibration.file)
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header)
    return comments + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def provenance(calibration: Calibration, history: Any) -> dict[str, Any]:
    """What is needed to reproduce and cite the calibration."""
    return {
        "calibration_file": calibration.file,
        "calibration_file_sha256": calibration.sha256,
        "base_scenario": calibration.scenario_file,
        "history": history.db,
        "run_id": int(history.id),
        "package_version": package_version(),
        "git_commit": git_commit(),
        "pyabc": metadata.version("pyabc"),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def scenario_header(
    calibration: Calibration,
    table: pd.DataFrame,
    done: list[Generation],
    point: str,
    simulations: int,
) -> list[str]:
    """The calibrated scenario's provenance comments (`simulations`: all, the prior's too)."""
    generated = sum(g.simulations for g in done)
    lines = [
        f"Calibrated scenario: {calibration.base_scenario.name} with the posterior {point} of "
        f"{len(table)} parameters,",
        f"from {calibration.file} (sha256 {calibration.sha256[:16]}...).",
        f"ABC-SMC (pyabc {metadata.version('pyabc')}): {len(done)} generations, "
        f"{sum(g.simulations for g in done)} simulations (and {simulations - generated} from "
        "the prior to start the distance and epsilon).",
        "generation  epsilon     acceptance",
        *(f"{g.t:>10}  {g.epsilon:<10.4g}  {g.acceptance_rate:.3f}" for g in done),
        "",
        "parameter: mean [5%, 95%]",
        *(f"{r.parameter}: {r.mean:.4g} [{r.q05:.4g}, {r.q95:.4g}]" for r in table.itertuples()),
    ]
    return lines


def write_outputs(calibration: Calibration, history: Any, out: Path) -> dict[str, Any]:
    """Write every output of a finished calibration into `out`; return the summary."""
    from sim.calibration.figures import draw_figures

    done = generations(history)
    frame = posterior(history, list(calibration.priors))
    frame.to_csv(out / "posterior.csv", index=False)
    frame.to_parquet(out / "posterior.parquet", index=False)
    table = parameter_table(frame, calibration)
    table.to_csv(out / "parameters.csv", index=False)
    generation_table(done).to_csv(out / "generations.csv", index=False)
    runs = predictive_runs(frame, calibration, calibration.spec.outputs.predictive_draws)
    runs.to_csv(out / "predictive_runs.csv", index=False)
    check = predictive_table(runs, calibration)
    check.to_csv(out / "predictive_check.csv", index=False)
    point = calibration.spec.outputs.point
    values = dict(zip(table["parameter"], table[point], strict=True))
    header = scenario_header(calibration, table, done, point, history.total_nr_simulations)
    text = calibrated_scenario(calibration, values, header)
    (out / "calibrated_scenario.yaml").write_text(text, encoding="utf-8")
    draw_figures(frame, table, runs, check, calibration, out / "figures")
    summary = {
        "calibration": calibration.name,
        "description": calibration.spec.description,
        "settings": calibration.spec.model_dump(mode="json"),
        "observed": calibration.observed,
        "generations": generation_table(done).to_dict(orient="records"),
        "total_simulations": int(history.total_nr_simulations),
        "simulations_per_accepted_particle": (
            sum(g.simulations for g in done) / max(1, sum(g.particles for g in done))
        ),
        "parameters": table.to_dict(orient="records"),
        "calibrated_values": {"point": point, **values},
        "predictive_check": check.to_dict(orient="records"),
        "provenance": provenance(calibration, history),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary
