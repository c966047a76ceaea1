"""A run's figures drawn by a second process, while the run goes on.

Figures need only the time series, but the plotting stack takes about 0.3 s to import and each
figure about 0.15 s to draw. `FigureProcess` starts ``python -m sim.report.drawing`` before the
run: it imports matplotlib and draws a rehearsal figure into memory (fonts, glyphs, the first
figure's code paths) while this process builds and steps the model. Told the run's weeks and
title, it also lays out the figures whose axes do not depend on the numbers
(`sim.report.figures.Layouts`). It then draws the figures of the time series it is sent while
this process writes the tables, half of them in a forked copy of itself (its imports already
done), so that two CPUs draw. The files are those `sim.report.figures.draw_figures` writes
in-process, byte for byte.

The child (``python -m sim.report.drawing [STEPS TITLE]``) reads one pickled request on
standard input, writes the figures, prints their paths, one a line, and exits 0; on a failure
it prints the error's last line on standard error and exits 1. Given no request (its parent
ended first), it exits 0 without writing anything.
"""

import os
import pickle
import subprocess
import sys
import threading
import traceback
from pathlib import Path

import sim

PACKAGE_ROOT = str(Path(sim.__file__).resolve().parents[1])


class FigureError(OSError):
    """The figure process failed (an OSError: the outputs are not written, nothing changes)."""


def worth_a_process() -> bool:
    """Whether a second process can draw beside this one (more than one CPU to use)."""
    usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    return (len(usable) if usable is not None else os.cpu_count() or 1) > 1


class FigureProcess:
    """The drawing process of one run: start it early, `send` the series, `wait` for paths."""

    def __init__(self, steps: int | None = None, title: str | None = None) -> None:
        """Start the process; given the run's `steps` and `title`, it lays out what it can."""
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([PACKAGE_ROOT, *filter(None, [env.get("PYTHONPATH")])])
        plan = [str(steps), title] if steps is not None and title is not None else []
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__, *plan],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        self.talk: threading.Thread | None = None
        self.replies: tuple[bytes, bytes] = (b"", b"")

    def send(self, timeseries, folder: Path, title: str) -> None:
        """Hand over what to draw; returns at once (a thread writes it and reads the reply)."""
        request = pickle.dumps((timeseries, Path(folder), title), pickle.HIGHEST_PROTOCOL)

        def talk() -> None:
            self.replies = self.process.communicate(request)

        self.talk = threading.Thread(target=talk, name="figure-process", daemon=True)
        self.talk.start()

    def wait(self) -> list[Path]:
        """The figures' paths, once drawn; FigureError if the process failed."""
        if self.talk is None:
            raise FigureError("nothing was sent to draw")
        self.talk.join()
        out, err = self.replies
        if self.process.returncode != 0:
            lines = err.decode(errors="replace").strip().splitlines()
            raise FigureError(lines[-1] if lines else "the figure process ended without a word")
        return [Path(line) for line in out.decode().splitlines()]

    def close(self) -> None:
        """End the process if it is still there (the run failed or was interrupted)."""
        if self.process.poll() is None:
            self.process.kill()
        if self.talk is not None:
            self.talk.join()
        else:
            self.process.communicate()

    def __enter__(self) -> "FigureProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def serve(plan: list[str]) -> int:
    """The child: import and warm up the plotting stack, lay out the figures of the run's
    `plan` (its steps and title, if given), then draw the one request."""
    from sim.report.figures import Layouts, figures_for, rehearse

    rehearse()  # fonts, glyphs and the first figure's code paths, while the run goes on
    layouts = Layouts.lay_out(int(plan[0]), plan[1]) if plan else None
    request = sys.stdin.buffer.read()
    if not request:
        return 0
    try:
        timeseries, folder, title = pickle.loads(request)
        names = list(figures_for(timeseries))
        paths = draw_in_two(timeseries, folder, title, names, layouts)
    except CopyFailed:
        return 1  # the copy has said why
    except Exception as exc:
        report(exc)
        return 1
    sys.stdout.write("".join(f"{path}\n" for path in paths))
    return 0


class CopyFailed(Exception):
    """The forked copy failed to draw its figures (it has written why on standard error)."""


def report(exc: BaseException) -> None:
    """The traceback, then the one line that the parent shows."""
    traceback.print_exception(exc)
    print(f"figures: {type(exc).__name__}: {exc}", file=sys.stderr)


def draw_in_two(timeseries, folder: Path, title: str, names: list[str], layouts=None) -> list[Path]:
    """Draw the figures `names` (finishing those `layouts` holds), the second half in a forked
    copy of this process (where fork exists), the first half here; their paths in the order of
    `names`."""
    from sim.report.figures import FORMATS, draw_figures

    half = (len(names) + 1) // 2
    if not hasattr(os, "fork") or len(names) < 2:
        return draw_figures(timeseries, folder, title, only=names, layouts=layouts)
    folder.mkdir(parents=True, exist_ok=True)
    pid = os.fork()
    if pid == 0:  # the copy: draw the second half, report through the exit status alone
        status = 1
        try:
            draw_figures(timeseries, folder, title, only=names[half:], layouts=layouts)
            status = 0
        except BaseException as exc:
            report(exc)
        finally:
            sys.stderr.flush()
            os._exit(status)
    try:
        first = draw_figures(timeseries, folder, title, only=names[:half], layouts=layouts)
    finally:
        _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise CopyFailed
    return first + [folder / f"{name}.{fmt}" for name in names[half:] for fmt in FORMATS]


if __name__ == "__main__":
    status = serve(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)  # the figures are written and closed: no teardown to wait for
