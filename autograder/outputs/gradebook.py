"""RESULTS/gradebook.db: nbgrader's own gradebook, written through nbgrader's API.

nbgrader's own preprocessors register the assignments, notebooks and cells
as its `generate_assignment` does, only when the source notebooks changed; scores,
submission times and late penalties are then recorded per submission, so
`nbgrader export`, `formgrader` and `release_feedback` read them as theirs.
"""

import copy
import os
import sys
import warnings
from datetime import UTC
from pathlib import Path

from ..contract import ANSWER_STUB


def alembic_on_path():
    """nbgrader checks its gradebook's schema by running `alembic`, found on PATH."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


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
        """What `nbgrader generate_assignment` records, with nbgrader's own preprocessors
        (the ones it runs up to SaveCells), without writing a release."""
        from nbgrader.api import Gradebook
        from nbgrader.preprocessors import (
            CheckCellMetadata,
            ClearOutput,
            ClearSolutions,
            ComputeChecksums,
            LockCells,
            SaveCells,
        )
        from traitlets.config import Config

        config = Config()
        config.ClearSolutions.code_stub = {"python": ANSWER_STUB}
        url = f"sqlite:///{self.path}"
        with Gradebook(url) as gb:
            for name in self.course.assignments:
                gb.update_or_create_assignment(name)
        for name in self.course.assignments:
            # The stages edit the notebook: they get a copy of the one the course loaded.
            nb = copy.deepcopy(self.course.assignments[name].notebook)
            resources = {"nbgrader": {"assignment": name, "notebook": name, "db_url": url}}
            for stage in (LockCells, ClearSolutions, ClearOutput, CheckCellMetadata,
                          ComputeChecksums, SaveCells):
                nb, resources = stage(config=config).preprocess(nb, resources)

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
        tests = self.course.assignments[result.assignment].tests
        for notebook in submission.notebooks:  # one per assignment in this course
            for grade in notebook.grades:
                if grade.name in tests:
                    grade.auto_score = float(result.cell_scores.get(grade.name, (0.0, 0.0))[0])
                    grade.needs_manual_grade = grade.manual_score is not None
            notebook.late_submission_penalty = result.late_penalty or None

    def commit(self):
        self.gradebook.db.commit()

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
