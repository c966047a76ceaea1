"""Peak resident memory of this process, measured so that a parent's size does not leak in.

Linux keeps ``ru_maxrss`` across ``exec``: a benchmark probe started from a large parent
reports the parent's peak. ``VmHWM`` in ``/proc/self/status`` belongs to the process's own
memory map, so it is used where it exists; elsewhere ``ru_maxrss``.
"""

import resource
import sys
from pathlib import Path

STATUS = Path("/proc/self/status")


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far, in bytes."""
    if STATUS.exists():
        for line in STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024
