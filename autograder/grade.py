"""`python -m autograder grade`: grade a whole class, in parallel, resumably.

The path of a submission: `collect` finds it and names its student; the
state store says whether it was graded already; `grade_notebook` runs it
in a sandbox of its own (`sandbox/`) and scores it (`scoring`); this
process alone then records it in the gradebook, the state and the
feedback folder, and at the end writes grades.csv, totals and the summary
from the stored results.
"""

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from tqdm import tqdm

from . import feedback, report, scoring, summary, totals
from .cluster import ClusterExecutor
from .collect import InstructorError, collect
from .course import Course
from .executors import LocalExecutor
from .gradebook import GradebookWriter
from .lateness import Policy
from .results import ItemResult, NotebookResult
from .sandbox.limits import Limits
from .sandbox.runner import SandboxFailed
from .state import StateStore
from .status import Status

MAX_NOTEBOOK_BYTES = 20 << 20


@dataclass
class RunReport:
    """What a run did, for the command's last lines."""

    graded: int = 0
    skipped: int = 0
    grader_failures: list = field(default_factory=list)  # (student, assignment, message)
    unattributed: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # about the collection as a whole
    enforcement: str = ""
    canvas_ids: bool = False  # students are Canvas user ids: the export names them so


def _problem_result(course, job, status, message, **extra):
    source = course.assignments[job.assignment]
    items = [ItemResult(f, 0.0, source.max_score(f), status, message)
             for f in source.functions]
    return NotebookResult(job.student, job.assignment, items, label=job.label,
                          submitted_at=_iso(job.submitted_at), **extra)


def _iso(moment):
    return moment.isoformat() if moment else ""


def _render(nb_json, result):
    # The graded notebook was built by the grader itself: read back without validation.
    return feedback.render(nbformat.v4.reads(nb_json), result.student,
                           result.assignment, result.assignment, result.score,
                           result.max_score, result.late_penalty)


def grade_notebook(course, job, key, limits, pool):
    """Grade one (student, assignment). A student's mistake never raises; the grader's
    own failure comes back as a result marked `grader_failure`. The late penalty is
    applied afterwards, by the command's own process (`apply_late_penalty`)."""
    if job.problem:
        return _problem_result(course, job, Status(job.problem), job.note, key=key)
    try:
        raw = job.path.read_bytes()
        if len(raw) > MAX_NOTEBOOK_BYTES:
            raise ValueError("the file is larger than 20 MB")
        student_nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
        if not isinstance(student_nb.get("cells"), list):
            raise ValueError("it has no list of cells")
    except Exception as error:  # any unreadable file is the student's problem, recorded
        message = (f"{job.path.name} could not be read as a Jupyter notebook "
                   f"({type(error).__name__}: {str(error)[:200]})")
        return _problem_result(course, job, Status.INVALID, message, key=key)
    from solutions import reference

    source = course.assignments[job.assignment]
    try:
        items, cell_scores, graded = scoring.grade(source, student_nb, reference, limits, pool)
    except SandboxFailed as error:
        return _problem_result(course, job, Status.CRASHED, f"not graded: {error}", key=key,
                               grader_failure=True)
    if job.note:
        for item in items:
            item.message += f" Note: {job.note}."
    result = NotebookResult(job.student, job.assignment, items, cell_scores, key=key,
                            label=job.label, submitted_at=_iso(job.submitted_at),
                            graded_notebook=nbformat.v4.writes(graded))
    result.feedback_html = _render(result.graded_notebook, result)
    return result


def apply_late_penalty(result, job, lateness):
    """nbgrader's late-submission plugin on a graded notebook; its page shows the penalty."""
    if result.grader_failure or not result.graded_notebook:
        return
    _, penalty = lateness.penalty_for(job, sum(i.score for i in result.items))
    if penalty:
        result.late_penalty = penalty
        result.feedback_html = _render(result.graded_notebook, result)


def _policy_tag(config, lateness):
    """The late-submission settings a result depends on: change them, and it is redone."""
    stamp = f"{config}:{config.stat().st_mtime_ns}" if config else ""
    return stamp + repr(sorted(lateness.due_dates().items()))


def _select(collection, students):
    jobs = collection.jobs
    if students:
        known = {j.student for j in jobs}
        unknown = sorted(set(students) - known)
        if unknown:
            raise InstructorError(f"no submission of student {', '.join(unknown)} was found")
        jobs = [j for j in jobs if j.student in students]
    return jobs


def _withdrawn(stored, jobs, scope_students, scope_assignments):
    """Stored (student, assignment) pairs no longer among the submissions (in scope)."""
    present = {(j.student, j.assignment) for j in jobs}
    return [(student, assignment) for student, assignment in stored
            if (not scope_students or student in scope_students)
            and assignment in scope_assignments
            and (student, assignment) not in present]


