"""Stepping throughput: our default scenario against Mesa's VirusOnNetwork, same size."""

from benchmarks.models import build_ours
from benchmarks.table import Row
from benchmarks.timing import step_seconds
from benchmarks.virus import build_virus

WARMUP_STEPS = 3
ROUNDS = 5  # alternating timed stretches of each model


def warm_up() -> None:
    """Step a small model of each kind, so imports and first-call costs are not timed."""
    for model in (build_ours(1_000), build_virus(1_000)):
        step_seconds(model, WARMUP_STEPS)


def stretches(steps: int, rounds: int) -> list[int]:
    """`steps` cut into `rounds` stretches as even as can be (none empty)."""
    rounds = max(1, min(rounds, steps))
    return [steps // rounds + (1 if k < steps % rounds else 0) for k in range(rounds)]


def compare(households: int, steps: int, label: str) -> Row:
    """Household-steps per second of ours against agent-steps per second of the virus model.

    Both models are built first (untimed); the virus model gets one node per household of
    ours. Their `steps` calls to ``step()`` are then timed in ROUNDS alternating stretches
    (ours, then the virus model), so that a slow spell of the machine falls on both. The rates
    are over all the stretches, and the note gives the range of the stretches' own ratios.
    """
    ours = build_ours(households)
    n = int(ours.world.households)
    virus = build_virus(n)
    ours_seconds, virus_seconds = [], []
    for stretch in stretches(steps, ROUNDS):
        ours_seconds.append(step_seconds(ours, stretch))
        virus_seconds.append(step_seconds(virus, stretch))
    ours_rate = n * steps / sum(ours_seconds)
    virus_rate = n * steps / sum(virus_seconds)
    ratios = [v / o for o, v in zip(ours_seconds, virus_seconds, strict=True)]
    ms = f"{1000 * n / ours_rate:.2f} ms a step against {1000 * n / virus_rate:.2f}"
    spread = f"stretch ratios {min(ratios):.2f}-{max(ratios):.2f}"
    note = f"{n:,} households / virus nodes x {steps} steps; stepping only; {ms}; {spread}"
    return Row(f"stepping_{label}", ours_rate, virus_rate, "agent-steps/s", note)


def run(quick: bool) -> list[Row]:
    """Stepping rows: ~3k households (and ~30k and ~100k unless quick)."""
    steps = 20 if quick else 260
    sizes = [(3_100, "3k")] if quick else [(3_100, "3k"), (31_000, "30k"), (100_000, "100k")]
    warm_up()
    return [compare(households, steps, label) for households, label in sizes]
