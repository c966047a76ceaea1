"""Timing helpers shared by the benchmarks."""

import gc
import time
from collections.abc import Callable
from typing import Protocol


class Steppable(Protocol):
    """Anything with a ``step()`` method, such as a Mesa model."""

    def step(self) -> None: ...


def timed[T](fn: Callable[[], T]) -> tuple[T, float]:
    """Call `fn` after a garbage collection; return its result and wall seconds."""
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def step_seconds(model: Steppable, steps: int) -> float:
    """Wall seconds to call ``model.step()`` `steps` times."""
    step = model.step

    def run() -> None:
        for _ in range(steps):
            step()

    return timed(run)[1]
