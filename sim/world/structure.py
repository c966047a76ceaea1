"""The built community: compounds -> buildings -> stairwell units -> floors -> flats.

Everything is generated as flat numpy arrays so that 100,000 households build in well under a
second; flats are numbered so that each building, unit and floor is a contiguous range.
"""

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from sim.scenario.schema import Structure


@dataclass(frozen=True)
class BuiltCommunity:
    """Where every flat is, and which compounds a firm serves at the start."""

    compound: np.ndarray  # per flat: compound index
    building: np.ndarray  # per flat: building index (global)
    unit: np.ndarray  # per flat: stairwell unit index (global)
    floor: np.ndarray  # per flat: floor, 1 = ground floor
    position: np.ndarray  # per flat: position on its floor, 0..households_per_floor-1
    area: np.ndarray  # per flat: floor area in m2
    building_compound: np.ndarray  # per building: its compound
    building_floors: np.ndarray  # per building: number of floors
    building_units: np.ndarray  # per building: number of stairwell units
    unit_building: np.ndarray  # per unit: its building
    compound_has_firm: np.ndarray  # per compound: a firm serves it at the start
    # Read from a real community's file (None for a drawn community):
    compound_manager: np.ndarray | None = None  # per compound: FIRM, SELF_MANAGED or UNMANAGED
    compound_fee: np.ndarray | None = None  # per compound: yuan/m2/month, NaN = the scenario's
    compound_names: tuple[str, ...] | None = None  # per compound: its name
    building_names: tuple[str, ...] | None = None  # per building: its name
    building_has_lift: np.ndarray | None = None  # per building: a lift is already there
    building_year: np.ndarray | None = None  # per building: year built, 0 = not known
    building_footprints: tuple[Any, ...] | None = None  # per building: shapely Polygon, metres

    @property
    def households(self) -> int:
        """Number of flats (one household each)."""
        return int(self.compound.size)

    @property
    def compounds(self) -> int:
        """Number of compounds."""
        return int(self.compound_has_firm.size)

    @property
    def buildings(self) -> int:
        """Number of buildings."""
        return int(self.building_compound.size)

    @property
    def units(self) -> int:
        """Number of stairwell units."""
        return int(self.unit_building.size)

    @property
    def flats_per_floor(self) -> int:
        """Flats on each floor (the most on any floor)."""
        return int(self.position.max()) + 1 if self.households else 1

    @property
    def from_file(self) -> bool:
        """Whether the community was read from a file of real buildings."""
        return self.building_names is not None

    @cached_property
    def compound_labels(self) -> list[str]:
        """Per compound: its name from the file, else its number from 1."""
        if self.compound_names is not None:
            return list(self.compound_names)
        return [str(c + 1) for c in range(self.compounds)]

    @cached_property
    def building_labels(self) -> list[str]:
        """Per building: its name from the file, else its number from 1."""
        if self.building_names is not None:
            return list(self.building_names)
        return [str(b + 1) for b in range(self.buildings)]

    @cached_property
    def building_centres(self) -> np.ndarray | None:
        """Per building: the centroid (x, y) of its footprint in metres, None without them."""
        if self.building_footprints is None:
            return None
        import shapely

        footprints = np.array(self.building_footprints, dtype=object)
        return shapely.get_coordinates(shapely.centroid(footprints))

    # ------------------------------------------------------------------ queries
    @cached_property
    def compound_bounds(self) -> list[tuple[int, int]]:
        """Per compound: its first flat and the flat after its last (flats are contiguous)."""
        starts, sizes = self.compound_starts, self.compound_flats
        return list(zip(starts.tolist(), (starts + sizes).tolist(), strict=True))

    def flats_of_compound(self, compound: int) -> np.ndarray:
        """Indices of the flats of a compound (a contiguous range)."""
        return np.arange(*self.compound_bounds[compound])

    def random_in_compound(self, flats: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A random flat in the same compound as each of `flats`."""
        return random_member(self.compound[flats], self.compound_starts, self.compound_flats, rng)

    def random_in_building(self, flats: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A random flat in the same building as each of `flats`."""
        return random_member(self.building[flats], self.building_starts, self.building_flats, rng)

    @cached_property
    def has_flat_above(self) -> np.ndarray:
        """Whether each flat has a flat above it in its stairwell unit."""
        n, per_floor = self.households, self.flats_per_floor
        above = np.arange(n) + per_floor
        has_above = above < n
        has_above[has_above] = self.unit[above[has_above]] == self.unit[has_above]
        return has_above

    def fee_per_m2(self, default: float) -> np.ndarray | float:
        """Each flat's monthly fee per m2: the file's per compound, else `default`."""
        if self.compound_fee is None:
            return default
        return self.of_compound(np.where(np.isnan(self.compound_fee), default, self.compound_fee))

    @cached_property
    def compound_flats(self) -> np.ndarray:
        """Per compound: number of flats."""
        return np.bincount(self.compound, minlength=self.compounds)

    @cached_property
    def building_flats(self) -> np.ndarray:
        """Per building: number of flats."""
        return np.bincount(self.building, minlength=self.buildings)

    @cached_property
    def compound_starts(self) -> np.ndarray:
        """Per compound: its first flat."""
        return range_starts(self.compound_flats)

    @cached_property
    def building_starts(self) -> np.ndarray:
        """Per building: its first flat."""
        return range_starts(self.building_flats)

    def count_by_compound(self, flag: np.ndarray) -> np.ndarray:
        """Per compound: how many of its flats hold `flag`."""
        return count_in_ranges(flag, self.compound_starts)

    def mean_by_compound(self, values: np.ndarray) -> np.ndarray:
        """Per compound: the mean over its flats of a per-flat array."""
        total = np.bincount(self.compound, weights=values, minlength=self.compounds)
        return total / np.maximum(self.compound_flats, 1)

    def count_by_building(self, flag: np.ndarray) -> np.ndarray:
        """Per building: how many of its flats hold `flag`."""
        return count_in_ranges(flag, self.building_starts)

    def of_compound(self, values: np.ndarray) -> np.ndarray:
        """Each flat's entry of a per-compound array: ``values[compound]``, made by repeating
        each compound's entry over its flats, which lie together."""
        return np.repeat(values, self.compound_flats)

    def of_building(self, values: np.ndarray) -> np.ndarray:
        """Each flat's entry of a per-building array: ``values[building]``, made by repeating."""
        return np.repeat(values, self.building_flats)


def build_structure(spec: Structure, rng: np.random.Generator) -> BuiltCommunity:
    """Draw the community's buildings, units, floors and flats from the structure section, or
    read them from its `from_file` (which draws nothing)."""
    if spec.from_file:
        from sim.world.places import read_place

        return read_place(spec.from_file).built()
    n_compounds = spec.compounds
    buildings_per_compound = rng.integers(
        spec.buildings_per_compound_min, spec.buildings_per_compound_max + 1, size=n_compounds
    )
    building_compound = np.repeat(np.arange(n_compounds), buildings_per_compound)
    n_buildings = building_compound.size
    building_units = rng.integers(
        spec.units_per_building_min, spec.units_per_building_max + 1, size=n_buildings
    )
    building_floors = rng.integers(spec.floors_min, spec.floors_max + 1, size=n_buildings)

    compound, building, unit, floor, position, unit_building = lay_out_flats(
        building_compound, building_units, building_floors, spec.households_per_floor
    )

    area = rng.normal(spec.flat_area_mean, spec.flat_area_sd, size=unit.size)
    area = np.clip(area, 0.4 * spec.flat_area_mean, 2.5 * spec.flat_area_mean)

    n_without = int(round(spec.share_without_firm * n_compounds))
    has_firm = np.ones(n_compounds, dtype=bool)
    has_firm[rng.permutation(n_compounds)[:n_without]] = False

    return BuiltCommunity(
        compound=compound,
        building=building,
        unit=unit,
        floor=floor,
        position=position,
        area=area,
        building_compound=building_compound,
        building_floors=building_floors,
        building_units=building_units,
        unit_building=unit_building,
        compound_has_firm=has_firm,
    )


def lay_out_flats(
    building_compound: np.ndarray,
    building_units: np.ndarray,
    building_floors: np.ndarray,
    per_floor: int | np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Per flat: compound, building, unit, floor, position; and per unit: its building.

    Buildings are given in order of compound; flats are numbered unit by unit, floor by floor
    from the ground, so that each compound, building, unit and floor is a contiguous range.
    `per_floor` is one number or one per building.
    """
    unit_building = np.repeat(np.arange(building_units.size), building_units)
    unit_floors = building_floors[unit_building]
    unit_per_floor = np.broadcast_to(per_floor, building_units.shape)[unit_building]
    unit_size = unit_floors * unit_per_floor
    unit = np.repeat(np.arange(unit_building.size), unit_size)
    offset_in_unit = expand_ranges(np.zeros_like(unit_size), unit_size)
    flat_per_floor = unit_per_floor[unit]
    floor = offset_in_unit // flat_per_floor + 1
    position = offset_in_unit % flat_per_floor
    building = unit_building[unit]
    compound = building_compound[building]
    return compound, building, unit, floor, position, unit_building


def group_starts(group: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """First index and size of each contiguous group in a sorted group array."""
    sizes = np.bincount(group, minlength=n_groups)
    return range_starts(sizes), sizes


def range_starts(sizes: np.ndarray) -> np.ndarray:
    """The first entry of each of ranges of `sizes` entries laid end to end."""
    return np.cumsum(sizes) - sizes


def count_in_ranges(flag: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """How many entries hold `flag` in each range of entries from one of `starts` to the next
    (or the end); the ranges are in order and none is empty."""
    return np.add.reduceat(flag, starts, dtype=np.int64)


def expand_ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Concatenated ranges start, start+1, ..., start+size-1 for each (start, size)."""
    sizes = np.asarray(sizes, dtype=np.int64)
    offsets = np.arange(sizes.sum()) - np.repeat(range_starts(sizes), sizes)
    return np.repeat(np.asarray(starts, dtype=np.int64), sizes) + offsets


def layout_positions(world: BuiltCommunity) -> np.ndarray:
    """Computed drawing positions (x, y) per flat: buildings side by side, floors stacked.

    Compounds follow each other left to right with a gap; each unit is a column of floors.
    """
    per_floor = int(world.position.max()) + 1 if world.households else 1
    unit_first = group_starts(world.unit_building, world.buildings)[0]
    unit_in_building = np.arange(world.units) - unit_first[world.unit_building]
    unit_in_building = unit_in_building[world.unit]
    column_width = per_floor + 0.5
    building_width = world.building_units * column_width + 1.0
    compound_gap = 2.0
    building_x = np.cumsum(building_width) - building_width
    building_x = building_x + compound_gap * world.building_compound
    x = building_x[world.building] + unit_in_building * column_width + world.position
    y = world.floor.astype(float)
    return np.column_stack([x, y])


def random_member(
    group: np.ndarray, starts: np.ndarray, sizes: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """A uniformly drawn member of each entry's own contiguous group."""
    g_sizes = sizes[group]
    return starts[group] + (rng.random(group.size) * g_sizes).astype(np.int64)
