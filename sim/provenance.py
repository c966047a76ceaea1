"""Provenance of a run: versions, code revision, platform, seed and the resolved scenario."""

import functools
import hashlib
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

import sim
from sim.scenario.schema import Scenario

PACKAGE = "cogov"


def package_version() -> str:
    """Installed version of this package."""
    return sim.__version__


@functools.cache
def git_commit() -> str | None:
    """Commit of the source tree this package runs from (suffixed '-dirty' if modified), if any;
    asked of git once a process, as the process first found it."""
    root = Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}-dirty" if status else commit


def file_sha256(path: str | Path) -> str | None:
    """SHA-256 of a file's bytes, or None if it cannot be read."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def provenance(scenario: Scenario, seed: int, source: str, source_file: Path) -> dict[str, Any]:
    """Everything needed to reproduce and cite a run."""
    return {
        "package": PACKAGE,
        "package_version": package_version(),
        "git_commit": git_commit(),
        "python": sys.version.split()[0],
        "mesa": metadata.version("mesa"),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "command": [Path(sys.argv[0]).name, *sys.argv[1:]],
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "scenario_source": source,
        "scenario_file_sha256": file_sha256(source_file),
        "seed": seed,
        "scenario": scenario.model_dump(mode="json"),
    }
