"""Recording finished results, by the command's process alone.

Lateness first (nbgrader's late-submission plugin, on the function scores),
then the graded notebook, the feedback page and the gradebook, the state file
last, so that a state file always means the result is everywhere. A result
whose late-submission settings changed gets its penalty anew from the graded
notebook kept in `autograded/`, without running the notebook again.
"""

from pathlib import Path

from ..grading.notebook import render_feedback
from ..grading.results import NotebookResult
from ..intake.jobs import Job
from ..intake.lateness import Policy
from ..intake.names import student_folder
from ..outputs import feedback
from ..outputs.destination import Destination
from ..outputs.files import write_atomic
from ..outputs.gradebook import GradebookWriter
from ..outputs.run_report import RunReport
from ..outputs.state import StateStore
from .interrupts import Interrupts


def apply_lateness(result: NotebookResult, job: Job, lateness: Policy, policy: str) -> None:
    """How late the notebook was, and nbgrader's penalty for it (its page shows it)."""
    if result.grader_failure:
        return
    seconds = lateness.seconds_late(job.assignment, job.submitted_at, job.student)
    result.seconds_late = seconds
    result.late = bool(seconds) or bool(job.late)
    _, penalty = lateness.penalty_for(job, sum(i.score for i in result.items))
    changed = penalty != result.late_penalty
    result.late_penalty, result.late_policy = penalty, policy
    if changed and result.graded_notebook:
        render_feedback(result)


def forget(state: StateStore, gradebook: GradebookWriter, withdrawn, scope_students):
    """Withdrawn notebooks, and students left with none, leave every output."""
    for student, assignment in withdrawn:
        state.remove(student, assignment)
        gradebook.remove(student, assignment)
    for student in gradebook.students() - {r.student for r in state.all()}:
        if not scope_students or student in scope_students:
            gradebook.remove(student)


class Recorder:
    """Keeps finished results. The gradebook is committed every few results rather than
    every one (each commit waits for the disk)."""

    BATCH = 25

    def __init__(self, destination: Destination, state: StateStore,
                 gradebook: GradebookWriter, report: RunReport, interrupts: Interrupts):
        self.destination, self.state, self.gradebook = destination, state, gradebook
        self.report, self.interrupts = report, interrupts
        self.unsaved: list[NotebookResult] = []

    def graded_notebook_path(self, student: str, assignment: str) -> Path:
        return (self.destination.autograded / student_folder(student) / assignment
                / f"{assignment}.ipynb")

    def add(self, result: NotebookResult, job: Job) -> None:
        with self.interrupts.held():  # a result is recorded whole, or not at all
            self._add(result, job)
        if len(self.unsaved) >= self.BATCH:
            self.flush()

    def _add(self, result: NotebookResult, job: Job) -> None:
        if result.grader_failure:  # never kept: the next run grades this notebook again
            self.report.grader_failures.append(
                (result.student, result.assignment,
                 result.items[0].message if result.items else ""))
            return
        if result.graded_notebook:
            path = self.graded_notebook_path(result.student, result.assignment)
            write_atomic(path, result.graded_notebook)
            feedback.write_exchange_files(path.parent, job)
        if result.feedback_html:
            folder = (self.destination.feedback / student_folder(result.student)
                      / result.assignment)
            write_atomic(folder / f"{result.assignment}.html", result.feedback_html)
            feedback.install_mathjax(self.destination.feedback)
            feedback.write_exchange_files(folder, job)
        self.gradebook.record(result, job.submitted_at)
        self.unsaved.append(result)

    def repenalize(self, result: NotebookResult, job: Job, lateness: Policy,
                   policy: str) -> bool:
        """A stored result under changed late-submission settings; False when its graded
        notebook is gone (it must be graded again)."""
        path = self.graded_notebook_path(result.student, result.assignment)
        if not path.is_file():
            return False
        result.graded_notebook = path.read_text()
        apply_lateness(result, job, lateness, policy)
        render_feedback(result)
        self.add(result, job)
        self.report.repenalized += 1
        return True

    def flush(self) -> None:
        with self.interrupts.held():
            self.gradebook.commit()
            for result in self.unsaved:
                self.state.save(result)
        self.report.graded += len(self.unsaved)
        self.unsaved = []
