"""The building view: compounds side by side, buildings as columns of stairwell units, floors stacked.

Each household is a cell of one image, coloured by the chosen state; a strip under each compound
shows who manages it; Party members carry a dot. The geometry is computed once per model from
the world arrays (compounds wrap into rows to fit the page); a redraw fills the cells of one
byte image with numpy and writes it as a PNG, so its cost barely grows with households.
"""

import io
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from matplotlib import font_manager
from matplotlib.colors import to_rgba
from PIL import Image, ImageDraw, ImageFont

from sim.app.states import BACKGROUND, HOUSEHOLD_STATES, INK, MANAGERS, PARTY_MARK
from sim.world.structure import BuiltCommunity, group_starts

if TYPE_CHECKING:
    from sim.model import CommunityModel

#: Image size aimed for, in layout pixels.
TARGET_WIDTH = 1100
TARGET_ASPECT = 2.6
CELL_SIZES = (22, 18, 16, 14, 12, 10, 9, 8, 7, 6, 5, 4)
LABEL_HEIGHT = 14
STRIP_HEIGHT = 4
ROW_GAP = 8
MARGIN = 6
#: The PNG is drawn at this multiple of the layout's pixels, for sharp high-density screens.
SCALE = 2


@dataclass(frozen=True)
class BuildingLayout:
    """Pixel geometry of the building view."""

    cell: int
    width: int
    height: int
    x0: np.ndarray  # per flat: left pixel of its cell
    y0: np.ndarray  # per flat: top pixel of its cell
    compound_x: np.ndarray  # per compound: left pixel
    compound_width: np.ndarray  # per compound: width in pixels
    compound_ground: np.ndarray  # per compound: pixel row just below its ground floors
    compound_top: np.ndarray  # per compound: pixel row of the top of its tallest building
    pixels: np.ndarray  # per flat: flat indices into the image of the cell's inside


def unit_offsets(world: BuiltCommunity, cell: int, unit_gap: int) -> np.ndarray:
    """Per flat: pixel offset of its column inside its building."""
    per_floor = int(world.position.max()) + 1 if world.households else 1
    unit_first = group_starts(world.unit_building, world.buildings)[0]
    unit_in_building = (np.arange(world.units) - unit_first[world.unit_building])[world.unit]
    return unit_in_building * (per_floor * cell + unit_gap) + world.position * cell


def building_widths(world: BuiltCommunity, cell: int, unit_gap: int) -> np.ndarray:
    """Per building: width in pixels."""
    per_floor = int(world.position.max()) + 1 if world.households else 1
    units = world.building_units
    return units * per_floor * cell + (units - 1) * unit_gap


def wrap_rows(widths: np.ndarray, row_width: float, gap: int) -> np.ndarray:
    """Row of each compound when compounds fill rows of at most `row_width` left to right."""
    rows = np.zeros(widths.size, dtype=np.int64)
    row, used = 0, 0.0
    for c, w in enumerate(widths.tolist()):
        if used > 0 and used + gap + w > row_width:
            row, used = row + 1, 0.0
        used += (gap if used > 0 else 0) + w
        rows[c] = row
    return rows


