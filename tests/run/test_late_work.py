"""Late work through the whole command: the course's due date and nbgrader's `zero`
penalty, nbgrader's timestamp.txt, and `nbgrader export` reading the results."""

import csv
import os
import subprocess
import sys
import warnings

import nbformat
import pytest
from grading_helpers import grade_cli, source_notebook

pytestmark = pytest.mark.slow
A = "01_recurrence"
TIMES = {"ada": "2026-03-01 18:30:00.000000 UTC", "bob": "2026-03-01 16:00:00.000000 UTC"}


def _rows(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from nbgrader.api import Gradebook

    course = tmp_path_factory.mktemp("late") / "course"
    course.mkdir()
    env_path = os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]
    with pytest.MonkeyPatch.context() as patch, warnings.catch_warnings():
        patch.setenv("PATH", env_path)  # nbgrader runs alembic from PATH
        warnings.simplefilter("ignore")
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as book:
            book.update_or_create_assignment(A, duedate="2026-03-01 17:00 UTC")
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.LateSubmissionPlugin.penalty_method = 'zero'\n")
    for student, moment in TIMES.items():
        folder = course / "submitted" / student / A
        folder.mkdir(parents=True)
        nbformat.write(source_notebook(A), folder / f"{A}.ipynb")
        (folder / "timestamp.txt").write_text(moment)
    out = course.parent / "results"
    run = grade_cli(course, "--out", out)
    assert run.returncode == 0, run.stderr
    exported = course.parent / "export.csv"
    subprocess.run([sys.executable, "-m", "nbgrader", "export",
                    f"--CourseDirectory.db_url=sqlite:///{out / 'gradebook.db'}",
                    f"--CsvExportPlugin.to={exported}"], check=True, capture_output=True,
                   env={**os.environ, "PATH": env_path}, cwd=course.parent)
    return out, exported


def test_the_late_notebook_scores_zero_in_the_csvs(graded):
    out, _ = graded
    rows = {}
    for row in _rows(out / "grades.csv"):
        rows.setdefault(row["student"], []).append(row)
    assert {r["submitted_at"][:16] for r in rows["ada"]} == {"2026-03-01T18:30"}
    assert {r["late_penalty"] for r in rows["ada"]} == {"18"}
    assert {r["late_penalty"] for r in rows["bob"]} == {""}
    totals = {r["student"]: r for r in _rows(out / "totals.csv")}
    assert float(totals["ada"]["total"]) == 0 and float(totals["bob"]["total"]) == 18
    assert "1 notebooks late" in (out / "summary.md").read_text()


def test_nbgrader_export_shows_times_and_penalties(graded):
    _, exported = graded
    rows = {r["student_id"]: r for r in _rows(exported)}
    assert rows["ada"]["timestamp"].startswith("2026-03-01 18:30")
    assert rows["ada"]["duedate"].startswith("2026-03-01 17:00")
    assert float(rows["ada"]["raw_score"]) == 18
    assert float(rows["ada"]["late_submission_penalty"]) == 18
    assert float(rows["ada"]["score"]) == 0
    assert float(rows["bob"]["score"]) == 18
    assert float(rows["bob"]["late_submission_penalty"] or 0) == 0
