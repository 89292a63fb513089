"""totals.csv equals the sums of grades.csv; canvas.csv reads as Canvas reads its own export."""

import csv
import re
from pathlib import Path

import pytest

from autograder.contract import Status
from autograder.grading.results import GRADE_COLUMNS, ItemResult, NotebookResult
from autograder.outputs.totals import write

FIXTURE = Path(__file__).parent / "fixtures" / "canvas_gradebook_export.csv"
ASSIGNMENTS = ["01_recurrence", "02_bptt", "03_vanishing_gradients"]


def result(student, assignment, scores, penalty=0.0, label="", submitted_at=""):
    items = [ItemResult(f"f{i}", score, top, Status.OK if score == top else Status.WRONG)
             for i, (score, top) in enumerate(scores)]
    return NotebookResult(student, assignment, items, label=label, submitted_at=submitted_at,
                          late_penalty=penalty)


RESULTS = [
    result("10002", "01_recurrence", [(6, 6), (6, 6), (6, 6)], label="smith"),
    result("10002", "02_bptt", [(10, 10), (5.5, 10)], penalty=2.0, label="smith",
           submitted_at="2026-03-01T19:00:00+00:00"),
    result("10003", "01_recurrence", [(3, 6), (6, 6), (0, 6)], label="smith"),
    # A penalty larger than the score: the notebook scores 0, not below.
    result("10003", "02_bptt", [(1.5, 10), (0, 10)], penalty=20.0, label="smith"),
    result("10004", "01_recurrence", [(0, 6), (0, 6), (0, 6)]),  # no 02_bptt at all
]


def read(path):
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


def canvas_import(path):
    """Canvas's GradebookImporter rules: ({student id: {title: grade}}, {title: points}).

    The header starts Student, ID[, SIS User ID, SIS Login ID], Section; read-only
    Current/Final columns at the end are dropped; an assignment is titled
    `title (id)` or `title`; the row whose first cell says Points Possible gives
    the points; a student is found by ID, else SIS Login ID.
    """
    header, *rows = read(path)
    assert re.search("Student", header[0]) and re.search("ID", header[1])
    assert re.search(r"SIS\s+User\s+ID", header[2]) and re.search(r"SIS\s+Login\s+ID", header[3])
    assert re.search("Section", header[4])
    titles = header[5:]
    while titles and re.search("Current Score|Current Points|Final Score|Final Points|"
                               "Final Grade", titles[-1]):
        titles.pop()
    titles = [re.sub(r" \(\d+\)$", "", t) for t in titles]
    points, grades = {}, {}
    for row in rows:
        cells = dict(zip(titles, row[5:]))
        if re.search("Points Possible", row[0]):
            points = cells
        else:
            grades[row[1] or row[3]] = cells
    return grades, points


def test_canvas_fixture_reads_as_canvas_reads_it():
    grades, points = canvas_import(FIXTURE)
    assert points == {"01_recurrence": "18.00", "02_bptt": "20.00"}
    assert grades["10002"] == {"01_recurrence": "18.00", "02_bptt": "15.50"}


@pytest.mark.parametrize("canvas_ids", [True, False])
def test_canvas_csv(tmp_path, canvas_ids):
    write(tmp_path, RESULTS, ASSIGNMENTS, canvas_ids=canvas_ids)
    ours = read(tmp_path / "canvas.csv")
    assert ours[0][:5] == read(FIXTURE)[0][:5]  # Canvas's own student columns, in order
    assert ours[1][0] == read(FIXTURE)[1][0]  # the Points Possible row, as Canvas writes it
    grades, points = canvas_import(tmp_path / "canvas.csv")
    assert points == {"01_recurrence": "18", "02_bptt": "20"}  # nothing graded for 03
    assert grades == {"10002": {"01_recurrence": "18", "02_bptt": "13.5"},
                      "10003": {"01_recurrence": "9", "02_bptt": "0"},
                      "10004": {"01_recurrence": "0", "02_bptt": ""}}
    # Two students named smith: told apart by their ids; one without a name shows its id.
    ids = [row[:4] for row in ours[2:]]
    assert ids == [["smith", *(["10002", "", ""] if canvas_ids else ["", "", "10002"])],
                   ["smith", *(["10003", "", ""] if canvas_ids else ["", "", "10003"])],
                   ["10004", *(["10004", "", ""] if canvas_ids else ["", "", "10004"])]]


def test_totals_equal_the_sums_of_grades_csv(tmp_path):
    with open(tmp_path / "grades.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, GRADE_COLUMNS)
        writer.writeheader()
        for r in RESULTS:
            writer.writerows(r.csv_rows())
    write(tmp_path, RESULTS, ASSIGNMENTS)
    # grades.csv: item scores add up; the late penalty, on every row of a notebook,
    # counts once; a notebook never scores below 0.
    items, penalty = {}, {}
    for row in csv.DictReader(open(tmp_path / "grades.csv", newline="")):
        key = (row["student"], row["assignment"])
        items[key] = items.get(key, 0.0) + float(row["score"])
        penalty[key] = float(row["late_penalty"] or 0)
    expected = {key: max(0.0, items[key] - penalty[key]) for key in items}
    totals = {row["student"]: row for row in csv.DictReader(open(tmp_path / "totals.csv"))}
    assert list(totals) == ["10002", "10003", "10004"]
    for (student, assignment), score in expected.items():
        assert float(totals[student][assignment]) == pytest.approx(score)
    for student, row in totals.items():
        mine = [v for (s, _), v in expected.items() if s == student]
        assert float(row["total"]) == pytest.approx(sum(mine))
        assert float(row["max_total"]) == 38
    assert totals["10002"]["02_bptt_late_penalty"] == "2"
    assert totals["10002"]["02_bptt_submitted_at"] == "2026-03-01T19:00:00+00:00"
    assert totals["10002"]["label"] == "smith"
    assert totals["10004"]["02_bptt"] == "" and totals["10004"]["02_bptt_max"] == "20"
    assert "03_vanishing_gradients" not in totals["10002"]
