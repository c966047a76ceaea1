"""Which figures a run draws: the four standard ones always, the others when their mechanism acted."""

import pandas as pd
import pytest

from sim.report.figures import FIGURES, OPTIONAL_FIGURES, draw_figures, figures_for

COLUMNS = {
    column
    for _, series, _ in [*FIGURES.values(), *OPTIONAL_FIGURES.values()]
    for column, _ in series
}


def timeseries(**last: float) -> pd.DataFrame:
    """Three weeks of zeros, with the given values in the last row."""
    frame = pd.DataFrame(
        0.0, index=range(3), columns=sorted(COLUMNS | {"awards_given", "points_issued", "step"})
    )
    frame["step"] = range(3)
    for column, value in last.items():
        frame.loc[2, column] = value
    return frame


@pytest.mark.parametrize(
    ("last", "optional"),
    [
        ({}, set()),
        ({"projects_proposed": 1}, {"projects"}),
        ({"points_issued": 5}, {"volunteering"}),
        ({"awards_given": 2}, {"volunteering"}),
        ({"projects_proposed": 3, "points_issued": 1}, {"projects", "volunteering"}),
    ],
)
def test_optional_figures_only_when_their_mechanism_acted(last, optional):
    assert set(figures_for(timeseries(**last))) == set(FIGURES) | optional


def test_every_chosen_figure_is_written_as_png(tmp_path):
    written = draw_figures(timeseries(projects_proposed=2, points_issued=1), tmp_path, "t")
    assert sorted(p.stem for p in written) == sorted({*FIGURES, *OPTIONAL_FIGURES})
    for path in written:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
