"""Which figures a run draws: the four standard ones always, the others when their mechanism acted."""

import pandas as pd
import pytest
from PIL import Image

from sim.report.figures import FIGURES, OPTIONAL_FIGURES, Band, draw_figures, figures_for

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


def test_every_chosen_figure_is_written_as_print_png_and_svg(tmp_path):
    written = draw_figures(timeseries(projects_proposed=2, points_issued=1), tmp_path, "t")
    names = sorted({*FIGURES, *OPTIONAL_FIGURES})
    assert sorted(p.name for p in written) == sorted(
        f"{name}.{fmt}" for name in names for fmt in ("png", "svg")
    )
    for path in written:
        if path.suffix == ".png":
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            assert Image.open(path).size[0] >= 7 * 200  # 7 inches at print resolution
        else:
            assert b"<svg" in path.read_bytes()[:500]


def test_figures_are_the_same_bytes_every_time(tmp_path):
    first = draw_figures(timeseries(points_issued=1), tmp_path / "a", "t")
    second = draw_figures(timeseries(points_issued=1), tmp_path / "b", "t")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_a_band_is_drawn_and_captioned(tmp_path):
    frame = timeseries(points_issued=1)
    band = Band(frame - 0.1, frame + 0.1, "5-95% of 3 communities")
    banded = draw_figures(frame, tmp_path / "band", "t", band=band)
    plain = draw_figures(frame, tmp_path / "plain", "t")
    svg = next(p for p in banded if p.name == "participation.svg").read_text()
    assert (
        "5-95% of 3 communities" in svg
        or "Bands" in svg
        or svg.count("<path")
        > next(p for p in plain if p.name == "participation.svg").read_text().count("<path")
    )
