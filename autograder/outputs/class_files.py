"""The class-wide files of RESULTS, written from the stored results at the end of a run:
grades.csv, totals.csv and canvas.csv, summary.md with summary.png."""

from pathlib import Path

from ..grading.course import Course
from . import grades_csv, summary, totals
from .run_report import RunReport
from .state import StateStore

NAMES = ("gradebook.db", "grades.csv", "totals.csv", "canvas.csv", "summary.md")


def complete(out: Path) -> bool:
    """Whether every output of a run is in `out`."""
    return all((out / name).is_file() for name in NAMES)


def write(out: Path, state: StateStore, course: Course, report: RunReport) -> None:
    results = [r for r in state.all() if r.assignment in course.assignments]
    grades_csv.write(out, results, course)
    totals.write(out, results, list(course.assignments), canvas_ids=report.canvas_ids)
    summary.write(out, results, course, report)
