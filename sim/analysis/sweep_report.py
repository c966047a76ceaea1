"""The analysis report of a sweep: DIR/report/report.md with its tables (CSV) and figures
(PNG and SVG).

    report.md                  what was run, failures, policy means and contrasts, design
                               points, envelopes, effects, sensitivity, and how it was computed
    point_summary.csv          every design point x output: n, mean, sd, CI (bootstrap CI)
    policy_summary.csv         every policy x output (with levers)
    policy_contrasts.csv       every policy minus the reference, paired (with levers)
    envelopes.csv              per group, step and column: mean, CI, 5-95% quantiles
    sensitivity_indices.csv    Sobol' S1/ST or Morris mu*/sigma (Sobol'/Morris designs)
    sensitivity_noise.csv      replication noise per output
    sensitivity_convergence.csv  indices against sample size (--convergence)
    discovery.csv              --discover: the classification tree's boxes
    prim_trajectory.csv        --discover: PRIM's peeling trajectory (coverage, density, mass)
    failed_runs.csv            run id, values, status and error of every failed run
    figures/*.png, *.svg

The folder is written beside and renamed into place, like a run's outputs.
"""

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis import discovery, sensitivity, summary
from sim.analysis.summary import SweepData
from sim.analysis.sweep_figures import (
    convergence_figure,
    effects_figure,
    envelope_figure,
    indices_figure,
    policy_figure,
)
from sim.experiments.storage import SweepStore
from sim.staging import staged_folder

REPORT = "report"
PREFERRED_OUTPUTS = (
    "final.participation_rate",
    "final.fee_collection_rate",
    "final.trust_firm",
    "final.trust_committee",
    "final.satisfaction",
    "final.disputes_escalated",
    "last_year.participation_rate_last_year_mean",
    "last_year.fee_collection_rate_last_year_mean",
)
PREFERRED_SERIES = (
    "participation_rate",
    "fee_collection_rate",
    "trust_firm",
    "trust_committee",
    "satisfaction",
    "service_quality",
)
MAX_OUTPUTS = 6
MAX_SERIES = 4
MAX_TABLE_ROWS = 40


def choose_outputs(data: SweepData, wanted: list[str] | None) -> list[str]:
    """The outputs to show: those asked for, else the main varying ones."""
    if wanted:
        unknown = [o for o in wanted if o not in data.outputs]
        if unknown:
            from sim.scenario.loader import ScenarioError

            raise ScenarioError(
                "--outputs", unknown[0], "not stored in this sweep", ", ".join(data.outputs)
            )
        return wanted
    varying = summary.varying_outputs(data, data.outputs)
    chosen = [o for o in PREFERRED_OUTPUTS if o in varying]
    chosen += [o for o in varying if o not in chosen]
    return chosen[:MAX_OUTPUTS]


def write_report(
    store: SweepStore,
    outputs: list[str] | None = None,
    bootstrap: int | None = None,
    convergence: bool = False,
    figures: bool = True,
    discover: str | None = None,
) -> Path:
    """Analyse the sweep in `store` and write its report folder; returns report.md's path.

    `discover` (e.g. ``final.fee_collection_rate<0.5``) adds scenario discovery for the runs
    that meet it.
    """
    data = summary.load_sweep(store)
    shown = choose_outputs(data, outputs)
    numeric = [o for o in data.outputs if pd.api.types.is_numeric_dtype(data.runs[o])]
    condition = discovery.parse_condition(discover, numeric) if discover else None
    target = store.root / REPORT
    with staged_folder(target) as staging:
        writer = ReportWriter(data, staging, figures)
        writer.header()
        writer.failures()
        writer.policies(numeric, shown, bootstrap)
        writer.points(numeric, shown, bootstrap)
        writer.envelopes()
        writer.effects(shown)
        writer.sensitivity(summary.varying_outputs(data, numeric), shown, convergence)
        if condition is not None:
            writer.discovery(condition)
        writer.methods(bootstrap)
        (staging / "report.md").write_text("\n".join(writer.lines) + "\n", encoding="utf-8")
    return target / "report.md"


