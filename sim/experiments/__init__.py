"""Experiments at scale: declarative sweeps with replications, resume, Dask, confidence
intervals and sensitivity analysis.

    experiment file -> loader (spec) -> design -> plan (seeds, run ids) -> execution -> storage
    storage -> sim.analysis (summaries, sensitivity, discovery, report and figures)

See docs/experiments.md. The command line is ``cogov sweep`` and ``cogov analyze``.
"""

#: The modules a sweep's workers run, loaded by each worker before its first run.
RUN_MODULES = ("sim.runner", "sim.experiments.run")
