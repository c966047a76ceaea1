"""The map view: a community read from a file, its buildings drawn at their footprints.

Each building is its footprint (metres about the community's centre, no map tiles), filled with
the colour of its households in the chosen state, the same states as the building view: for a
scale, the ramp's colour at the mean over the households it applies to; for categories, the
colour of the category most of its households are in. The outline shows who manages the
compound; each compound is named above its buildings.
"""

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from sim.app.states import HOUSEHOLD_STATES, INK, MANAGERS, NOT_APPLICABLE, Scale
from sim.world.structure import BuiltCommunity

if TYPE_CHECKING:
    from sim.model import CommunityModel

#: Width of the picture in inches, and its resolution.
WIDTH_INCHES = 9.0
DPI = 110


@dataclass(frozen=True)
class MapLayout:
    """What the map needs of the world, computed once per model."""

    outlines: list[np.ndarray]  # per building: its footprint's exterior ring (x, y) in metres
    compound_anchors: np.ndarray  # per compound: (x, y) of its label, above its buildings
    compound_names: list[str]
    extent: tuple[float, float, float, float]  # x min, x max, y min, y max with a margin


def has_map(world: BuiltCommunity) -> bool:
    """Whether the community has footprints to draw."""
    return world.building_footprints is not None


def map_layout(world: BuiltCommunity) -> MapLayout:
    """Outlines, compound label positions and the drawn extent."""
    outlines = [np.asarray(p.exterior.coords) for p in world.building_footprints]
    centres = world.building_centres
    counts = np.bincount(world.building_compound, minlength=world.compounds)
    middle = np.bincount(world.building_compound, centres[:, 0], world.compounds) / counts
    tops = np.full(world.compounds, -np.inf)
    np.maximum.at(tops, world.building_compound, [ring[:, 1].max() for ring in outlines])
    points = np.concatenate(outlines)
    low, high = points.min(axis=0), points.max(axis=0)
    margin = 0.06 * max(float((high - low).max()), 1.0)
    anchors = np.column_stack([middle, tops + 0.4 * margin])
    extent = (low[0] - margin, high[0] + margin, low[1] - margin, high[1] + 1.5 * margin)
    return MapLayout(outlines, anchors, list(world.compound_labels), extent)


def building_colours(model: "CommunityModel", state: str) -> np.ndarray:
    """RGBA colour (buildings, 4) of each building in a household state."""
    world, spec = model.world, HOUSEHOLD_STATES[state]
    if isinstance(spec, Scale):
        values = np.clip(spec.value(model), 0.0, 1.0)
        applies = spec.applies(model) if spec.applies is not None else np.ones(values.size, bool)
        counted = world.count_by_building(applies)
        total = np.bincount(world.building, np.where(applies, values, 0.0), world.buildings)
        colours = spec.colormap(total / np.maximum(counted, 1))
        colours[counted == 0] = to_rgba(NOT_APPLICABLE)
        return colours
    codes = spec.classify(model)
    n_codes = len(spec.categories)
    counts = np.bincount(world.building * n_codes + codes, minlength=world.buildings * n_codes)
    most = counts.reshape(world.buildings, n_codes).argmax(axis=1)
    palette = np.array([to_rgba(colour) for _, colour in spec.categories])
    return palette[most]


def render_png(model: "CommunityModel", layout: MapLayout, state: str) -> bytes:
    """The map as PNG bytes."""
    x0, x1, y0, y1 = layout.extent
    figure = Figure(figsize=(WIDTH_INCHES, WIDTH_INCHES * (y1 - y0) / (x1 - x0)), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0, 0, 1, 1))
    managers = model.compounds.manager[model.world.building_compound]
    edges = [MANAGERS[int(m)][1] for m in managers]
    patches = PatchCollection(
        [Polygon(ring, closed=True) for ring in layout.outlines],
        facecolors=building_colours(model, state),
        edgecolors=edges,
        linewidths=1.6,
    )
    axes.add_collection(patches)
    for (x, y), name in zip(layout.compound_anchors, layout.compound_names, strict=True):
        axes.annotate(
            name, (x, y), ha="center", va="bottom", fontsize=9, color=INK, weight="bold",
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.75},
        )  # fmt: skip
    axes.set_xlim(x0, x1)
    axes.set_ylim(y0, y1)
    axes.set_aspect("equal")
    axes.set_axis_off()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()
