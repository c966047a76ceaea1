"""cogov: agent-based simulator of neighbourhood co-governance."""

from importlib import metadata

try:
    __version__ = metadata.version("cogov")
except metadata.PackageNotFoundError:  # a source tree that was never installed
    __version__ = "unknown"
