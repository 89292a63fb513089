"""`python -m autograder grade`: grade a whole class, in parallel, resumably.

The path of a submission: intake finds it and names its student
(`autograder.intake`); `Destination` says where the run records (the nbgrader
course the submissions came from, or a results folder); `plan` says what is
left to do; an executor runs the grading function on each notebook
(`executors`, `cluster`, with `autograder.grading`); this process alone then
records it (`record`) in the gradebook, the state, `autograded/` and
`feedback/`, and at the end writes the class-wide files from the stored
results (`autograder.outputs.class_files`). Ctrl-C is `interrupts`'.
"""

import os
import sys
from pathlib import Path

from tqdm import tqdm

from ..contract import Status
from ..errors import InstructorError
from ..grading.course import Course
from ..grading.notebook import grade_notebook, problem_result
from ..intake.collect import collect, config_of, course_of
from ..intake.nbgrader_config import course_gradebook, read_config
from ..outputs import class_files
from ..outputs.destination import Destination
from ..outputs.gradebook import GradebookWriter
from ..outputs.run_report import RunReport
from ..outputs.state import StateStore
from ..sandbox.limits import Limits
from .cluster import ClusterExecutor
from .executors import LocalExecutor
from .interrupts import Interrupts
from .plan import Plan, force_done
from .record import Recorder, apply_lateness, forget


def run(submissions, out=None, jobs=None, limits=None, assignments=None, students=None,
        force=False, progress=True, unsandboxed=False, nbgrader_config=None, cluster=None,
        course=None, into_gradebook=False) -> RunReport:
    """Grade a class; returns a RunReport. Raises InstructorError for bad arguments."""
    course = course or Course.load()
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise InstructorError(f"the submissions folder {submissions} does not exist")
    with Interrupts() as interrupts:
        # Where the run records, and whether it may: decided before anything is written.
        home = course_of(submissions) if submissions.is_dir() else None
        config = config_of(home, nbgrader_config)
        settings = read_config(config) if config else {}
        destination = Destination.choose(home, course_gradebook(home, config, settings),
                                         Path(out) if out else None, into_gradebook)
        collection = collect(submissions, list(course.assignments),
                             destination.extras / ".collected", assignments, config=config)
        state = StateStore(destination.extras)
        if not destination.gradebook.is_file():
            state.clear()  # a gradebook is rebuilt from grading, never from the state alone
        plan = Plan.make(course, collection, state, assignments, students, force)
        report = RunReport(skipped=len(plan.todo) - len(plan.pending) - len(plan.repenalize),
                           unattributed=list(collection.unattributed),
                           notes=list(collection.notes) + _lateness_notes(plan),
                           canvas_ids=collection.canvas_ids,
                           course=str(collection.course.resolve()) if collection.course
                           else "",
                           extras=str(destination.extras))
        if not (plan.pending or plan.withdrawn or plan.repenalize) \
                and class_files.complete(destination.extras, destination.gradebook):
            if force:
                force_done(state)
            return report  # nothing changed: the outputs stand as they are
        graded = {r.assignment for r in state.all()} | {j.assignment for j in plan.todo}
        with interrupts.held():
            gradebook = GradebookWriter(destination, course, state, sorted(graded))
        try:
            with interrupts.held():
                forget(state, gradebook, plan.withdrawn, students)
                gradebook.set_due_dates(plan.lateness.due_dates())
            recorder = Recorder(destination, state, gradebook, report, interrupts)
            for job, result in plan.repenalize:
                if not recorder.repenalize(result, job, plan.lateness, plan.policy):
                    plan.pending.append((job, StateStore.key(course.fingerprint, job)))
            _execute(plan, course, recorder, report, limits or Limits(),
                     jobs or os.cpu_count() or 1, unsandboxed, cluster, progress)
        finally:
            with interrupts.held():
                gradebook.close()
        with interrupts.held():
            class_files.write(destination.extras, state, course, report)
            if force:
                force_done(state)
    return report


def _lateness_notes(plan):
    marked = [j for j in plan.todo if j.late]
    if marked and plan.lateness.assigner is None:
        return [f"{len(marked)} notebook(s) carry the LMS's late marker, but no "
                "late-submission policy is set (an nbgrader_config.py with "
                "c.LateSubmissionPlugin.penalty_method or c.AssignLatePenalties."
                "plugin_class): they are marked late in the CSVs and the summary, with no "
                "penalty"]
    return []


def _execute(plan, course, recorder, report, limits, workers, unsandboxed, cluster,
             progress):
    """Grade the pending notebooks and record each as it finishes; what finished before
    an interruption is kept."""
    bar = tqdm(total=len(plan.todo), initial=len(plan.todo) - len(plan.pending),
               unit="notebook", disable=not progress, desc="grading", file=sys.stderr)
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
                job, key = futures.pop(future)  # recorded: a worker may free its result
                try:
                    result = future.result()
                except Exception as error:  # a grader bug must not cost the rest of the class
                    result = problem_result(
                        course, job, Status.CRASHED,
                        f"the grader failed on this notebook ({type(error).__name__}: {error})",
                        key=key, grader_failure=True)
                result.force = plan.force
                apply_lateness(result, job, plan.lateness, plan.policy)
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
