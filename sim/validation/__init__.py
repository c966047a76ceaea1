"""Pattern-oriented validation: the pattern catalogue (experiments/patterns.yaml) run on the
sweep engine, its verdicts, and the report (docs/validation.md).

catalogue (schema and loader) -> runner (plans and runs, through sim.experiments) -> assess
(estimates, intervals, verdicts) -> report (patterns.csv, figures, Markdown); statistics holds
the named functions of a run that the checks compare.
"""
