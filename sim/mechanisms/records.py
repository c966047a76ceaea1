"""Records of institutional events (meetings, votes), kept as rows and written as CSV tables."""

from collections.abc import Iterable
from typing import NamedTuple

import pandas as pd

from sim.heap import paused_garbage_collection


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
    """Rows of one record type, in the order they happened."""

    def __init__(self, record_type: type) -> None:
        self.record_type = record_type
        self.rows: list = []

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, record) -> None:
        """Append a record."""
        self.rows.append(record)

    def extend(self, records: Iterable) -> None:
        """Append many records, the cyclic garbage collector paused while they are made.

        At the model's size, collection passes started midway through a batch of hundreds
        cost more than making the batch.
        """
        with paused_garbage_collection():
            self.rows.extend(records)

    def to_frame(self) -> pd.DataFrame:
        """The records as a table (columns in declaration order, even when empty)."""
        return pd.DataFrame(self.rows, columns=list(self.record_type._fields))
