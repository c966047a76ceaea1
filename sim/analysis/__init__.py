"""The analysis of a sweep's stored runs: summaries with intervals (summary), sensitivity
indices (sensitivity), scenario discovery (discovery, prim), the report and its figures
(sweep_report, sweep_figures). It reads what the experiment framework (sim.experiments) wrote
and never runs the model."""
