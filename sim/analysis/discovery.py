"""Scenario discovery: which regions of the design make an outcome of interest likely.

Cases of interest are the finished runs whose summary output meets a condition, e.g.
``final.fee_collection_rate<0.5``. A shallow classification tree (CART, scikit-learn's
``DecisionTreeClassifier``, seeded) is fitted on the runs' levers and parameters; each leaf
where cases of interest are the majority is a box, a conjunction of bounds on parameters
(numbers), values (categories) or truth values (booleans). Each box is reported with the
usual scenario-discovery measures (Bryant & Lempert 2010):

    coverage = cases of interest in the box / all cases of interest
    density  = cases of interest in the box / runs in the box

Boxes are listed by density, then coverage. Runs are taken from the stored run rows, which
carry their parameter values, so no matching by order is involved.
"""

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.tree import DecisionTreeClassifier

from sim.analysis.summary import SweepData
from sim.scenario.loader import ScenarioError

CONDITION = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(<=|>=|<|>)\s*([-+]?[\d.]+(?:[eE][-+]?\d+)?)\s*$")
OPERATORS = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}
MAX_DEPTH = 3
MIN_LEAF_SHARE = 0.05
SEED = 0


@dataclass(frozen=True)
class Condition:
    """Which runs are cases of interest: `output` `operator` `threshold`."""

    output: str
    operator: str
    threshold: float

    def __str__(self) -> str:
        return f"{self.output} {self.operator} {self.threshold:g}"

    def holds(self, values: pd.Series) -> np.ndarray:
        """True for the runs that are cases of interest."""
        return OPERATORS[self.operator](values.to_numpy(dtype=float), self.threshold)


def parse_condition(text: str, outputs: list[str]) -> Condition:
    """Read OUTPUT<VALUE (or <=, >, >=); one-line error for anything else."""
    match = CONDITION.match(text)
    if match is None:
        raise ScenarioError(
            "--discover", "condition", f"cannot read {text!r}", "OUTPUT<VALUE, <=, > or >="
        )
    output, operator, threshold = match.groups()
    if output not in outputs:
        shown = ", ".join(outputs[:6]) + (", ..." if len(outputs) > 6 else "")
        raise ScenarioError("--discover", "condition", f"no numeric output {output!r}", shown)
    return Condition(output, operator, float(threshold))


def features(runs: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, dict[str, tuple]]:
    """The tree's inputs: numbers as they are, booleans as 0/1, categories one-hot.

    Returns the matrix and, per column, what it stands for: ("number", key),
    ("boolean", key) or ("category", key, value).
    """
    columns: dict[str, pd.Series] = {}
    meaning: dict[str, tuple] = {}
    for key in keys:
        values = runs[key]
        if pd.api.types.is_bool_dtype(values):
            columns[key] = values.astype(float)
            meaning[key] = ("boolean", key)
        elif pd.api.types.is_numeric_dtype(values):
            columns[key] = values.astype(float)
            meaning[key] = ("number", key)
        else:
            for value in sorted(values.astype(str).unique()):
                name = f"{key}={value}"
                columns[name] = (values.astype(str) == value).astype(float)
                meaning[name] = ("category", key, value)
    return pd.DataFrame(columns, index=runs.index), meaning


@dataclass
class Box:
    """Bounds along one root-to-leaf path of the tree."""

    low: dict[str, float]
    high: dict[str, float]
    equal: dict[str, str]
    unequal: dict[str, set]
    truth: dict[str, bool]

    @classmethod
    def empty(cls) -> "Box":
        return cls({}, {}, {}, {}, {})

    def narrowed(self, meaning: tuple, threshold: float, above: bool) -> "Box":
        """This box with one more split (`above`: the feature exceeds the threshold)."""
        box = Box(
            dict(self.low),
            dict(self.high),
            dict(self.equal),
            {k: set(v) for k, v in self.unequal.items()},
            dict(self.truth),
        )
        kind, key = meaning[0], meaning[1]
        if kind == "number" and above:
            box.low[key] = max(box.low.get(key, -np.inf), threshold)
        elif kind == "number":
            box.high[key] = min(box.high.get(key, np.inf), threshold)
        elif kind == "boolean":
            box.truth[key] = above
        elif above:
            box.equal[key] = meaning[2]
        else:
            box.unequal.setdefault(key, set()).add(meaning[2])
        return box

    def describe(self) -> str:
        """The box as readable conditions joined by 'and'."""
        parts = []
        for key in sorted(set(self.low) | set(self.high)):
            low, high = self.low.get(key), self.high.get(key)
            if low is not None and high is not None:
                parts.append(f"{low:.4g} < {key} <= {high:.4g}")
            elif low is not None:
                parts.append(f"{key} > {low:.4g}")
            else:
                parts.append(f"{key} <= {high:.4g}")
        parts += [f"{key} is {str(value).lower()}" for key, value in sorted(self.truth.items())]
        parts += [f"{key} = {value}" for key, value in sorted(self.equal.items())]
        parts += [
            f"{key} not in {{{', '.join(sorted(values))}}}"
            for key, values in sorted(self.unequal.items())
            if key not in self.equal
        ]
        return " and ".join(parts) or "(everywhere)"


def discover(data: SweepData, condition: Condition) -> pd.DataFrame:
    """The boxes where cases of interest are the majority, with coverage and density."""
    runs = data.ok.reset_index(drop=True)
    columns = ["box", "runs", "cases", "coverage", "density"]
    interest = condition.holds(runs[condition.output])
    if runs.empty or not data.keys or not interest.any() or interest.all():
        return pd.DataFrame(columns=columns)
    x, meaning = features(runs, data.keys)
    tree = DecisionTreeClassifier(
        max_depth=MAX_DEPTH,
        min_samples_leaf=max(1, int(np.ceil(MIN_LEAF_SHARE * len(runs)))),
        random_state=SEED,
    ).fit(x.to_numpy(), interest)
    leaves = tree.apply(x.to_numpy())
    boxes = leaf_boxes(tree, list(x.columns), meaning)
    rows = []
    for leaf, box in boxes.items():
        inside = leaves == leaf
        cases = int((interest & inside).sum())
        if cases * 2 <= int(inside.sum()):
            continue
        rows.append(
            {
                "box": box.describe(),
                "runs": int(inside.sum()),
                "cases": cases,
                "coverage": cases / int(interest.sum()),
                "density": cases / int(inside.sum()),
            }
        )
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(["density", "coverage"], ascending=False, ignore_index=True)


def leaf_boxes(tree: DecisionTreeClassifier, names: list[str], meaning: dict) -> dict[int, Box]:
    """Every leaf of a fitted tree with the box its path describes."""
    inner = tree.tree_
    boxes: dict[int, Box] = {}
    stack = [(0, Box.empty())]
    while stack:
        node, box = stack.pop()
        left, right = inner.children_left[node], inner.children_right[node]
        if left == right:  # a leaf
            boxes[node] = box
            continue
        feature = meaning[names[inner.feature[node]]]
        threshold = float(inner.threshold[node])
        stack.append((left, box.narrowed(feature, threshold, above=False)))
        stack.append((right, box.narrowed(feature, threshold, above=True)))
    return boxes
