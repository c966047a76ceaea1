"""A call run apart runs in a process of its own: what it loads stays out of this process."""

import os
import sys

import pytest

from sim.pool import Apart

UNLOADED = "tabnanny"  # a standard module nothing here imports


def run_apart(fn, *args):
    """`fn(*args)` called through a one-call Apart executor."""
    with Apart() as one:
        return one.submit(fn, *args).result()


def load_and_report(name: str) -> tuple[int, bool]:
    """Import `name`; this process's id and whether the module is now loaded."""
    __import__(name)
    return os.getpid(), name in sys.modules


def test_a_call_run_apart_returns_its_result_from_another_process():
    assert UNLOADED not in sys.modules
    pid, loaded = run_apart(load_and_report, UNLOADED)
    assert pid != os.getpid() and loaded
    assert UNLOADED not in sys.modules


def test_a_call_run_apart_raises_its_exception_here():
    with pytest.raises(ValueError, match="invalid literal"):
        run_apart(int, "not a number")
