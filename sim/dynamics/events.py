"""Which entries an independent chance event happens to, drawn in time proportional to the
events rather than to the entries when they are rare."""

import numpy as np

#: Above this largest chance, one uniform per entry is the cheaper draw.
SPARSE_UP_TO = 0.02


def occurrences(
    rng: np.random.Generator, chance: float | np.ndarray, size: int | None = None
) -> np.ndarray:
    """Sorted indices of the entries where an event happens, each independently with its chance.

    `chance` is one chance shared by `size` entries, or an array of one chance per entry, in
    [0, 1]. With c the largest chance: if c > SPARSE_UP_TO each entry takes a uniform
    (`flatnonzero(rng.random(n) < chance)`); otherwise K ~ Binomial(n, c) candidate entries
    are chosen uniformly without replacement (each entry a candidate independently with
    chance c) and each candidate is kept with chance p_i / c (thinning), so that entry i has its
    event with chance c (p_i / c) = p_i, independently of the others.
    """
    per_entry = not isinstance(chance, float | int) and np.ndim(chance) > 0
    if per_entry:
        chance = np.asarray(chance, dtype=float)
        n = chance.size
        top = float(chance.max()) if n else 0.0
    else:
        n, top = int(size), float(chance)
    if n == 0 or top <= 0.0:
        return np.zeros(0, dtype=np.int64)
    if top > SPARSE_UP_TO:
        return np.flatnonzero(rng.random(n) < chance)
    count = int(rng.binomial(n, top))
    if count == 0:  # the draws below would take no numbers from the stream
        return np.zeros(0, dtype=np.int64)
    candidates = np.sort(rng.choice(n, size=count, replace=False, shuffle=False))
    if not per_entry:
        return candidates
    return candidates[rng.random(count) * top < chance[candidates]]
