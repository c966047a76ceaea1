"""The `cogov` command ends at once only when nothing runs beside it, and says all first."""

import subprocess
import sys

ALONE = "from sim.cli import alone; {before}print(alone())"
AFTER_A_POOL = (
    "from sim.pool import open_pool; pool = open_pool('process', 1); "
    "pool.submit(int, '1').result(); pool.close(); "
)


def python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_a_process_that_ran_no_pool_is_alone():
    assert python(ALONE.format(before="")) == "True"


def test_a_process_that_ran_a_pool_is_not_alone_so_it_exits_normally():
    """Its resource tracker cleans up after the pool at a normal exit; ending at once would
    leave it warning of leaked semaphores."""
    assert python(ALONE.format(before=AFTER_A_POOL)) == "False"


def test_a_run_that_ends_at_once_has_printed_and_written_everything(tmp_path):
    out = tmp_path / "run"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim.cli",
            "run",
            "no_mechanisms",
            "--steps",
            "3",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == f"results written to {out}/"
    assert done.stderr == ""
    assert (out / "summary.json").is_file() and (out / "figures" / "trust.svg").is_file()
