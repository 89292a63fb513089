"""What a run must do: the notebooks found, those already graded, those withdrawn.

A notebook is run again only when what its result depends on changed (its
bytes, its submission time, the course), or when `--force` asks. A changed
late-submission policy (due dates, extensions, the penalty plugin) runs
nothing: the stored results get their penalties computed anew. A result
whose notebook is no longer among the submissions (in the scope asked for)
is withdrawn from every output.

`--force` regrades the notebooks in scope once: each result it records
carries the run's token, kept in the state until the run has finished, so
that the same command run again after an interruption grades only what was
left.
"""

import uuid
from dataclasses import dataclass, field

from ..errors import InstructorError
from ..grading.course import Course
from ..grading.results import NotebookResult
from ..intake.jobs import Collection, Job
from ..intake.lateness import Policy
from ..outputs.state import StateStore


@dataclass
class Plan:
    collection: Collection
    lateness: Policy
    policy: str  # the late-submission settings, in words (Policy.tag)
    todo: list[Job]  # in scope
    pending: list[tuple[Job, str]]  # (job, key) to grade now
    withdrawn: list[tuple[str, str]]  # (student, assignment) to forget
    repenalize: list[tuple[Job, NotebookResult]] = field(default_factory=list)
    force: str = ""  # the token of an unfinished --force run

    @classmethod
    def make(cls, course: Course, collection: Collection, state: StateStore,
             assignments=None, students=None, force=False) -> "Plan":
        lateness = Policy.load(collection.config, collection.course)
        policy = lateness.tag(collection.config)
        todo = _select(collection, students)
        stored = {(r.student, r.assignment): r for r in state.all()}  # read once
        scope = list(assignments or course.assignments)
        token = _force_token(state, students, scope) if force else ""
        pending, repenalize = [], []
        for job in todo:
            key = StateStore.key(course.fingerprint, job)
            result = stored.get((job.student, job.assignment))
            if result is None or result.key != key or (token and result.force != token):
                pending.append((job, key))
            elif result.late_policy != policy:
                repenalize.append((job, result))
        return cls(collection, lateness, policy, todo, pending,
                   _withdrawn(stored, todo, students, scope), repenalize, token)


def _force_token(state, students, scope):
    """The token of the --force run of this scope: the unfinished one's, else a new one."""
    meta = state.read_meta()
    wanted = {"students": sorted(students or []), "assignments": sorted(scope)}
    unfinished = meta.get("force")
    if isinstance(unfinished, dict) and unfinished.get("scope") == wanted:
        return unfinished["token"]
    token = uuid.uuid4().hex
    state.write_meta({**meta, "force": {"token": token, "scope": wanted}})
    return token


def force_done(state: StateStore) -> None:
    """The --force run has finished: its token leaves the state."""
    meta = state.read_meta()
    meta.pop("force", None)
    state.write_meta(meta)


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