def compute_layout(world: BuiltCommunity, cell: int) -> BuildingLayout:
    """The layout at one cell size, compounds wrapped to the aspect ratio aimed for."""
    unit_gap, building_gap, compound_gap = max(2, cell // 3), cell, 3 * cell
    b_width = building_widths(world, cell, unit_gap)
    b_starts, b_counts = group_starts(world.building_compound, world.compounds)
    b_x = np.zeros(world.buildings, dtype=np.int64)
    c_width = np.zeros(world.compounds, dtype=np.int64)
    for c in range(world.compounds):
        span = slice(b_starts[c], b_starts[c] + b_counts[c])
        widths = b_width[span] + building_gap
        b_x[span] = np.cumsum(widths) - widths
        c_width[c] = widths.sum() - building_gap if b_counts[c] else 0
    floors = np.zeros(world.compounds, dtype=np.int64)
    np.maximum.at(floors, world.building_compound, world.building_floors)

    best = None
    total = c_width.sum() + compound_gap * (world.compounds - 1)
    for n_rows in range(1, world.compounds + 1):
        rows = wrap_rows(c_width, max(c_width.max(), total / n_rows), compound_gap)
        row_floors = np.zeros(rows.max() + 1, dtype=np.int64)
        np.maximum.at(row_floors, rows, floors)
        row_height = LABEL_HEIGHT + row_floors * cell + STRIP_HEIGHT + 2 + ROW_GAP
        x = np.zeros(world.compounds, dtype=np.int64)
        row_end = np.zeros(rows.max() + 1, dtype=np.int64)
        for c, r in enumerate(rows.tolist()):
            x[c] = row_end[r] + (compound_gap if row_end[r] else 0)
            row_end[r] = x[c] + c_width[c]
        width, height = int(row_end.max()) + 2 * MARGIN, int(row_height.sum()) + 2 * MARGIN
        score = abs(np.log((width / height) / TARGET_ASPECT))
        if best is None or score < best[0]:
            best = (score, rows, x, row_floors, row_height, width, height)
        if width / height < TARGET_ASPECT / 2:
            break
    _, rows, x, row_floors, row_height, width, height = best
    row_top = MARGIN + np.cumsum(row_height) - row_height
    ground = row_top + LABEL_HEIGHT + row_floors * cell  # per row
    compound_x = x + MARGIN

    c = world.compound
    x0 = compound_x[c] + b_x[world.building] + unit_offsets(world, cell, unit_gap)
    y0 = ground[rows[c]] - world.floor * cell
    inner = np.arange(cell - 1)
    dy, dx = np.meshgrid(inner, inner, indexing="ij")
    pixels = (y0[:, None] + dy.ravel()) * width + (x0[:, None] + dx.ravel())
    return BuildingLayout(
        cell=cell,
        width=width,
        height=height,
        x0=x0,
        y0=y0,
        compound_x=compound_x,
        compound_width=c_width,
        compound_ground=ground[rows],
        compound_top=ground[rows] - floors * cell,
        pixels=pixels,
    )


def building_layout(world: BuiltCommunity) -> BuildingLayout:
    """The layout with the largest cells that keep the image about TARGET_WIDTH wide."""
    layout = None
    for cell in CELL_SIZES:
        layout = compute_layout(world, cell)
        if layout.width <= TARGET_WIDTH:
            return layout
    return layout


def rgba8(colours: np.ndarray) -> np.ndarray:
    """RGBA floats in [0, 1] as bytes."""
    return np.round(np.asarray(colours) * 255).astype(np.uint8)


@lru_cache(maxsize=4)
def label_font(size: int) -> ImageFont.FreeTypeFont:
    """The font of the compound labels (matplotlib's DejaVu Sans, always installed with it)."""
    return ImageFont.truetype(font_manager.findfont("DejaVu Sans"), size)


def disk(diameter: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pixel offsets of a disk of the given diameter, and which of them lie on its rim."""
    r = diameter / 2
    ys, xs = np.mgrid[0:diameter, 0:diameter]
    d = np.hypot(ys + 0.5 - r, xs + 0.5 - r)
    inside = d <= r
    return ys[inside] - diameter // 2, xs[inside] - diameter // 2, d[inside] > r - 1.2


def paint(model: "CommunityModel", layout: BuildingLayout, state: str) -> np.ndarray:
    """The view at 1x as an RGBA byte image: household cells and manager strips."""
    image = np.empty((layout.height * layout.width, 4), dtype=np.uint8)
    image[:] = rgba8(to_rgba(BACKGROUND))
    image[layout.pixels] = rgba8(HOUSEHOLD_STATES[state].rgba(model))[:, None, :]
    image = image.reshape(layout.height, layout.width, 4)
    managers = model.compounds.manager
    for c in range(layout.compound_x.size):
        top = layout.compound_ground[c] + 2
        left = layout.compound_x[c]
        strip = image[top : top + STRIP_HEIGHT, left : left + layout.compound_width[c]]
        strip[:] = rgba8(to_rgba(MANAGERS[int(managers[c])][1]))
    return image


def mark_party_members(image: np.ndarray, model: "CommunityModel", layout: BuildingLayout) -> None:
    """Stamp a dot with a white rim on each Party member's cell (image at SCALE)."""
    party = np.flatnonzero(model.households.is_party)
    diameter = max(5, int(round(layout.cell * SCALE * 0.55)))
    dy, dx, rim = disk(diameter)
    centre = (layout.cell * SCALE) // 2 - 1
    ys = (layout.y0[party] * SCALE + centre)[:, None] + dy[None, :]
    xs = (layout.x0[party] * SCALE + centre)[:, None] + dx[None, :]
    colours = np.where(rim[:, None], rgba8(to_rgba("white")), rgba8(to_rgba(PARTY_MARK)))
    image[ys, xs] = colours[None, :, :]


def compound_labels(n: int) -> list[str]:
    """Labels drawn above the compounds."""
    return [f"Compound {c + 1}" for c in range(n)] if n <= 3 else [f"C{c + 1}" for c in range(n)]


def render_png(model: "CommunityModel", layout: BuildingLayout, state: str) -> bytes:
    """The building view as PNG bytes, drawn at SCALE times the layout's pixels."""
    image = paint(model, layout, state).repeat(SCALE, axis=0).repeat(SCALE, axis=1)
    mark_party_members(image, model, layout)
    picture = Image.fromarray(image, mode="RGBA")
    draw = ImageDraw.Draw(picture)
    font = label_font(11 * SCALE)
    for c, label in enumerate(compound_labels(layout.compound_x.size)):
        xy = (int(layout.compound_x[c]) * SCALE, int(layout.compound_top[c] - 3) * SCALE)
        draw.text(xy, label, fill=INK, font=font, anchor="ls")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
