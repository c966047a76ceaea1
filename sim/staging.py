"""Writing a folder of outputs atomically: into a hidden sibling folder, renamed into place.

A failed or interrupted writer leaves nothing half-written: its hidden folder is removed, and
the folder it replaces is untouched until the rename. The hidden folder's name carries the
writer's host and process id, ``.NAME.cogov-HOST-PID-ROLE-XXXXXXXX``, so that a writer killed
outright (``kill -9``, a power cut) is cleaned up by the next one that writes beside it: a
hidden folder is removed only when its host is this host and its process is no longer alive
here. Folders of live writers and of other hosts (whose processes this host cannot see) are
left alone. A killed writer that had already moved the folder it replaces aside (role `old`)
gets that folder put back.
"""

import os
import re
import shutil
import socket
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.scenario.loader import ScenarioError

MARK = "cogov"
STAGED = re.compile(
    rf"^\.(?P<name>.+)\.{MARK}-(?P<host>.+)-(?P<pid>\d+)-(?P<role>new|old|probe)-[a-z0-9_]+$"
)


class WriteError(RuntimeError):
    """Outputs that could not be written (disk full, file too large, no permission)."""

    def __init__(self, out_dir: Path, exc: OSError) -> None:
        super().__init__(f"{out_dir}: outputs not written: {os_reason(exc)}; nothing was changed")


def os_reason(exc: OSError) -> str:
    """An OSError in a few words: the reason and the file."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{reason} ({exc.filename})" if exc.filename else reason


def host_name() -> str:
    """This host's name as it goes into a hidden folder's name (no path separators)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", socket.gethostname()) or "localhost"


def staging_prefix(name: str, role: str) -> str:
    """The start of a hidden folder's name for `name`, this process and a role."""
    return f".{name}.{MARK}-{host_name()}-{os.getpid()}-{role}-"


def process_alive(pid: int) -> bool:
    """Whether a process of this id runs on this host (a process of another user counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(folder: Path) -> list[Path]:
    """Remove the hidden folders that dead writers of this host left in `folder` (putting
    back a folder a dead writer had moved aside); returns what was removed or restored."""
    cleaned = []
    host = host_name()
    try:
        entries = [entry for entry in folder.iterdir() if entry.name.startswith(".")]
    except OSError:
        return cleaned
    for entry in entries:
        match = STAGED.match(entry.name)
        if match is None or match["host"] != host:
            continue
        pid = int(match["pid"])
        if pid == os.getpid() or process_alive(pid):
            continue
        original = folder / match["name"]
        try:
            if match["role"] == "old" and not original.exists():
                entry.rename(original)
            else:
                shutil.rmtree(entry)
        except OSError:
            continue
        cleaned.append(entry)
    return cleaned


def nearest_existing(path: Path) -> Path:
    """`path` or its nearest ancestor that exists."""
    return next((p for p in [path, *path.parents] if p.exists()), Path("."))


def check_writable(out: Path, field: str = "--out") -> None:
    """Refuse an output folder that cannot be written, before any work: a hidden folder is
    made (and removed) where the staging folder will go, and a folder to be replaced must be
    movable."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ScenarioError(str(out), field, "exists and is not a folder", "a folder path")
    parent = nearest_existing(out.parent if str(out.parent) else Path("."))
    if not parent.is_dir():
        raise ScenarioError(str(out), field, f"{parent} is not a folder", "a folder path")
    probe(parent, out, field)
    if out.exists() and not os.access(out, os.W_OK):
        raise ScenarioError(
            str(out),
            field,
            "is a folder that cannot be replaced (not writable)",
            "a writable folder",
        )


def probe(folder: Path, out: Path, field: str = "--out") -> None:
    """Make and remove a hidden folder in `folder`; a ScenarioError for `out` if that fails."""
    try:
        Path(tempfile.mkdtemp(prefix=staging_prefix(out.name, "probe"), dir=folder)).rmdir()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ScenarioError(
            str(out), field, f"cannot write into {folder}: {reason}", "a writable folder"
        ) from None


@contextmanager
def staged_folder(out_dir: Path) -> Iterator[Path]:
    """A hidden sibling folder to write into, renamed to `out_dir` when the block succeeds
    and removed when it fails; an OSError (disk full, file too large) becomes a WriteError."""
    out_dir = Path(out_dir)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(out_dir.parent)
        prefix = staging_prefix(out_dir.name, "new")
        staging = Path(tempfile.mkdtemp(prefix=prefix, dir=out_dir.parent))
        staging.chmod(0o755)
    except OSError as exc:
        raise WriteError(out_dir, exc) from exc
    try:
        yield staging
        replace_folder(staging, out_dir)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise WriteError(out_dir, exc) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def replace_folder(new: Path, target: Path) -> None:
    """Move `new` to `target`, replacing any earlier folder there (put back if the move
    fails)."""
    if not target.exists():
        new.rename(target)
        return
    old = target.parent / f"{staging_prefix(target.name, 'old')}{uuid.uuid4().hex[:8]}"
    target.rename(old)
    try:
        new.rename(target)
    except BaseException:
        old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)
