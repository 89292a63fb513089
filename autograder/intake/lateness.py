"""Late submissions, judged as `nbgrader autograde` judges them.

Due dates are nbgrader's: kept in the course's gradebook (`Assignment.duedate`,
set with `nbgrader db assignment add NAME --duedate="2026-03-01 17:00 UTC"` or
in the formgrader), with per-student extensions (`SubmittedAssignment.extension`).
They are read, never written, from the gradebook that the course's
`nbgrader_config.py` names: `c.CourseDirectory.db_url`, by default
`gradebook.db` in `c.CourseDirectory.root`, which is the config's own folder
unless set (nbgrader runs in the course folder). No config, or no gradebook:
no due dates.

The penalty is nbgrader's `AssignLatePenalties` preprocessor with its plugin,
configured in the same file as for `nbgrader autograde`:

- `c.LateSubmissionPlugin.penalty_method = 'none'` (the default) or `'zero'`
  (a late notebook scores nothing);
- `c.AssignLatePenalties.plugin_class = 'late.SubMarks'`, a plugin module kept
  beside the config, such as nbgrader's documented example that subtracts a
  point per hour late.

The plugin is called only for a late notebook, and its penalty is clamped to
`0 .. score` by nbgrader's own check.

How late: the seconds from the due date (plus the student's extension) to the
submission time; 0 when on time, or when the due date or the time is unknown,
as in nbgrader. When both are known the time decides. An LMS late marker
without a time (Canvas's `late_`) counts as **one second late**: late enough
for `zero`, and the least that any time-based plugin charges, so a student is
never penalised for more lateness than the LMS shows.
"""

import logging
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ..errors import InstructorError
from .nbgrader_config import importable_beside, read_config

MARKED_LATE_SECONDS = 1.0
NO_EXTENSION = timedelta(0)


def _quiet_log():
    # nbgrader's plugin logs every call and warns on each clamp: the penalty is in the CSVs.
    log = logging.getLogger("autograder.lateness")
    log.setLevel(logging.ERROR)
    return log


def _aware(moment):
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None \
        else moment


@dataclass
class Policy:
    due: dict = field(default_factory=dict)  # assignment -> due date, aware UTC
    extensions: dict = field(default_factory=dict)  # (assignment, student) -> timedelta
    assigner: Any = None  # nbgrader's AssignLatePenalties, its plugin initialised

    @classmethod
    def load(cls, config=None):
        """The policy of an nbgrader_config.py (a path, or None for nbgrader's defaults:
        no due dates, and the `none` penalty, so nbgrader need not even be loaded)."""
        if not config:
            return cls()
        from nbgrader.preprocessors import AssignLatePenalties
        from traitlets import TraitError

        config = Path(config)
        settings = read_config(config)
        try:
            with importable_beside(config):
                assigner = AssignLatePenalties(config=settings, log=_quiet_log())
                assigner.init_plugin()
        except (TraitError, ImportError) as error:
            raise InstructorError(f"the late-submission settings in {config} are not "
                                  f"nbgrader's: {error}") from error
        due, extensions = _read_gradebook(config, settings)
        return cls(due, extensions, assigner)

    def due_dates(self):
        """assignment -> due date (aware UTC), for the results' gradebook."""
        return dict(self.due)

    def late_seconds(self, assignment, submitted_at, late=None, student=""):
        due = self.due.get(assignment)
        if due is not None and submitted_at is not None:
            due += self.extensions.get((assignment, student)) or NO_EXTENSION
            return max(0.0, (_aware(submitted_at) - due).total_seconds())
        return MARKED_LATE_SECONDS if late else 0.0

    def penalty(self, assignment, submitted_at, score, late=None, student=""):
        """(seconds late, points off) for a notebook that scored `score` before the penalty."""
        seconds = self.late_seconds(assignment, submitted_at, late, student)
        if not seconds or self.assigner is None:
            return seconds, 0.0
        points = self.assigner.plugin_inst.late_submission_penalty(student, score, seconds)
        if points is None:
            return seconds, 0.0
        # nbgrader's clamp to 0..score (it reads only `.score` of the notebook).
        return seconds, float(self.assigner._check_late_penalty(SimpleNamespace(score=score),
                                                                 points))

    def penalty_for(self, job, score):
        """The penalty of a collected Job (autograder.collect.Job) that scored `score`."""
        return self.penalty(job.assignment, job.submitted_at, score, job.late, job.student)


def _read_gradebook(config, settings):
    """Due dates and extensions from the gradebook of the course whose config this is."""
    from nbgrader.api import Assignment, SubmittedAssignment
    from nbgrader.coursedir import CourseDirectory
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    coursedir = CourseDirectory(config=settings)
    configured = "db_url" in settings.get("CourseDirectory", {})
    if "root" not in settings.get("CourseDirectory", {}):
        coursedir.root = str(config.parent.resolve())
    url = coursedir.db_url
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.is_file():
            if configured:
                raise InstructorError(f"the gradebook {path} named in {config} does not exist")
            return {}, {}
        # Read-only: opening an sqlite file for writing would create or migrate it.
        url = f"sqlite:///file:{path}?mode=ro&uri=true"
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            due = {a.name: _aware(a.duedate) for a in session.query(Assignment)
                   if a.duedate is not None}
            extensions = {(s.assignment.name, s.student.id): s.extension
                          for s in session.query(SubmittedAssignment) if s.extension}
    except Exception as error:  # sqlalchemy's errors: a file that is not a gradebook
        raise InstructorError(f"the gradebook {url} could not be read: {error}") from error
    finally:
        engine.dispose()
    return due, extensions

