"""Record books: rows appended one by one or column by column make the same table."""

import numpy as np
import pytest

from sim.mechanisms.records import MeetingRecord, RecordBook, VoteRecord


def test_columns_and_rows_make_the_same_table():
    by_row, by_column = RecordBook(MeetingRecord), RecordBook(MeetingRecord)
    rows = [
        MeetingRecord(3, "building", 0, b, "building_head+residents", 5 + b, 0, 0, b % 2, "")
        for b in range(4)
    ]
    for row in rows:
        by_row.add(row)
    by_column.extend_columns(
        4,
        week=3,
        kind="building",
        compound=np.zeros(4, dtype=np.int64),
        building=np.arange(4),
        parties="building_head+residents",
        attendance=[5, 6, 7, 8],
        items=0,
        settled=0,
        proposals=np.array([0, 1, 0, 1]),
        commitment="",
    )
    assert len(by_column) == len(by_row) == 4
    assert by_column.columns == by_row.columns
    assert by_column.to_frame().equals(by_row.to_frame())
    assert by_column.column("proposals", 2) == [0, 1]


def test_fields_left_out_take_their_defaults():
    book = RecordBook(VoteRecord)
    columns = dict(
        week=1,
        compound=[0, 1],
        subject="s",
        rule="majority",
        eligible=10,
        turnout=5,
        yes_headcount=3,
        yes_area_share=0.6,
        quorum_met=True,
        passed=True,
    )
    book.extend_columns(2, **columns)
    assert book.column("project_id") == [-1, -1]
    assert book.column("vetoed") == [False, False]


def test_wrong_lengths_and_unknown_fields_are_refused():
    book = RecordBook(MeetingRecord)
    full = dict(
        week=1, kind="k", compound=0, building=-1, parties="p", attendance=1, items=0,
        settled=0, proposals=0, commitment="",
    )  # fmt: skip
    with pytest.raises(ValueError, match="attendance"):
        book.extend_columns(2, **{**full, "attendance": [1, 2, 3]})
    with pytest.raises(ValueError, match="'items'"):
        book.extend_columns(1, **{k: v for k, v in full.items() if k != "items"})
    with pytest.raises(ValueError, match="colour"):
        book.extend_columns(1, **full, colour="red")
    assert len(book) == 0 and book.to_frame().empty  # nothing half-appended


def test_an_empty_book_has_its_columns():
    frame = RecordBook(VoteRecord).to_frame()
    assert list(frame.columns) == list(VoteRecord._fields)
    assert frame.empty
