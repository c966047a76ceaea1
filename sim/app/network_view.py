"""The social network view: compounds as discs on a ring, each building a sector of its disc.

The layout is computed from the structure in linear time (no spring layout): compound discs
sized by households sit around a circle, and inside a disc each building takes a sector, its
households spread over the sector by a low-discrepancy sequence. Ties are drawn once per model
(matplotlib, ties across compounds in colour); a redraw stamps the household dots on that
background with numpy, so it costs a few milliseconds however many ties there are.
"""

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from PIL import Image, ImageDraw

from sim.app.building_view import compound_labels, disk, label_font, rgba8
from sim.app.states import BACKGROUND, HOUSEHOLD_STATES, INK, PARTY_MARK, TIE_ACROSS, TIE_INSIDE
from sim.world.structure import BuiltCommunity

if TYPE_CHECKING:
    from sim.model import CommunityModel

SIZE = 1100  # pixels of the square picture
MARGIN = 50
MAX_TIES_DRAWN = 60_000
GOLDEN = (np.sqrt(5) - 1) / 2


@dataclass(frozen=True)
class NetworkLayout:
    """Pixel position of every household and of every compound's label."""

    x: np.ndarray
    y: np.ndarray
    label_x: np.ndarray
    label_y: np.ndarray
    dot: int  # dot diameter in pixels


def network_positions(world: BuiltCommunity) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Abstract (x, y) per household, and each compound's disc centre and radius."""
    starts, sizes = world.compound_starts, world.compound_flats
    radius = np.sqrt(np.maximum(sizes, 1)).astype(float)
    spacing = 1.1
    if world.compounds == 1:
        centres = np.zeros((1, 2))
    else:
        arc = spacing * (radius + np.roll(radius, -1))  # centre-to-centre along the ring
        ring = arc.sum() / (2 * np.pi)
        angle = np.concatenate([[0.0], np.cumsum(arc[:-1])]) / ring + np.pi / 2
        centres = ring * np.column_stack([np.cos(angle), np.sin(angle)])
    rank = np.arange(world.households) - starts[world.compound]
    n = sizes[world.compound]
    theta = 2 * np.pi * (rank + 0.5) / n
    rho = radius[world.compound] * np.sqrt(0.08 + 0.92 * ((rank * GOLDEN) % 1.0))
    x = centres[world.compound, 0] + rho * np.cos(theta)
    y = centres[world.compound, 1] + rho * np.sin(theta)
    return np.column_stack([x, y]), centres, radius


def network_layout(world: BuiltCommunity) -> NetworkLayout:
    """Positions fitted into the square picture, labels outside each disc."""
    xy, centres, radius = network_positions(world)
    outward = centres / np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-9)
    label_xy = centres + outward * (radius[:, None] + 4.0)
    if world.compounds == 1:
        label_xy = centres + np.array([[0.0, radius[0] + 2.5]])
    points = np.vstack([xy, label_xy])
    low, high = points.min(axis=0), points.max(axis=0)
    scale = (SIZE - 2 * MARGIN) / max(float((high - low).max()), 1e-9)
    offset = (SIZE - scale * (high - low)) / 2 - scale * low

    def fit(p: np.ndarray) -> np.ndarray:
        return p * scale + offset

    xy, label_xy = fit(xy), fit(label_xy)
    spacing = scale * np.sqrt(np.pi * (radius**2).sum() / max(world.households, 1))
    dot = int(np.clip(spacing * 0.95, 3, 16))
    # image rows grow downwards: flip y
    return NetworkLayout(xy[:, 0], SIZE - xy[:, 1], label_xy[:, 0], SIZE - label_xy[:, 1], dot)


def tie_background(model: "CommunityModel", layout: NetworkLayout) -> np.ndarray:
    """The ties drawn once as an RGBA byte image (a sample when there are very many)."""
    n = model.world.households
    keys = model.ties.keys
    if keys.size > MAX_TIES_DRAWN:  # a fixed sample, not drawn from the model's generator
        keys = np.sort(np.random.default_rng(0).choice(keys, MAX_TIES_DRAWN, replace=False))
    u, v = keys // n, keys % n
    across = model.world.compound[u] != model.world.compound[v]
    segments = np.stack(
        [np.column_stack([layout.x[u], layout.y[u]]), np.column_stack([layout.x[v], layout.y[v]])],
        axis=1,
    )
    fig = Figure(figsize=(SIZE / 100, SIZE / 100), dpi=100, facecolor=BACKGROUND)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, SIZE)
    ax.set_ylim(SIZE, 0)
    ax.set_axis_off()
    width = 0.5 if n < 20_000 else 0.3
    ax.add_collection(
        LineCollection(segments[~across], colors=TIE_INSIDE, linewidths=width, alpha=0.25)
    )
    ax.add_collection(
        LineCollection(segments[across], colors=TIE_ACROSS, linewidths=width, alpha=0.45)
    )
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def render_webp(
    model: "CommunityModel", layout: NetworkLayout, background: np.ndarray, state: str
) -> bytes:
    """The network view as WebP bytes: household dots stamped on the tie background.

    WebP rather than PNG: thousands of anti-aliased ties make a PNG of over half a megabyte.
    """
    image = background.copy()
    colours = rgba8(HOUSEHOLD_STATES[state].rgba(model))
    party = model.households.is_party
    for members, diameter in ((~party, layout.dot), (party, layout.dot + 4)):
        flats = np.flatnonzero(members)
        dy, dx, rim = disk(diameter)
        ys = np.clip(np.round(layout.y[flats]).astype(np.int64)[:, None] + dy, 0, SIZE - 1)
        xs = np.clip(np.round(layout.x[flats]).astype(np.int64)[:, None] + dx, 0, SIZE - 1)
        rim_colour = rgba8(to_rgba(PARTY_MARK if members is party else "white"))
        dot_colours = np.where(rim[None, :, None], rim_colour, colours[flats][:, None, :])
        image[ys, xs] = dot_colours
    picture = Image.fromarray(image[:, :, :3], mode="RGB")
    draw = ImageDraw.Draw(picture)
    font = label_font(24)
    for c, label in enumerate(compound_labels(model.world.compounds)):
        xy = (float(layout.label_x[c]), float(layout.label_y[c]))
        draw.text(xy, label, fill=INK, font=font, anchor="mm")
    buffer = io.BytesIO()
    picture.save(buffer, format="WEBP", quality=90, method=0)
    return buffer.getvalue()
