"""RESULTS/grades.csv: one row per student, assignment and function."""

import csv
import os

from .results import GRADE_COLUMNS


def write_grades(out, results, course):
    order = {a: {f: k for k, f in enumerate(s.functions)} for a, s in course.assignments.items()}
    rows = [row for result in results for row in result.csv_rows()]
    rows.sort(key=lambda r: (r["student"], r["assignment"],
                             order.get(r["assignment"], {}).get(r["item"], 99)))
    tmp = out / "grades.csv.tmp"
    with open(tmp, "w", newline="") as handle:
        writer = csv.DictWriter(handle, GRADE_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, out / "grades.csv")
    return rows