def _forget(state, gradebook, withdrawn, scope_students):
    """Withdrawn notebooks, and students left with none, leave every output."""
    for student, assignment in withdrawn:
        state.remove(student, assignment)
        gradebook.remove(student, assignment)
    for student in gradebook.students() - {r.student for r in state.all()}:
        if not scope_students or student in scope_students:
            gradebook.remove(student)


OUTPUTS = ("gradebook.db", "grades.csv", "totals.csv", "canvas.csv", "summary.md")


def run(submissions, out, jobs=None, limits=None, assignments=None, students=None,
        force=False, progress=True, unsandboxed=False, nbgrader_config=None, cluster=None):
    """Grade a class; returns a RunReport. Raises InstructorError for bad arguments."""
    course = Course()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    collection = collect(submissions, list(course.assignments), out / ".collected",
                         assignments, config=nbgrader_config)
    lateness = Policy.load(collection.config)
    todo = _select(collection, students)
    state = StateStore(out)
    if not (out / "gradebook.db").is_file():
        state.clear()  # a gradebook is rebuilt from grading, never from the state alone
    stored = {(r.student, r.assignment): r.key for r in state.all()}  # read once
    scope = list(assignments or course.assignments)
    withdrawn = _withdrawn(stored, todo, students, scope)
    limits = limits or Limits()
    workers = jobs or os.cpu_count() or 1
    policy = _policy_tag(collection.config, lateness)
    keyed = [(job, StateStore.key(course.fingerprint, job, policy)) for job in todo]
    pending = [(job, key) for job, key in keyed
               if force or stored.get((job.student, job.assignment)) != key]
    if not pending and not withdrawn and all((out / name).is_file() for name in OUTPUTS):
        # Nothing changed: the outputs stand as they are.
        return RunReport(skipped=len(todo), unattributed=list(collection.unattributed),
                         notes=list(collection.notes))
    gradebook = GradebookWriter(out, course, state)
    _forget(state, gradebook, withdrawn, students)
    gradebook.set_due_dates(lateness.due_dates())
    run_report = RunReport(skipped=len(todo) - len(pending),
                           unattributed=list(collection.unattributed),
                           notes=list(collection.notes),
                           canvas_ids=collection.canvas_ids)
    bar = tqdm(total=len(todo), initial=run_report.skipped, unit="notebook",
               disable=not progress, desc="grading", file=sys.stderr)
    executor = None
    recorder = Recorder(out, state, gradebook, run_report)
    try:
        if pending:
            executor = (ClusterExecutor(cluster, course, limits, workers, unsandboxed)
                        if cluster else
                        LocalExecutor(course, limits, min(workers, len(pending)),
                                      unsandboxed))
            run_report.enforcement = executor.enforcement
        futures = {executor.submit(job, key): (job, key) for job, key in pending}
        for future in executor.as_completed(futures) if futures else ():
            job, key = futures[future]
            try:
                result = future.result()
            except Exception as error:  # a grader bug must not cost the rest of the class
                result = _problem_result(
                    course, job, Status.CRASHED,
                    f"the grader failed on this notebook ({type(error).__name__}: {error})",
                    key=key, grader_failure=True)
            apply_late_penalty(result, job, lateness)
            recorder.add(result, job)
            bar.update(1)
    except KeyboardInterrupt:
        if executor is not None:
            executor.close(cancel=True)
            executor = None
        raise
    finally:
        bar.close()
        if executor is not None:
            executor.close()
        recorder.flush()  # what finished before an interruption is kept
        gradebook.close()
    write_outputs(out, state, course, run_report)
    return run_report


class Recorder:
    """Keeps finished results: feedback and gradebook first, the state file last, so a
    state file always means the result is everywhere. The gradebook is committed
    every few results rather than every one (each commit waits for the disk)."""

    BATCH = 25

    def __init__(self, out, state, gradebook, run_report):
        self.out, self.state, self.gradebook = out, state, gradebook
        self.run_report = run_report
        self.unsaved = []

    def add(self, result, job):
        if result.grader_failure:  # never kept: the next run grades this notebook again
            self.run_report.grader_failures.append(
                (result.student, result.assignment,
                 result.items[0].message if result.items else ""))
            return
        if result.feedback_html:
            feedback.install_mathjax(self.out / "feedback")
            folder = self.out / "feedback" / result.student / result.assignment
            feedback.write(folder / f"{result.assignment}.html", result.feedback_html)
            feedback.write_exchange_files(folder, job)
        self.gradebook.record(result, job.submitted_at)
        self.unsaved.append(result)
        if len(self.unsaved) >= self.BATCH:
            self.flush()

    def flush(self):
        self.gradebook.commit()
        for result in self.unsaved:
            self.state.save(result)
        self.run_report.graded += len(self.unsaved)
        self.unsaved = []


def write_outputs(out, state, course, run_report):
    results = [r for r in state.all() if r.assignment in course.assignments]
    report.write_grades(out, results, course)
    totals.write(out, results, list(course.assignments), canvas_ids=run_report.canvas_ids)
    summary.write(out, results, course, run_report)
