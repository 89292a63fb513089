"""Recording finished results, by the command's process alone.

The late penalty first (nbgrader's plugin, on the function scores), then
the feedback page and the gradebook, the state file last, so that a state
file always means the result is everywhere.
"""

from pathlib import Path

from ..grading.notebook import render_feedback
from ..grading.results import NotebookResult
from ..intake.jobs import Job
from ..intake.lateness import Policy
from ..outputs import feedback
from ..outputs.gradebook import GradebookWriter
from ..outputs.run_report import RunReport
from ..outputs.state import StateStore


def apply_late_penalty(result: NotebookResult, job: Job, lateness: Policy) -> None:
    """nbgrader's late-submission plugin on a graded notebook; its page shows the penalty."""
    if result.grader_failure or not result.graded_notebook:
        return
    _, penalty = lateness.penalty_for(job, sum(i.score for i in result.items))
    if penalty:
        result.late_penalty = penalty
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

    def __init__(self, out: Path, state: StateStore, gradebook: GradebookWriter,
                 report: RunReport):
        self.out, self.state, self.gradebook = out, state, gradebook
        self.report = report
        self.unsaved: list[NotebookResult] = []

    def add(self, result: NotebookResult, job: Job) -> None:
        if result.grader_failure:  # never kept: the next run grades this notebook again
            self.report.grader_failures.append(
                (result.student, result.assignment,
                 result.items[0].message if result.items else ""))
            return
        if result.feedback_html:
            feedback.write_page(self.out, result, job)
        self.gradebook.record(result, job.submitted_at)
        self.unsaved.append(result)
        if len(self.unsaved) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        self.gradebook.commit()
        for result in self.unsaved:
            self.state.save(result)
        self.report.graded += len(self.unsaved)
        self.unsaved = []
