"""Build time curve: model construction at growing sizes against linear scaling."""

import gc

from benchmarks.models import build_ours
from benchmarks.table import Row
from benchmarks.timing import timed

BASE_REPEATS = 3  # the base of the linear extrapolation
REPEATS = 2


def build_seconds(households: int, repeats: int = 1) -> tuple[int, float]:
    """Actual household count and the best of `repeats` construction times."""
    best, n = float("inf"), 0
    for _ in range(repeats):
        model, seconds = timed(lambda: build_ours(households))
        n, best = int(model.world.households), min(best, seconds)
        del model
        gc.collect()
    return n, best


def run(quick: bool) -> list[Row]:
    """Rows for ~10k (the base, best of 3), and ~100k and ~300k (best of 2) unless quick.

    The reference for each size is the ~10k time scaled linearly by household count, so a
    ratio near 1 means construction is linear in households.
    """
    build_seconds(3_100)  # warm-up
    base_n, base_s = build_seconds(10_000, BASE_REPEATS)
    sizes = [] if quick else [(100_000, "100k"), (300_000, "300k")]
    measured = [(base_n, base_s, "10k")]
    measured += [(*build_seconds(h, REPEATS), label) for h, label in sizes]
    rows = []
    for n, seconds, label in measured:
        linear = base_s * n / base_n
        per_1k = 1_000 * seconds / n
        note = f"{n:,} households; {per_1k:.4f} s per 1,000 households; ref = 10k time x size"
        rows.append(Row(f"build_{label}", seconds, linear, "s", note))
    return rows
