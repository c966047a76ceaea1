"""Live plots of the time series, one Vega-Lite chart each, from a table of what each plot shows.

A plot is one entry in `PLOTS`: its title, the time-series columns it draws (with the label of
each line) and whether they are shares. The Vega-Lite specs are written as plain dicts: altair
deep-copies the data of every layer it builds, which made a redraw of all plots take most of a
second at a few hundred weeks; the tests validate the specs against the Vega-Lite schema.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.app.states import SERIES_COLOURS
from sim.mechanisms import BUILT_MECHANISMS

if TYPE_CHECKING:
    from sim.model import CommunityModel

CHART_HEIGHT = 150
#: Most weeks drawn per line: a chart is about 250 pixels wide, so more points add nothing to
#: see and slow the browser's redraw; longer runs are drawn every k-th week (and the last).
MAX_POINTS = 130
#: The Vega-Lite version solara's front end loads (vega-lite@5 from its CDN or asset cache).
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


@dataclass(frozen=True)
class Plot:
    """One chart: columns on the left axis, optionally more on an independent right axis."""

    title: str
    columns: dict[str, str]
    share: bool = False
    axis: str = ""
    right: dict[str, str] = field(default_factory=dict)
    right_axis: str = ""
    mechanisms: tuple[str, ...] = ()  # the mechanisms whose outputs these are
    about: str = ""  # how the note names them (default: the mechanism's name)


PLOTS: tuple[Plot, ...] = (
    Plot("Participation", {"participation_rate": "households taking part"}, share=True),
    Plot(
        "Fees and service",
        {
            "fee_collection_rate": "collection (households)",
            "fee_collection_rate_by_area": "collection (by area)",
            "service_quality": "service quality",
        },
        share=True,
    ),
    Plot(
        "Trust",
        {
            "trust_firm": "in the firm",
            "trust_committee": "in committees",
            "satisfaction": "satisfaction",
        },
        share=True,
    ),
    Plot(
        "Disputes",
        {
            "disputes_open": "open now",
            "disputes_resolved": "resolved (total)",
            "disputes_escalated": "escalated (total)",
        },
        axis="disputes",
    ),
    Plot(
        "Funds and projects",
        {"funds_raised": "funds raised"},
        axis="yuan",
        right={"projects_completed": "projects completed", "elevators_built": "lifts built"},
        right_axis="projects",
        mechanisms=("crowdfunding",),
    ),
    Plot(
        "Points",
        {
            "points_issued": "issued",
            "points_redeemed": "redeemed",
            "points_outstanding": "outstanding",
        },
        axis="points",
        mechanisms=("points",),
    ),
    Plot(
        "Management",
        {
            "firms_active": "compounds with a firm",
            "self_managed_compounds": "self-managed compounds",
            "firm_exits": "firm exits (total)",
        },
        axis="compounds",
    ),
    Plot(
        "Meetings",
        {
            "meetings_held": "meetings held",
            "proposals_raised": "proposals raised",
            "joint_items_settled": "settled at joint meetings",
        },
        axis="total so far",
        mechanisms=("joint_meetings", "building_meetings"),
        about="meetings",
    ),
)


def timeseries(model: "CommunityModel") -> pd.DataFrame:
    """The model's time series with a `week` column (week 0 = the initial state)."""
    frame = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    frame.insert(0, "week", range(len(frame)))
    return frame


def thinned(frame: pd.DataFrame, most: int = MAX_POINTS) -> pd.DataFrame:
    """At most about `most` rows: every k-th week, always with the latest."""
    stride = -(-len(frame) // most)
    if stride <= 1:
        return frame
    keep = (frame["week"] % stride == 0) | (frame["week"] == frame["week"].iloc[-1])
    return frame[keep]


def note(plot: Plot, model: "CommunityModel") -> str:
    """Why a plot may stay flat: its mechanisms are not built, or are off in this run."""
    if not plot.mechanisms:
        return ""
    label = plot.about or " / ".join(name.replace("_", " ") for name in plot.mechanisms)
    if not any(name in BUILT_MECHANISMS for name in plot.mechanisms):
        return f"{label}: not built yet (stays 0)"
    switches = [getattr(model.params.mechanisms, name, None) for name in plot.mechanisms]
    if any(s is not None and s.enabled for s in switches):
        return ""
    return f"{label}: off in this run"


def layer(frame: pd.DataFrame, columns: dict[str, str], share: bool, axis: str) -> dict[str, Any]:
    """A layer of lines (with an invisible point per week for the tooltip) for some columns."""
    present = {c: label for c, label in columns.items() if c in frame}
    labels = list(present.values())
    data = frame[["week", *present]].rename(columns=present).round(6)
    y_scale = {"domain": [0, 1]} if share else {"zero": True}
    x = {
        "field": "week",
        "type": "quantitative",
        "title": "week",
        "axis": {"tickCount": 6, "tickMinStep": 1, "format": "d"},
    }
    y = {
        "field": "value",
        "type": "quantitative",
        "title": axis or None,
        "scale": y_scale,
        "axis": {"format": ".0%" if share else "~s", "tickCount": 4},
    }
    colour = {
        "field": "series",
        "type": "nominal",
        "scale": {"domain": labels, "range": [SERIES_COLOURS.get(c, "#888888") for c in present]},
        "legend": {"orient": "bottom", "title": None, "direction": "vertical"},
    }
    tooltip = [
        {"field": "week", "type": "quantitative"},
        {"field": "series", "type": "nominal"},
        {"field": "value", "type": "quantitative", "format": ".1%" if share else ",.4~f"},
    ]
    return {
        "data": {"values": data.to_dict("records")},
        "transform": [{"fold": labels, "as": ["series", "value"]}],
        "layer": [
            {
                "mark": {"type": "line", "strokeWidth": 2, "clip": True},
                "encoding": {"x": x, "y": y, "color": colour},
            },
            {
                "mark": {"type": "point", "opacity": 0, "size": 40},
                "encoding": {"x": x, "y": y, "color": colour, "tooltip": tooltip},
            },
        ],
    }


def chart_spec(frame: pd.DataFrame, plot: Plot, model: "CommunityModel") -> dict[str, Any]:
    """The Vega-Lite spec of one plot."""
    spec: dict[str, Any] = {"$schema": VEGA_LITE_SCHEMA}
    left = layer(frame, plot.columns, plot.share, plot.axis)
    if plot.right:
        right = layer(frame, plot.right, False, plot.right_axis)
        spec |= {
            "layer": [left, right],
            "resolve": {"scale": {"y": "independent", "color": "independent"}},
        }
    else:
        spec |= left
    title: dict[str, Any] = {"text": plot.title, "anchor": "start", "fontSize": 13}
    if subtitle := note(plot, model):
        title |= {"subtitle": subtitle, "subtitleColor": "#a04000", "subtitleFontSize": 11}
    return spec | {
        "title": title,
        "width": "container",
        "height": CHART_HEIGHT,
        "usermeta": {"embedOptions": {"renderer": "canvas", "actions": False}},
        "config": {
            "view": {"strokeWidth": 0},
            "axis": {"gridColor": "#eeeeee", "labelFontSize": 10, "titleFontSize": 10},
            "legend": {
                "labelFontSize": 10,
                "symbolType": "stroke",
                "symbolStrokeWidth": 2,
                "labelLimit": 260,
            },
        },
    }
