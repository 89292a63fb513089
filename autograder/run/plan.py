"""What a run must do: the notebooks found, those already graded, those withdrawn.

A notebook is graded again only when what its result depends on changed
(its bytes, its submission time, the course, the late policy) or when
`--force` asks; a result whose notebook is no longer among the submissions
(in the scope asked for) is withdrawn from every output.
"""

from dataclasses import dataclass
from pathlib import Path

from ..errors import InstructorError
from ..grading.course import Course
from ..intake.collect import collect
from ..intake.jobs import Collection, Job
from ..intake.lateness import Policy
from ..outputs.state import StateStore


@dataclass
class Plan:
    collection: Collection
    lateness: Policy
    todo: list[Job]  # in scope
    pending: list[tuple[Job, str]]  # (job, key) to grade now
    withdrawn: list[tuple[str, str]]  # (student, assignment) to forget

    @classmethod
    def make(cls, course: Course, submissions, out: Path, state: StateStore,
             assignments=None, students=None, force=False, nbgrader_config=None) -> "Plan":
        collection = collect(submissions, list(course.assignments), out / ".collected",
                             assignments, config=nbgrader_config)
        lateness = Policy.load(collection.config)
        todo = _select(collection, students)
        stored = {(r.student, r.assignment): r.key for r in state.all()}  # read once
        scope = list(assignments or course.assignments)
        policy = _policy_tag(collection.config, lateness)
        keyed = [(job, StateStore.key(course.fingerprint, job, policy)) for job in todo]
        pending = [(job, key) for job, key in keyed
                   if force or stored.get((job.student, job.assignment)) != key]
        return cls(collection, lateness, todo, pending,
                   _withdrawn(stored, todo, students, scope))


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
