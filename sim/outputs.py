"""The outputs a run produces, by name and type, known without running a model.

Experiment, calibration and catalogue files name summary metrics and time-series columns; their
loaders check those names against this catalogue. It is read from `sim/shipped/outputs.json`,
which `python -m sim.reference` writes from a probe run (a one-week, one-compound model), so that
checking a file does not import or run the model; a test keeps the file equal to the probe.
"""

import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

CATALOGUE_PATH = Path(__file__).resolve().parent / "shipped" / "outputs.json"


@dataclass(frozen=True)
class OutputCatalogue:
    """The outputs a run produces: flattened summary metrics and time-series columns, typed."""

    summary: dict[str, str]  # name -> "int" | "float"
    series: dict[str, str]

    def text(self) -> str:
        """The catalogue as the JSON text of its file."""
        return json.dumps(asdict(self), indent=1) + "\n"


@lru_cache(maxsize=1)
def output_catalogue() -> OutputCatalogue:
    """The catalogue of the shipped file."""
    data = json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))
    return OutputCatalogue(data["summary"], data["series"])


def probe_catalogue() -> OutputCatalogue:
    """Run a one-week, one-compound model to list every output and its type."""
    import pandas as pd

    from sim.runner import flatten_summary, simulate
    from sim.scenario.schema import Scenario

    probe = Scenario.model_validate({"steps": 1, "structure": {"compounds": 1}})
    result = simulate(probe, seed=0)
    summary = {key: kind(value) for key, value in flatten_summary(result.summary).items()}
    series = {
        column: "int" if pd.api.types.is_integer_dtype(dtype) else "float"
        for column, dtype in result.timeseries.dtypes.items()
    }
    return OutputCatalogue(summary, series)


def kind(value: Any) -> str:
    """'int' or 'float'."""
    return "int" if isinstance(value, int) and not isinstance(value, bool) else "float"


def write_catalogue(path: Path = CATALOGUE_PATH) -> bool:
    """Write the probe's catalogue to `path`; whether the file changed."""
    text = probe_catalogue().text()
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    output_catalogue.cache_clear()
    return True
