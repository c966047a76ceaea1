"""Pausing Python's cyclic garbage collector while many long-lived objects are made."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_garbage_collection() -> Iterator[None]:
    """Pause the cyclic collector inside the block, and restore it as it was.

    Objects made for the life of a run (cells, agents, graph entries) are never
    garbage; collection passes started while thousands of them are created walk them to no end.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
