"""Stepping throughput: our default scenario against Mesa's VirusOnNetwork, same size."""

import gc

from benchmarks.models import build_ours, build_virus
from benchmarks.table import Row
from benchmarks.timing import step_seconds

WARMUP_STEPS = 3


def warm_up() -> None:
    """Step a small model of each kind, so imports and first-call costs are not timed."""
    for model in (build_ours(1_000), build_virus(1_000)):
        step_seconds(model, WARMUP_STEPS)


def compare(households: int, steps: int, label: str) -> Row:
    """Household-steps per second of ours against agent-steps per second of the virus model.

    Both models are built first (untimed), then only their `steps` calls to ``step()`` are
    timed; the virus model gets one node per household of ours.
    """
    ours = build_ours(households)
    n = int(ours.world.households)
    ours_rate = n * steps / step_seconds(ours, steps)
    del ours
    gc.collect()
    virus = build_virus(n)
    virus_rate = n * steps / step_seconds(virus, steps)
    ms = f"{1000 * n / ours_rate:.2f} ms a step against {1000 * n / virus_rate:.2f}"
    note = f"{n:,} households / virus nodes x {steps} steps; stepping only; {ms}"
    return Row(f"stepping_{label}", ours_rate, virus_rate, "agent-steps/s", note)


def run(quick: bool) -> list[Row]:
    """Stepping rows: ~3k households (and ~30k unless quick)."""
    steps = 20 if quick else 260
    sizes = [(3_100, "3k")] if quick else [(3_100, "3k"), (31_000, "30k")]
    warm_up()
    return [compare(households, steps, label) for households, label in sizes]
