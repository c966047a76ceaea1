"""Records of institutional events (meetings, votes), kept as columns and written as CSV tables."""

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd


class MeetingRecord(NamedTuple):
    """One meeting: who met, who came, what was on the table and what was settled."""

    week: int
    kind: str  # joint_three_party, joint_four_in_one, joint_five_party, building
    compound: int
    building: int  # -1 for compound-level meetings
    parties: str  # parties at the table, joined by '+'
    attendance: int
    items: int
    settled: int
    proposals: int
    commitment: str  # '', 'made', 'kept', 'broken'


class VoteRecord(NamedTuple):
    """One vote: the subject, the consent rule, turnout and the yes shares.

    `yes_area_share` is of the participants' area, `turnout_area_share` the participants' share
    of the eligible area; building, unit and project are -1 where the vote is not theirs.
    """

    week: int
    compound: int
    subject: str
    rule: str
    eligible: int
    turnout: int
    yes_headcount: int
    yes_area_share: float
    quorum_met: bool
    passed: bool
    building: int = -1
    unit: int = -1
    project_id: int = -1
    turnout_area_share: float = 0.0
    vetoed: bool = False

    @classmethod
    def of(cls, count, week: int, compound: int, subject: str, **where: int) -> "VoteRecord":
        """The record of a counted vote (a `consent.Tally`); `where`: building, unit, project_id."""
        return cls(
            week=week,
            compound=compound,
            subject=subject,
            rule=count.rule,
            eligible=count.eligible,
            turnout=count.turnout,
            yes_headcount=count.yes_headcount,
            yes_area_share=round(count.yes_area_share, 6),
            quorum_met=count.quorum_met,
            passed=count.passed,
            turnout_area_share=round(count.turnout_area_share, 6),
            vetoed=count.vetoed,
            **where,
        )


class RecordBook:
    """Rows of one record type, in the order they happened, kept as columns.

    A round of meetings records hundreds of rows at once; they are appended column by column
    (`extend_columns`) rather than made one record at a time.
    """

    def __init__(self, record_type: type) -> None:
        self.record_type = record_type
        self.fields: tuple[str, ...] = record_type._fields
        self.columns: dict[str, list] = {name: [] for name in self.fields}
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def add(self, record) -> None:
        """Append a record."""
        for name, value in zip(self.fields, record, strict=True):
            self.columns[name].append(value)
        self.size += 1

    def extend_columns(self, rows: int, **columns) -> None:
        """Append `rows` records given column by column: a sequence of `rows` values (a list or
        an array), or one value shared by every row. A field not given takes its default."""
        defaults = self.record_type._field_defaults
        values = {}
        for name in self.fields:
            if name not in columns and name not in defaults:
                raise ValueError(f"no values for field {name!r} of {self.record_type.__name__}")
            value = columns.pop(name) if name in columns else defaults[name]
            if isinstance(value, np.ndarray):
                value = value.tolist()
            elif isinstance(value, str) or not isinstance(value, Sequence):
                value = [value] * rows
            if len(value) != rows:
                raise ValueError(f"column {name!r} has {len(value)} values for {rows} rows")
            values[name] = value
        if columns:
            raise ValueError(f"no such fields in {self.record_type.__name__}: {sorted(columns)}")
        for name, value in values.items():
            self.columns[name].extend(value)
        self.size += rows

    def column(self, name: str, start: int = 0) -> list:
        """One field of the records from row `start` on."""
        return self.columns[name][start:]

    def to_frame(self) -> pd.DataFrame:
        """The records as a table (columns in declaration order, even when empty)."""
        if not self.size:
            return pd.DataFrame([], columns=list(self.fields))
        return pd.DataFrame(self.columns, columns=list(self.fields))
