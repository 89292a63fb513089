"""RESULTS/totals.csv and RESULTS/canvas.csv: one row per student.

`totals.csv` has, per assignment, the score after the late penalty, the
maximum, the late penalty and the submission time, then the course total and
its maximum. An assignment's score is `NotebookResult.score`, so it equals
what `grades.csv` holds: the sum of the notebook's `score` rows minus its
`late_penalty` (written on each of its rows, taken once), and never below 0.
The course's maximum counts every assignment that was graded for anyone.

`canvas.csv` is a gradebook that Canvas imports (Grades > Import), in the
columns of Canvas's own export: `Student`, `ID`, `SIS User ID`,
`SIS Login ID`, `Section`, one column per assignment titled like the
assignment (Canvas matches it to its assignment of that title, or creates
one), and a `Points Possible` row under the header. Canvas finds the
student by `ID` (its user id) when the ids came from Canvas's own file names,
else by `SIS Login ID`, which is where nbgrader's student id (a login) goes.
"""

from pathlib import Path

from .files import write_csv

CANVAS_STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
# Canvas's export indents this label; its importer finds the row by the words.
POINTS_POSSIBLE = "    Points Possible"


def _number(value):
    return f"{round(value, 6):.10g}"


def _table(results, assignments):
    """(assignment names in course order, {student: {assignment: result}}, {assignment: max})."""
    by_student: dict[str, dict] = {}
    maximum: dict[str, float] = {}
    for result in results:
        by_student.setdefault(result.student, {})[result.assignment] = result
        maximum[result.assignment] = max(maximum.get(result.assignment, 0.0),
                                         result.max_score)
    names = [a for a in assignments if a in maximum]
    names += sorted(set(maximum) - set(names))
    return names, dict(sorted(by_student.items())), maximum


def _label(graded):
    return next((r.label for r in graded.values() if r.label), "")


def totals_rows(results, assignments):
    names, students, maximum = _table(results, assignments)
    header = ["student", "label"]
    for name in names:
        header += [name, f"{name}_max", f"{name}_late_penalty", f"{name}_submitted_at"]
    rows = [header + ["total", "max_total"]]
    course_max = sum(maximum.values())
    for student, graded in students.items():
        row = [student, _label(graded)]
        for name in names:
            result = graded.get(name)
            if result is None:
                row += ["", _number(maximum[name]), "", ""]
            else:
                row += [_number(result.score), _number(result.max_score),
                        _number(result.late_penalty) if result.late_penalty else "",
                        result.submitted_at]
        total = sum(r.score for r in graded.values())
        rows.append(row + [_number(total), _number(course_max)])
    return rows


def canvas_rows(results, assignments, canvas_ids=False):
    names, students, maximum = _table(results, assignments)
    rows = [list(CANVAS_STUDENT_COLUMNS) + names,
            [POINTS_POSSIBLE, "", "", "", ""] + [_number(maximum[n]) for n in names]]
    for student, graded in students.items():
        ids = [student, "", ""] if canvas_ids else ["", "", student]
        scores = [_number(graded[n].score) if n in graded else "" for n in names]
        rows.append([_label(graded) or student] + ids + [""] + scores)
    return rows


def write(out_dir, results, assignments, canvas_ids=False):
    """Write totals.csv and canvas.csv from the NotebookResults; returns their paths.

    `assignments` gives the column order (the course's); `canvas_ids` is
    `Collection.canvas_ids`: the student ids are Canvas's user ids.
    """
    out_dir = Path(out_dir)
    results = list(results)
    totals, canvas = out_dir / "totals.csv", out_dir / "canvas.csv"
    write_csv(totals, totals_rows(results, assignments))
    write_csv(canvas, canvas_rows(results, assignments, canvas_ids))
    return totals, canvas
