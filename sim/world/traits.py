"""Drawing heterogeneous traits: a mean and a standard deviation from the scenario, one family
per kind of quantity.

A share in [0, 1] is Beta distributed with the given mean m and standard deviation s
(concentration k = m (1 - m) / s^2 - 1, kept at 1 or more, so s is at most sqrt(m (1 - m) / 2));
a positive quantity is Gamma distributed with mean m and standard deviation s (shape (m / s)^2).
A standard deviation of 0 gives every draw the mean and consumes no random numbers, so a scenario
whose spreads are all 0 reproduces the homogeneous model exactly.
"""

import numpy as np


def draw_share(
    rng: np.random.Generator, mean: float | np.ndarray, sd: float, size: int
) -> np.ndarray:
    """`size` shares in [0, 1] with mean `mean` (one, or one per draw) and standard deviation `sd`."""
    mean = np.broadcast_to(np.asarray(mean, dtype=float), (size,))
    if sd <= 0 or size == 0:
        return mean.copy()
    m = np.clip(mean, 1e-3, 1 - 1e-3)
    concentration = np.maximum(m * (1 - m) / sd**2 - 1.0, 1.0)
    return rng.beta(m * concentration, (1 - m) * concentration)


def draw_positive(rng: np.random.Generator, mean: float, sd: float, size: int) -> np.ndarray:
    """`size` positive values with mean `mean` and standard deviation `sd` (Gamma)."""
    if sd <= 0 or mean <= 0 or size == 0:
        return np.full(size, float(mean))
    shape = (mean / sd) ** 2
    return rng.gamma(shape, mean / shape, size=size)
