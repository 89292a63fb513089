"""`python -m autograder grade`: grade a whole class, in parallel, resumably.

The path of a submission: intake finds it and names its student (`plan`,
with `autograder.intake`); the state store says whether it was graded
already; an executor runs the grading function on it (`executors`,
`cluster`, with `autograder.grading`); this process alone then records it
(`record`) in the gradebook, the state and the feedback folder, and at the
end writes the class-wide files from the stored results
(`autograder.outputs.class_files`).
"""

import os
import sys
from pathlib import Path

from tqdm import tqdm

from ..contract import Status
from ..grading.course import Course
from ..grading.notebook import grade_notebook, problem_result
from ..outputs import class_files
from ..outputs.gradebook import GradebookWriter
from ..outputs.run_report import RunReport
from ..outputs.state import StateStore
from ..sandbox.limits import Limits
from .cluster import ClusterExecutor
from .executors import LocalExecutor
from .plan import Plan
from .record import Recorder, apply_late_penalty, forget


def run(submissions, out, jobs=None, limits=None, assignments=None, students=None,
        force=False, progress=True, unsandboxed=False, nbgrader_config=None, cluster=None,
        course=None) -> RunReport:
    """Grade a class; returns a RunReport. Raises InstructorError for bad arguments."""
    course = course or Course.load()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    state = StateStore(out)
    if not (out / "gradebook.db").is_file():
        state.clear()  # a gradebook is rebuilt from grading, never from the state alone
    plan = Plan.make(course, submissions, out, state, assignments, students, force,
                     nbgrader_config)
    report = RunReport(skipped=len(plan.todo) - len(plan.pending),
                       unattributed=list(plan.collection.unattributed),
                       notes=list(plan.collection.notes),
                       canvas_ids=plan.collection.canvas_ids)
    if not plan.pending and not plan.withdrawn and class_files.complete(out):
        return report  # nothing changed: the outputs stand as they are
    gradebook = GradebookWriter(out, course, state)
    forget(state, gradebook, plan.withdrawn, students)
    gradebook.set_due_dates(plan.lateness.due_dates())
    try:
        _execute(plan, course, out, state, gradebook, report, limits or Limits(),
                 jobs or os.cpu_count() or 1, unsandboxed, cluster, progress)
    finally:
        gradebook.close()
    class_files.write(out, state, course, report)
    return report


def _execute(plan, course, out, state, gradebook, report, limits, workers, unsandboxed,
             cluster, progress):
    """Grade the pending notebooks and record each as it finishes; what finished before
    an interruption is kept."""
    bar = tqdm(total=len(plan.todo), initial=report.skipped, unit="notebook",
               disable=not progress, desc="grading", file=sys.stderr)
    recorder = Recorder(out, state, gradebook, report)
    executor = None
    try:
        if plan.pending:
            executor = (ClusterExecutor(cluster, grade_notebook, course, limits, workers,
                                        unsandboxed) if cluster else
                        LocalExecutor(grade_notebook, course, limits,
                                      min(workers, len(plan.pending)), unsandboxed))
            report.enforcement = executor.enforcement
            futures = {executor.submit(job, key): (job, key) for job, key in plan.pending}
            for future in executor.as_completed(futures):
                job, key = futures[future]
                try:
                    result = future.result()
                except Exception as error:  # a grader bug must not cost the rest of the class
                    result = problem_result(
                        course, job, Status.CRASHED,
                        f"the grader failed on this notebook ({type(error).__name__}: {error})",
                        key=key, grader_failure=True)
                apply_late_penalty(result, job, plan.lateness)
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
        recorder.flush()