def fmt(value: Any) -> str:
    """A cell: numbers to four significant digits."""
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else f"{value:.4g}"
    return str(value)


def markdown_table(frame: pd.DataFrame, limit: int = MAX_TABLE_ROWS) -> list[str]:
    """A DataFrame as markdown table lines (at most `limit` rows)."""
    columns = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in frame.head(limit).itertuples(index=False):
        lines.append("| " + " | ".join(fmt(v).replace("|", "\\|") for v in row) + " |")
    if len(frame) > limit:
        lines.append(f"\n({len(frame) - limit} more rows in the CSV file)")
    return lines


def with_ci(table: pd.DataFrame, by: list[str], outputs: list[str]) -> pd.DataFrame:
    """Wide table: one row per group, one 'mean [low, high]' column per output."""
    cell = table.assign(
        cell=[
            f"{fmt(m)} [{fmt(lo)}, {fmt(hi)}]" if np.isfinite(lo) else fmt(m)
            for m, lo, hi in zip(table["mean"], table["ci_low"], table["ci_high"], strict=True)
        ]
    )
    wide = cell[cell["output"].isin(outputs)].pivot_table(
        index=by, columns="output", values="cell", aggfunc="first", sort=False
    )
    n = cell.groupby(by, sort=False)["n"].max()
    wide.insert(0, "n", n)
    return wide[["n", *[o for o in outputs if o in wide.columns]]].reset_index()


