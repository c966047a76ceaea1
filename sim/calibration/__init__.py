"""Approximate Bayesian calibration: fit behavioural parameters to a community's own figures
with ABC-SMC (pyabc).

    calibration file -> loader (spec, priors, statistics) -> run (pyabc, model) -> history.db
    history.db -> outputs (posterior, predictive check, calibrated scenario) -> figures

See docs/calibration.md. The command line is ``cogov calibrate``.
"""
