"""Human labels for figures: parameters from the schema's descriptions and units, outputs in
words, instead of dotted keys and column names."""

import re
from functools import cache

#: The longest label drawn on an axis before it is shortened at a word boundary.
MAX_LABEL = 48

SUMMARY_GROUPS = {"final": "final", "last_year": "last-year mean", "community": ""}
UNIT_WORDS = {"level": "0-1", "-": "", "weight": "", "drive": ""}


def shorten(text: str, limit: int = MAX_LABEL) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


@cache
def parameter_label(key: str) -> str:
    """A scenario key's description (up to its first bracket or semicolon) and unit:
    'households.initial_trust_firm' -> 'Initial trust in the firm (share)'."""
    from sim.scenario.loader import field_info

    parts = key.split(".")
    if parts[-1] == "enabled" and len(parts) > 1:
        return f"{parts[-2].replace('_', ' ')} on"
    info = field_info(tuple(parts))
    if info is None or not info.description:
        return parts[-1].replace("_", " ")
    text = re.split(r" \(|; ", info.description, maxsplit=1)[0]
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    unit = str(extra.get("unit", "") or "")
    unit = UNIT_WORDS.get(unit, unit)
    if unit.lower() in text.lower():
        unit = ""
    label = shorten(text, MAX_LABEL - len(unit) - 3) if unit else shorten(text)
    return f"{label} ({unit})" if unit else label


def output_label(name: str) -> str:
    """An output in words: 'last_year.fee_collection_rate_last_year_mean' -> 'fee collection
    rate (last-year mean)'; a time-series column -> its words."""
    group, dot, column = name.partition(".")
    if not dot:
        group, column = "", name
    column = column.removesuffix("_last_year_mean")
    words = column.replace("_", " ")
    qualifier = SUMMARY_GROUPS.get(group, group.replace("_", " "))
    return f"{words} ({qualifier})" if qualifier else words
