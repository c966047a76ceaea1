"""cogov: agent-based simulator of neighbourhood co-governance.

The Python interface (sim.api, docs/api.md) is exported here and imported on first use, so
that `import sim` stays light: `sim.load`, `sim.change`, `sim.build`, `sim.run`,
`sim.counterfactual`, `sim.sweep`, `sim.sweep_runs`, `sim.Scenario`, `sim.ScenarioError`.
"""

from importlib import metadata

try:
    __version__ = metadata.version("cogov")
except metadata.PackageNotFoundError:  # a source tree that was never installed
    __version__ = "unknown"

API = (
    "Scenario",
    "ScenarioError",
    "build",
    "change",
    "counterfactual",
    "load",
    "run",
    "sweep",
    "sweep_runs",
)
__all__ = ["__version__", *API]


def __getattr__(name: str):
    """The interface's names, imported from sim.api when first asked for."""
    if name in API:
        from sim import api

        return getattr(api, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
