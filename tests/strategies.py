"""Hypothesis strategies for small, valid scenario sections."""

from hypothesis import strategies as st

from sim.scenario.schema import Households, Network, Structure


@st.composite
def small_structures(draw) -> Structure:
    """Random small but valid structure sections (a few dozen to a few hundred flats)."""
    b_min = draw(st.integers(1, 3))
    u_min = draw(st.integers(1, 3))
    f_min = draw(st.integers(1, 6))
    return Structure(
        compounds=draw(st.integers(1, 5)),
        buildings_per_compound_min=b_min,
        buildings_per_compound_max=draw(st.integers(b_min, 4)),
        units_per_building_min=u_min,
        units_per_building_max=draw(st.integers(u_min, 4)),
        floors_min=f_min,
        floors_max=draw(st.integers(f_min, 8)),
        households_per_floor=draw(st.integers(1, 4)),
        flat_area_sd=draw(st.sampled_from([0.0, 15.0, 60.0])),
        share_without_firm=draw(st.floats(0.0, 1.0, allow_nan=False)),
    )


@st.composite
def network_specs(draw) -> Network:
    """Random network sections, sparse ones (no unit, building or ring ties) included."""
    return Network(
        unit_tie_probability=draw(st.sampled_from([0.0, 1.0]) | st.floats(0.0, 1.0)),
        building_ties=draw(st.integers(0, 3)),
        compound_ring_neighbours=draw(st.integers(0, 3)),
        compound_rewire_probability=draw(st.sampled_from([0.0, 1.0]) | st.floats(0.0, 1.0)),
        cross_compound_tie_probability=draw(st.sampled_from([0.0, 0.05, 1.0])),
    )


seeds = st.integers(0, 2**32 - 1)


@st.composite
def household_specs(draw) -> Households:
    """Household sections with no, few or only Party members and 0-3 central households."""
    return Households(
        party_member_share=draw(st.sampled_from([0.0, 0.06, 0.5, 1.0])),
        central_households_per_building=draw(st.integers(0, 3)),
        renter_share=draw(st.floats(0.0, 1.0)),
    )
