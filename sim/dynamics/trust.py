"""Asymmetric trust updates (losses weigh more than gains).

After a good event:  T <- T + a (1 - T)
After a bad event:   T <- T - lambda a T,   lambda = loss_aversion, about 2-3 (Slovic 1993)
Both keep T in [0, 1] for 0 <= a <= 1 and lambda a <= 1. An event's weight w scales a
(step min(1, w a)); it is one number, or one per household named.
"""

import numpy as np

from sim.scenario.schema import Trust


def reward(
    trust: np.ndarray, who: np.ndarray, spec: Trust, weight: float | np.ndarray = 1.0
) -> None:
    """Raise the trust of households `who` (mask or indices) after a good event."""
    step = np.minimum(1.0, weight * spec.gain)
    trust[who] += step * (1.0 - trust[who])


def penalise(
    trust: np.ndarray, who: np.ndarray, spec: Trust, weight: float | np.ndarray = 1.0
) -> None:
    """Lower the trust of households `who` after a bad event, loss_aversion times harder."""
    step = np.minimum(1.0, weight * spec.loss_aversion * spec.gain)
    trust[who] -= step * trust[who]
