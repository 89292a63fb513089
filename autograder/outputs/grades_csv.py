"""RESULTS/grades.csv: one row per student, assignment and function."""

from pathlib import Path

from ..grading.course import Course
from ..grading.results import GRADE_COLUMNS, NotebookResult
from .files import write_csv


def write(out: Path, results: list[NotebookResult], course: Course) -> list[dict]:
    order = {a: {f: k for k, f in enumerate(s.functions)} for a, s in course.assignments.items()}
    rows = [row for result in results for row in result.csv_rows()]
    rows.sort(key=lambda r: (r["student"], r["assignment"],
                             order.get(r["assignment"], {}).get(r["item"], 99)))
    write_csv(out / "grades.csv", [GRADE_COLUMNS, *([r[c] for c in GRADE_COLUMNS]
                                                     for r in rows)])
    return rows
