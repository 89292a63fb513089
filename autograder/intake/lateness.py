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
from .nbgrader_config import course_gradebook, importable_beside, read_config

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
    def load(cls, config=None, course=None):
        """The policy of an nbgrader_config.py (a path, or None for nbgrader's defaults:
        no due dates, and the `none` penalty), with the due dates of the gradebook of the
        course it belongs to (`course`: the course root, where there is one)."""
        if not config and not course:
            return cls()
        from nbgrader.preprocessors import AssignLatePenalties
        from traitlets import TraitError
        from traitlets.config import Config

        config = Path(config) if config else None
        settings = read_config(config) if config else Config()
        try:
            with importable_beside(config):
                assigner = AssignLatePenalties(config=settings, log=_quiet_log())
                assigner.init_plugin()
        except (TraitError, ImportError) as error:
            raise InstructorError(f"the late-submission settings in {config} are not "
                                  f"nbgrader's: {error}") from error
        path = course_gradebook(course, config, settings)
        configured = "db_url" in settings.get("CourseDirectory", {})
        if path is not None and not path.is_file() and configured:
            raise InstructorError(f"the gradebook {path} named in {config} does not exist")
        due, extensions = _read_gradebook(path) if path and path.is_file() else ({}, {})
        return cls(due, extensions, assigner if config else None)

    def due_dates(self):
        """assignment -> due date (aware UTC), for the results' gradebook."""
        return dict(self.due)

    def seconds_late(self, assignment, submitted_at, student=""):
        """Seconds from the due date (plus the student's extension) to the submission
        time, 0 when on time; None unless both are known."""
        due = self.due.get(assignment)
        if due is None or submitted_at is None:
            return None
        due += self.extensions.get((assignment, student)) or NO_EXTENSION
        return max(0.0, (_aware(submitted_at) - due).total_seconds())

    def late_seconds(self, assignment, submitted_at, late=None, student=""):
        """How late, as the penalty plugin is told: the seconds when known, else one second
        for an LMS's late marker (see the module's docstring), else 0."""
        seconds = self.seconds_late(assignment, submitted_at, student)
        if seconds is not None:
            return seconds
        return MARKED_LATE_SECONDS if late else 0.0

    def tag(self, config):
        """The late-submission settings, in words: a result's penalty is computed anew
        (never its notebook run again) when they change."""
        stamp = f"{config}:{Path(config).stat().st_mtime_ns}" if config else ""
        extensions = sorted((a, s, str(d)) for (a, s), d in self.extensions.items())
        return stamp + repr(sorted(self.due.items())) + repr(extensions)

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


def _read_gradebook(path):
    """Due dates and extensions from a course's gradebook, read without writing to it."""
    from nbgrader.api import Assignment, SubmittedAssignment
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

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
        raise InstructorError(f"the gradebook {path} could not be read: {error}") from error
    finally:
        engine.dispose()
    return due, extensions
