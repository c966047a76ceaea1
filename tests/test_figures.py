"""Which figures a run draws: the four standard ones always, the others when their mechanism acted."""

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from sim.report.figures import (
    FIGURES,
    OPTIONAL_FIGURES,
    SHARE_SCALED,
    Band,
    Layouts,
    draw_figures,
    figures_for,
)

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


def a_run(weeks: int, seed: int) -> pd.DataFrame:
    """A made-up series of `weeks` + 1 rows: shares in [0, 1], counts that grow."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        rng.random((weeks + 1, len(COLUMNS))).cumsum(axis=0) / (weeks + 1), columns=sorted(COLUMNS)
    )
    frame["step"] = range(weeks + 1)
    frame["points_issued"] = frame["awards_given"] = 0.0
    return frame


@pytest.mark.parametrize(("weeks", "seed"), [(52, 1), (260, 2)])
def test_figures_laid_out_before_the_series_are_the_same_bytes(tmp_path, weeks, seed):
    frame = a_run(weeks, seed)
    layouts = Layouts.lay_out(weeks, "t")
    laid_out = sorted(layouts.figures)
    assert laid_out == sorted(set(FIGURES) & SHARE_SCALED)
    built = draw_figures(frame, tmp_path / "built", "t")
    finished = draw_figures(frame, tmp_path / "finished", "t", layouts=layouts)
    assert layouts.figures == {}, "every figure laid out was used"
    for a, b in zip(built, finished, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


@pytest.mark.parametrize(
    ("change", "used"),
    [("other title", []), ("other weeks", []), ("a gap in a line", ["participation"])],
)
def test_a_layout_that_does_not_fit_the_series_is_left_and_the_figure_built(tmp_path, change, used):
    frame = a_run(52, 3)
    layouts = Layouts.lay_out(52, "t")
    title = "u" if change == "other title" else "t"
    if change == "other weeks":
        frame = frame.iloc[:40]
    if change == "a gap in a line":
        frame.loc[0, "trust_firm"] = np.nan  # the line starts later: the x-axis would differ
    names = ["participation", "trust"]
    built = draw_figures(frame, tmp_path / "built", title, only=names)
    finished = draw_figures(frame, tmp_path / "finished", title, only=names, layouts=layouts)
    assert sorted(set(FIGURES) & SHARE_SCALED - set(layouts.figures)) == used
    layouts.discard()
    for a, b in zip(built, finished, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_a_missing_column_fails_as_it_does_without_a_layout(tmp_path):
    frame = a_run(52, 4).drop(columns="trust_firm")
    layouts = Layouts.lay_out(52, "t")
    with pytest.raises(KeyError, match="trust_firm"):
        draw_figures(frame, tmp_path, "t", only=["trust"], layouts=layouts)
    layouts.discard()
