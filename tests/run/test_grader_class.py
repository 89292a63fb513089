"""The instructor command on a small class: grades, gradebook, feedback, resume."""

import csv
import sqlite3
import subprocess
import sys

import nbformat
import pytest
from grading_helpers import EXERCISES, SOURCE, answer_source, grade_cli, with_answer

from autograder.contract import ASSIGNMENTS, GRADED
from autograder.grading.results import GRADE_COLUMNS
from autograder.outputs.gradebook import alembic_on_path

A = "01_recurrence"
WRONG = "rnn_cell_forward"


def read_csv(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    subs = root / "submitted"
    correct = nbformat.read(SOURCE / A / f"{A}.ipynb", as_version=4)
    wrong = with_answer(correct, WRONG, answer_source(correct, WRONG).replace(
        "h_prev @ W_h.T + b", "h_prev @ W_h.T"))
    notebooks = {"ada": correct, "blank": nbformat.read(EXERCISES / f"{A}.ipynb", 4),
                 "wim": wrong}
    for student, nb in notebooks.items():
        (subs / student / A).mkdir(parents=True)
        nbformat.write(nb, subs / student / A / f"{A}.ipynb")
    out = root / "results"
    run = grade_cli(subs, "--out", out, "--jobs", "2")
    return subs, out, run


def test_exit_zero_and_outputs(graded):
    subs, out, run = graded
    assert run.returncode == 0, run.stderr
    for name in ("grades.csv", "gradebook.db", "summary.md", "summary.png"):
        assert (out / name).is_file(), name
    for student in ("ada", "blank", "wim"):
        html = (out / "feedback" / student / A / f"{A}.html").read_text()
        assert "Score:" in html and "BEGIN HIDDEN" not in html and "check(" not in html


def test_scores(graded):
    _, out, _ = graded
    rows = read_csv(out / "grades.csv")
    # The spec's seven columns first (the submission time and late penalty follow).
    assert list(rows[0])[:7] == ["student", "assignment", "item", "score", "max_score",
                                 "status", "message"]
    assert tuple(rows[0]) == GRADE_COLUMNS
    functions = ASSIGNMENTS[A]
    by = {(r["student"], r["item"]): r for r in rows}
    assert len(rows) == 3 * len(functions)
    for f in functions:
        assert by[("ada", f)]["status"] == "ok"
        assert by[("ada", f)]["score"] == by[("ada", f)]["max_score"]
        assert by[("blank", f)]["score"] == "0" and by[("blank", f)]["status"] == "error"
        assert "NotImplementedError" in by[("blank", f)]["message"]
        expected_ok = f != WRONG
        assert (by[("wim", f)]["status"] == "ok") == expected_ok, by[("wim", f)]
    assert by[("wim", WRONG)]["score"] == "0" and by[("wim", WRONG)]["status"] == "wrong"
    assert "h_t" in by[("wim", WRONG)]["message"]


def test_gradebook_is_nbgraders(graded):
    _, out, _ = graded
    from nbgrader.api import Gradebook

    alembic_on_path()
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        scores = {s.student.id: (s.score, s.max_score) for s in gb.assignment_submissions(A)}
    max_score = scores["ada"][1]
    assert scores["ada"] == (max_score, max_score)
    assert scores["blank"] == (0, max_score)
    assert scores["wim"][0] == max_score - GRADED[WRONG].max_score
    export = subprocess.run([sys.executable, "-m", "nbgrader", "export",
                             f"--CourseDirectory.db_url=sqlite:///{out / 'gradebook.db'}",
                             f"--CsvExportPlugin.to={out / 'export.csv'}"],
                            cwd=out, capture_output=True, text=True)
    assert export.returncode == 0, export.stderr
    assert "wim" in (out / "export.csv").read_text()


def test_rerun_neither_loses_nor_doubles(graded):
    subs, out, _ = graded
    before = (out / "grades.csv").read_text()
    again = grade_cli(subs, "--out", out)
    assert again.returncode == 0, again.stderr
    assert (out / "grades.csv").read_text() == before
    with sqlite3.connect(out / "gradebook.db") as db:
        (count,) = db.execute("select count(*) from submitted_assignment").fetchone()
    assert count == 3


def test_instructor_mistakes_exit_nonzero(tmp_path, graded):
    subs, _, _ = graded
    missing = grade_cli(tmp_path / "nope", "--out", tmp_path / "r")
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    unknown = grade_cli(subs, "--out", tmp_path / "r", "--assignment", "99_nothing")
    assert unknown.returncode == 2 and "unknown assignment" in unknown.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    none = grade_cli(empty, "--out", tmp_path / "r")
    assert none.returncode == 2 and "no submissions" in none.stderr
