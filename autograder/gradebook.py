"""RESULTS/gradebook.db: nbgrader's own gradebook, written through nbgrader's API.

nbgrader itself registers the assignments, notebooks and grade cells (its
`generate_assignment`), only when the source notebooks changed; scores,
submission times and late penalties are then recorded per submission, so
`nbgrader export`, `formgrader` and `release_feedback` read them as theirs.
"""

import shutil
import tempfile
import warnings
from datetime import UTC
from pathlib import Path

from .nbgrader_setup import alembic_on_path, nbgrader_api


class GradebookWriter:
    def __init__(self, out, course, state):
        self.path = Path(out) / "gradebook.db"
        self.course = course
        alembic_on_path()
        warnings.filterwarnings("ignore", module="nbgrader.api")  # its harmless SAWarnings
        meta = state.read_meta()
        if meta.get("gradebook") != course.fingerprint or not self.path.is_file():
            self._register()
            state.write_meta({**meta, "gradebook": course.fingerprint})
        from nbgrader.api import Gradebook

        self.gradebook = Gradebook(f"sqlite:///{self.path}")

    def _register(self):
        with tempfile.TemporaryDirectory(prefix="rnn-gradebook-") as tmp:
            shutil.copytree(self.course.source_dir, Path(tmp) / "source")
            api = nbgrader_api(tmp, db_path=self.path.resolve())
            for name in self.course.assignments:
                result = api.generate_assignment(name, force=True, create=True)
                if not result["success"]:
                    raise RuntimeError(result.get("error") or result.get("log"))

    def set_due_dates(self, due_dates):
        for name, due in due_dates.items():
            if name in self.course.assignments:
                due = due.astimezone(UTC).replace(tzinfo=None) if due.tzinfo else due
                self.gradebook.update_or_create_assignment(name, duedate=due)

    def record(self, result, submitted_at=None):
        if submitted_at is not None:  # nbgrader keeps naive UTC
            submitted_at = submitted_at.astimezone(UTC).replace(tzinfo=None)
        gb = self.gradebook
        gb.update_or_create_student(result.student, first_name=result.label or None)
        submission = gb.update_or_create_submission(result.assignment, result.student,
                                                    timestamp=submitted_at)
        source = self.course.assignments[result.assignment]
        for gid in source.tests:
            grade = gb.find_grade(gid, result.assignment, result.assignment, result.student)
            grade.auto_score = float(result.cell_scores.get(gid, (0.0, 0.0))[0])
            grade.needs_manual_grade = grade.manual_score is not None
        for notebook in submission.notebooks:
            notebook.late_submission_penalty = result.late_penalty or None
        gb.db.commit()

    def remove(self, student, assignment=None):
        """A student or notebook that is no longer among the submissions."""
        from nbgrader.api import MissingEntry

        try:
            if assignment is None:
                self.gradebook.remove_student(student)
            else:
                self.gradebook.remove_submission(assignment, student)
        except MissingEntry:
            pass

    def students(self):
        return {s.id for s in self.gradebook.students}

    def close(self):
        self.gradebook.close()