class ReportWriter:
    """Builds report.md section by section, writing CSV tables and figures beside it."""

    def __init__(self, data: SweepData, folder: Path, figures: bool) -> None:
        self.data, self.folder, self.draw = data, folder, figures
        self.lines: list[str] = []
        if figures:
            (folder / "figures").mkdir()

    def add(self, *lines: str) -> None:
        """Append lines."""
        self.lines.extend(lines)

    def figure(self, name: str, caption: str, fig) -> None:
        """Save a figure as PNG and SVG and link both."""
        from sim.report.figures import save_figure

        save_figure(fig, self.folder / "figures", name, tight=True)
        self.add(f"![{caption}](figures/{name}.png) ([SVG](figures/{name}.svg))", "")

    # ------------------------------------------------------------------ sections
    def header(self) -> None:
        """What was run and where it came from."""
        m = self.data.manifest
        exp, design, counts = m.get("experiment", {}), m.get("design", {}), m.get("counts", {})
        prov = m.get("provenance", {})
        versions = prov.get("versions", {})
        self.add(f"# Sweep report: {exp.get('name', '?')}", "")
        if exp.get("description"):
            self.add(exp["description"], "")
        rows = [
            ("experiment file", f"{exp.get('file')} (sha256 {str(exp.get('sha256'))[:12]})"),
            ("base scenario", exp.get("base_scenario")),
            ("design", f"{design.get('method')}: {design.get('points')} points"),
            ("levers", ", ".join(self.data.levers) or "none"),
            ("parameters", ", ".join(self.data.parameters) or "none"),
            ("replications", design.get("replications")),
            ("root seed", design.get("root_seed")),
            (
                "runs",
                f"{counts.get('planned')} planned, {counts.get('done')} done, "
                f"{counts.get('failed')} failed, {counts.get('missing')} missing",
            ),
            ("package", f"cogov {versions.get('cogov')}, git {prov.get('git_commit')}"),
            ("libraries", ", ".join(f"{k} {v}" for k, v in versions.items() if k != "cogov")),
            ("host", prov.get("host")),
            (
                "ran",
                f"{m.get('started_at')} to {m.get('ended_at')} "
                f"in {len(m.get('sessions', []))} session(s)",
            ),
        ]
        self.add(*markdown_table(pd.DataFrame(rows, columns=["", "value"])), "")

    def failures(self) -> None:
        """Runs that failed or timed out."""
        failed = self.data.runs[self.data.runs["status"] != "ok"]
        if failed.empty:
            return
        columns = ["run_id", *self.data.keys, "replication", "status", "error"]
        failed[columns].to_csv(self.folder / "failed_runs.csv", index=False)
        shown = failed[columns].assign(
            error=failed["error"].fillna("").map(lambda e: e.strip().splitlines()[-1] if e else "")
        )
        self.add(
            "## Failed runs",
            "",
            f"{len(failed)} runs did not finish (tracebacks in failed_runs.csv):",
            "",
        )
        self.add(*markdown_table(shown, 20), "")

    def policies(self, numeric: list[str], shown: list[str], bootstrap: int | None) -> None:
        """Policy means with CIs, and paired contrasts against the reference policy."""
        if not self.data.levers:
            return
        table = summary.policy_summary(self.data, numeric, bootstrap)
        if table.empty:
            return
        table.to_csv(self.folder / "policy_summary.csv", index=False)
        self.add("## Policies", "", "Mean [95% CI] over uncertainty samples and replications:", "")
        self.add(*markdown_table(with_ci(table, ["policy"], shown)), "")
        contrasts = summary.policy_contrasts(self.data, numeric)
        if contrasts.empty:
            return
        contrasts.to_csv(self.folder / "policy_contrasts.csv", index=False)
        reference = contrasts["reference"].iloc[0]
        self.add(
            f"Difference from the reference policy ({reference}), paired by uncertainty sample "
            "and replication (common random numbers), mean [95% CI]:",
            "",
        )
        self.add(*markdown_table(with_ci(contrasts, ["policy"], shown)), "")
        if self.draw:
            self.figure("policy_means", "policy means", policy_figure(table, shown))

    def points(self, numeric: list[str], shown: list[str], bootstrap: int | None) -> None:
        """Every design point's means with CIs."""
        table = summary.point_summary(self.data, numeric, bootstrap)
        if table.empty:
            self.add("## Design points", "", "No run has finished yet.", "")
            return
        table.to_csv(self.folder / "point_summary.csv", index=False)
        self.add(
            "## Design points",
            "",
            "Mean [95% CI] over replications (all outputs in point_summary.csv):",
            "",
        )
        wide = (
            with_ci(table, [*self.data.keys], shown)
            if self.data.keys
            else with_ci(table.assign(point="base"), ["point"], shown)
        )
        self.add(*markdown_table(wide), "")

    def envelopes(self) -> None:
        """Time-series envelopes with confidence bands per group."""
        columns = list(PREFERRED_SERIES)
        table = summary.envelopes(self.data, columns)
        if table.empty:
            return
        table.to_csv(self.folder / "envelopes.csv", index=False)
        kind, _ = summary.envelope_groups(self.data)
        self.add(
            "## Time series",
            "",
            f"Mean per {kind} with its 95% CI (dark band) and the 5-95% range of runs "
            "(light band); all steps in envelopes.csv.",
            "",
        )
        if not self.draw:
            return
        for column in [c for c in columns if c in set(table["column"])][:MAX_SERIES]:
            self.figure(f"envelope_{column}", column, envelope_figure(table, column))

    def effects(self, shown: list[str]) -> None:
        """Each output against each parameter."""
        if not self.draw or not self.data.keys or self.data.ok.empty:
            return
        table = summary.point_summary(self.data, shown)
        self.add("## Effects", "", "Point means (with 95% CIs) against each parameter:", "")
        for output in shown:
            rows = table[table["output"] == output]
            self.figure(
                f"effects_{output}",
                f"effects on {output}",
                effects_figure(rows, self.data, output),
            )

    def sensitivity(self, outputs: list[str], shown: list[str], convergence: bool) -> None:
        """Sobol' or Morris indices, replication noise and convergence."""
        result = sensitivity.analyse(
            self.data, outputs, convergence, seed=int(self.data.manifest["design"]["root_seed"])
        )
        if result is None:
            return
        title = "Sobol' indices" if result.method == "sobol" else "Morris elementary effects"
        self.add(f"## Sensitivity: {title}", "")
        for note in result.notes:
            self.add(f"- {note}")
        if result.notes:
            self.add("")
        if result.indices.empty:
            return
        result.indices.to_csv(self.folder / "sensitivity_indices.csv", index=False)
        result.noise.to_csv(self.folder / "sensitivity_noise.csv", index=False)
        if not result.second_order.empty:
            result.second_order.to_csv(self.folder / "sensitivity_second_order.csv", index=False)
        for output in [o for o in shown if o in set(result.indices["output"])]:
            rows = result.indices[result.indices["output"] == output]
            self.add(f"### {output}", "")
            self.add(*markdown_table(rows.drop(columns=["output"])), "")
            if self.draw:
                self.figure(
                    f"sensitivity_{output}",
                    f"indices of {output}",
                    indices_figure(rows, result.method, output),
                )
        self.add(
            "Replication noise (noise_share: variance that noise adds to a design row's mean, "
            "over the variance of the means; indices are unreliable when it is large):",
            "",
        )
        self.add(*markdown_table(result.noise[result.noise["output"].isin(shown)]), "")
        if not result.convergence.empty:
            result.convergence.to_csv(self.folder / "sensitivity_convergence.csv", index=False)
            self.add(
                "Convergence of the indices against sample size: sensitivity_convergence.csv", ""
            )
            if self.draw:
                for output in [o for o in shown if o in set(result.convergence["output"])][:3]:
                    rows = result.convergence[result.convergence["output"] == output]
                    self.figure(
                        f"convergence_{output}",
                        f"convergence of {output}",
                        convergence_figure(rows, result.method, output),
                    )

    def discovery(self, condition: discovery.Condition) -> None:
        """Boxes of the design where the condition's cases are the majority."""
        boxes = discovery.discover(self.data, condition)
        boxes.to_csv(self.folder / "discovery.csv", index=False)
        cases = int(condition.holds(self.data.ok[condition.output]).sum())
        self.add(
            "## Scenario discovery",
            "",
            f"Cases of interest: {condition}, {cases} of {len(self.data.ok)} finished runs. "
            f"Boxes from a classification tree (depth {discovery.MAX_DEPTH}) where they are the "
            "majority; coverage = share of all cases in the box, density = share of the box's "
            "runs that are cases:",
            "",
        )
        if boxes.empty:
            self.add("No box: the cases are none, all, or spread over no region of the design.", "")
        else:
            self.add(*markdown_table(boxes), "")
        self.prim(condition)

    def prim(self, condition: "discovery.Condition") -> None:
        """PRIM's peeling trajectory and the box it reports."""
        from sim.analysis.prim import MIN_COVERAGE, PEEL_ALPHA, prim_discovery, tradeoff_figure

        result = prim_discovery(self.data, condition)
        result.trajectory.to_csv(self.folder / "prim_trajectory.csv", index=False)
        self.add(
            "### PRIM",
            "",
            f"PRIM (the EMA Workbench's, peeling {PEEL_ALPHA:.0%} of the runs a step) traces "
            "boxes from the whole design to the densest one (prim_trajectory.csv); reported is "
            f"the densest box that still holds at least {MIN_COVERAGE:.0%} of the cases.",
            "",
        )
        if not result.found:
            self.add("No box: the cases are none or all of the runs.", "")
            return
        best = result.trajectory.iloc[result.chosen]
        self.add(
            f"Box {result.chosen} of {len(result.trajectory)}: coverage {best['coverage']:.3f}, "
            f"density {best['density']:.3f}, mass {best['mass']:.3f}, "
            f"{int(best['restricted'])} parameters restricted:",
            "",
            *markdown_table(result.restrictions),
            "",
        )
        if self.draw:
            self.figure("prim_tradeoff", "PRIM trade-off", tradeoff_figure(result, condition))

    def methods(self, bootstrap: int | None) -> None:
        """How the figures were computed."""
        self.add(
            "## Methods",
            "",
            "- Confidence intervals: mean +/- t(0.975, n-1) sd/sqrt(n) over replications "
            "(a design point) or over runs (a policy)"
            + (
                f"; percentile bootstrap with {bootstrap} resamples in the CSV files."
                if bootstrap
                else "."
            ),
            "- Runs are matched to design rows through plan.parquet by run id; a failed run "
            "is left out of its point's mean.",
            "- Sensitivity indices are computed on the mean of each design row's replications, "
            "on the design's unit values; discrete parameters map equal-width slices of [0, 1] "
            "to their levels (each level equally likely). See docs/experiments.md.",
            "",
        )
