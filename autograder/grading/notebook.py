"""Grade one (student, assignment): the whole path of one notebook through grading.

Read the notebook, put it together with the instructor's source notebook
(`assemble`), run its cells in a sandbox (`autograder.sandbox`) while this
process judges every hidden check (`judge`) and answers for the reference,
score each function (`scoring`), build the graded notebook and render its
feedback page. A student's mistake never raises; the grader's own failure
comes back as a result marked `grader_failure`.
"""


import json

import nbformat

from ..contract import Status
from ..intake.jobs import MAX_NOTEBOOK_BYTES, Job, read_notebook
from ..sandbox.errors import SandboxFailed
from ..sandbox.limits import Limits
from ..sandbox.notebook import Caller, Cell, NotebookRun
from ..sandbox.process import SandboxPool
from . import feedback_page
from .assemble import Step, assemble
from .cells import Role, cell_text, is_code, nbgrader_meta
from .course import Course
from .graded_notebook import graded_notebook
from .judge import Verdict, run_check
from .reference_calls import check_arguments
from .results import ItemResult, NotebookResult
from .scoring import score
from .source import SourceNotebook


class CourseHost:
    """What the sandbox asks of the course: judge a check, compute a reference value."""

    def __init__(self, course: Course):
        self.course = course

    def judge(self, name: str, suite: str, call: Caller | None) -> Verdict:
        return run_check(name, suite, call, getattr(self.course.reference, name))

    def reference(self, name: str, args: list) -> object:
        check_arguments(name, args)
        return getattr(self.course.reference, name)(*args)


def sandbox_cells(source: SourceNotebook, steps: list[Step]) -> list[Cell]:
    """The code cells to run, each with what the sandbox must know of it."""
    cells = []
    for index, step in enumerate(steps):
        if not is_code(step.cell):
            continue
        checks: tuple[tuple[str, str], ...] = ()
        inject: tuple[str, ...] = ()
        if step.role is Role.TEST:
            intent = source.tests[nbgrader_meta(step.source_cell)["grade_id"]]
            checks, inject = ((intent.function, intent.suite.value),), intent.deps
        test = step.role is Role.TEST
        cells.append(Cell(index, cell_text(step.cell), replay=not test, show_source=not test,
                          checks=checks, inject=inject))
    return cells


def grade(course: Course, source: SourceNotebook, student: nbformat.NotebookNode,
          limits: Limits, pool: SandboxPool
          ) -> tuple[list[ItemResult], dict[str, tuple[float, float]], nbformat.NotebookNode]:
    """Run and score one parsed notebook: (items, cell_scores, graded notebook)."""
    steps, notes = assemble(source, student)
    cells = sandbox_cells(source, steps)
    outcomes = NotebookRun(cells, CourseHost(course), limits, pool).run()
    checks = {cell.index: cell.checks for cell in cells}
    items, cell_scores, reasons = score(source, steps, notes, outcomes, checks)
    return items, cell_scores, graded_notebook(source, steps, outcomes, cell_scores, reasons)


def problem_result(course: Course, job: Job, status: Status, message: str,
                   **extra) -> NotebookResult:
    """Every function of the job's assignment at 0 with one status and message."""
    source = course.assignments[job.assignment]
    items = [ItemResult(f, 0.0, source.max_score(f), status, message)
             for f in source.functions]
    return NotebookResult(job.student, job.assignment, items, label=job.label,
                          submitted_at=_iso(job.submitted_at), **extra)


def _iso(moment):
    return moment.isoformat() if moment else ""


def render_feedback(result: NotebookResult) -> None:
    """The result's feedback page, from its graded notebook (late penalty included)."""
    # The graded notebook was built by the grader itself: read back without validation.
    result.feedback_html = feedback_page.render(
        nbformat.v4.reads(result.graded_notebook), result.student, result.assignment,
        result.assignment, result.score, result.max_score, result.late_penalty)


def read_student_notebook(raw: bytes) -> nbformat.NotebookNode:
    """A student's notebook as JSON, its cells as they are (`cells.student_cells` reads
    them one by one: a broken cell costs that cell, not the notebook); an nbformat 3
    notebook is converted by nbformat. ValueError when it is no notebook at all."""
    data = json.loads(raw.decode("utf-8"))
    if not isinstance(data, dict):
        raise ValueError("it is not a JSON object")
    if data.get("nbformat") != 4:
        data = nbformat.reads(raw.decode("utf-8"), as_version=4)
    if not isinstance(data.get("cells"), list):
        raise ValueError("it has no list of cells")
    return nbformat.from_dict({"cells": data["cells"], "metadata": {}, "nbformat": 4,
                               "nbformat_minor": 5})


def grade_notebook(course: Course, job: Job, key: str, limits: Limits,
                   pool: SandboxPool) -> NotebookResult:
    """Grade one (student, assignment). The late penalty is applied afterwards, by the
    command's own process."""
    if job.problem or job.path is None:
        return problem_result(course, job, job.problem or Status.MISSING, job.note, key=key)
    try:
        raw = read_notebook(job.path)
        if len(raw) > MAX_NOTEBOOK_BYTES:
            raise ValueError("the file is larger than 20 MB")
        student_nb = read_student_notebook(raw)
    except Exception as error:  # any unreadable file is the student's problem, recorded
        message = (f"{job.path.name} could not be read as a Jupyter notebook "
                   f"({type(error).__name__}: {str(error)[:200]})")
        return problem_result(course, job, Status.INVALID, message, key=key)
    source = course.assignments[job.assignment]
    try:
        items, cell_scores, graded = grade(course, source, student_nb, limits, pool)
    except SandboxFailed as error:
        return problem_result(course, job, Status.CRASHED, f"not graded: {error}", key=key,
                              grader_failure=True)
    if job.note:
        for item in items:
            item.message += f" Note: {job.note}."
    result = NotebookResult(job.student, job.assignment, items, cell_scores, key=key,
                            label=job.label, submitted_at=_iso(job.submitted_at),
                            graded_notebook=nbformat.v4.writes(graded))
    render_feedback(result)
    return result
