"""The built wheel, installed into a fresh environment, runs the shipped scenarios from anywhere."""

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def sh(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    """Run a command, failing the test with its output when it fails."""
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh environment holding the wheel alone; the dependencies seen through a .pth file."""
    tmp = tmp_path_factory.mktemp("install")
    sh(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "-q",
        "--no-deps",
        "--no-build-isolation",
        ROOT,
        "-w",
        tmp / "dist",
        cwd=tmp,
    )
    wheel = next((tmp / "dist").glob("cogov-*.whl"))
    env = tmp / "env"
    sh(sys.executable, "-m", "venv", "--without-pip", env, cwd=tmp)
    python = env / "bin" / "python"
    sh(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "-q",
        "--no-deps",
        wheel,
        cwd=tmp,
    )
    site = sh(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp)
    deps = sysconfig.get_path("purelib")
    (Path(site.stdout.strip()) / "dependencies.pth").write_text(deps + "\n")
    return env


def test_installed_package_lists_and_runs_shipped_scenarios(installed, tmp_path):
    cogov = installed / "bin" / "cogov"
    listed = sh(cogov, "scenarios", cwd=tmp_path).stdout
    assert "fee_spiral" in listed and "default" in listed
    where = sh(installed / "bin" / "python", "-c", "import sim; print(sim.__file__)", cwd=tmp_path)
    assert str(ROOT) not in where.stdout, "the wheel's own copy must be imported"
    sh(
        cogov,
        "run",
        "fee_spiral",
        "--steps",
        "4",
        "--out",
        tmp_path / "out",
        "--quiet",
        cwd=tmp_path,
    )
    assert (tmp_path / "out" / "timeseries.csv").is_file()
    assert (tmp_path / "out" / "figures" / "trust.svg").is_file()  # drawn by its own process
    assert sh(cogov, "--version", cwd=tmp_path).stdout.startswith("cogov ")


def test_installed_package_finds_shipped_experiments_by_name(installed, tmp_path):
    code = "from sim.experiments.loader import load_experiment; print(load_experiment('screening').spec.name)"
    assert sh(installed / "bin" / "python", "-c", code, cwd=tmp_path).stdout.strip() == "screening"


def test_installed_package_runs_the_shipped_community_from_its_file(installed, tmp_path):
    cogov = installed / "bin" / "cogov"
    out = tmp_path / "place"
    sh(cogov, "run", "sample_place", "--steps", "2", "--out", out, "--quiet", cwd=tmp_path)
    assert (out / "buildings.csv").read_text().count("\n") == 39  # header and 38 buildings
