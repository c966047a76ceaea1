"""The project book: growable columns, and project handles that read and write them."""

import numpy as np

from sim.mechanisms.crowdfunding.projects import FUNDRAISING, ColumnTable, ProjectBook
from tests.crowdfunding_runs import all_kinds


def test_appended_rows_keep_their_values_and_the_columns_not_given_start_blank():
    table = ColumnTable({"week": (np.int64, -1), "paid": (np.int64, 0), "label": (object, "")})
    for block in range(40):  # grows several times
        table.append(3, week=np.arange(3) + 3 * block, label="x")
    assert len(table) == 120
    assert np.array_equal(table["week"], np.arange(120))
    assert (table["paid"] == 0).all() and (table["label"] == "x").all()
    table.append(2, paid=np.array([5, 6]))
    assert table["week"][-2:].tolist() == [-1, -1]
    assert table["paid"][-2:].tolist() == [5, 6]


def test_a_project_handle_reads_and_writes_its_own_entries_only():
    book = ProjectBook()
    rows = book.open(
        {"flats": np.arange(5), "ask_fen": np.array([10, 20, 30, 40, 50])}, np.array([2, 3])
    )
    first, second = book.handles(rows)
    assert first.flats.tolist() == [0, 1] and second.flats.tolist() == [2, 3, 4]
    second.paid_fen = second.ask_fen
    second.stage = FUNDRAISING
    assert book.entries["paid_fen"].tolist() == [0, 0, 30, 40, 50]
    assert second.raised_fen == 120 and first.raised_fen == 0
    assert book.at(FUNDRAISING).tolist() == [1]
    assert [p.project_id for p in book.handles()] == [1, 2]


def test_each_project_row_and_its_contributions_agree_with_its_handle():
    result = all_kinds(1)
    projects = result.model.crowdfunding.projects
    voted = [p for p in projects if p.week_voted >= 0]
    assert voted
    for project in voted[:20]:
        row = project.row()
        assert row["project_id"] == project.project_id
        assert row["households"] == project.flats.size
        assert row["raised"] == project.raised_fen / 100
        assert row["contributors"] == np.count_nonzero(project.paid_fen)
        own = result.contributions[result.contributions["project_id"] == project.project_id]
        assert own["flat"].tolist() == project.flats.tolist()
        assert own["yes"].tolist() == project.yes.tolist()
