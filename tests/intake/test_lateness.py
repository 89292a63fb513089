"""Late penalties as nbgrader autograde gives them: due dates from the course's
gradebook, the plugin and its settings from nbgrader_config.py."""

import os
import shutil
import sys
import warnings
from datetime import UTC, datetime, timedelta

import pytest
from nbgrader.plugins import LateSubmissionPlugin

from autograder.errors import InstructorError
from autograder.intake.jobs import Job
from autograder.intake.lateness import Policy

DUE = datetime(2026, 3, 1, 17, tzinfo=UTC)
HOUR = timedelta(hours=1)

# nbgrader's documented example plugin ("subtract"): one point per hour late.
SUBTRACT = '''
from nbgrader.plugins import BasePlugin


class SubMarks(BasePlugin):
    def late_submission_penalty(self, student_id, score, total_seconds_late):
        return round(total_seconds_late / 3600, 0)
'''


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory):
    """A gradebook with a due date and one student's extension, made once (it is slow)."""
    from nbgrader.api import Gradebook

    path = tmp_path_factory.mktemp("gradebook") / "gradebook.db"
    with pytest.MonkeyPatch.context() as patch, warnings.catch_warnings():
        patch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
        warnings.simplefilter("ignore")  # nbgrader's own harmless SAWarnings
        with Gradebook(f"sqlite:///{path}") as book:
            book.update_or_create_assignment("01_recurrence", duedate="2026-03-01 17:00 UTC")
            book.update_or_create_assignment("02_bptt")
            book.add_student("10003")
            book.update_or_create_submission("01_recurrence", "10003", extension=2 * HOUR)
    return path


@pytest.fixture
def course(tmp_path, gradebook):
    shutil.copyfile(gradebook, tmp_path / "gradebook.db")
    return tmp_path


def policy(course, *lines):
    (course / "nbgrader_config.py").write_text("\n".join(["c = get_config()", *lines]))
    return Policy.load(course / "nbgrader_config.py")


def test_due_dates_and_extensions_from_the_gradebook(course):
    rules = policy(course)
    assert rules.due_dates() == {"01_recurrence": DUE}
    assert rules.late_seconds("01_recurrence", DUE + HOUR, student="10002") == 3600
    assert rules.late_seconds("01_recurrence", DUE + HOUR, student="10003") == 0
    assert rules.late_seconds("01_recurrence", DUE - HOUR) == 0
    assert rules.late_seconds("02_bptt", DUE + HOUR) == 0  # no due date: never late
    assert rules.late_seconds("01_recurrence", None) == 0  # no time: not late
    assert rules.late_seconds("01_recurrence", None, late=True) == 1  # the LMS says late
    assert rules.late_seconds("02_bptt", None, late=True) == 1
    assert rules.late_seconds("01_recurrence", DUE - HOUR, late=True) == 0  # time decides
    (course / "gradebook.db").rename(course / "other.db")
    assert policy(course).due_dates() == {}  # nbgrader's default gradebook is absent
    moved = policy(course, f"c.CourseDirectory.db_url = 'sqlite:///{course / 'other.db'}'")
    assert moved.due_dates() == {"01_recurrence": DUE}


@pytest.mark.parametrize("method", ["none", "zero"])
def test_predefined_methods_equal_nbgrader_plugin(course, method):
    rules = policy(course, f"c.LateSubmissionPlugin.penalty_method = '{method}'")
    plugin = LateSubmissionPlugin(penalty_method=method)
    for submitted, late in ((DUE + 3 * HOUR, None), (None, True)):
        seconds, points = rules.penalty("01_recurrence", submitted, 12.0, late, "10002")
        assert points == (plugin.late_submission_penalty("10002", 12.0, seconds) or 0.0)
        assert points == (12.0 if method == "zero" else 0.0)
    assert rules.penalty("01_recurrence", DUE - HOUR, 12.0) == (0.0, 0.0)


def test_subtract_plugin_beside_the_config(course):
    (course / "late_sub_marks.py").write_text(SUBTRACT)
    rules = policy(course, "c.AssignLatePenalties.plugin_class = 'late_sub_marks.SubMarks'")
    assert rules.penalty("01_recurrence", DUE + 3 * HOUR, 12.0) == (3 * 3600, 3.0)
    # nbgrader's clamp: never more than the score
    assert rules.penalty("01_recurrence", DUE + 30 * HOUR, 12.0) == (30 * 3600, 12.0)
    # late by the LMS's word, time unknown: one second, which rounds to no hour
    assert rules.penalty("01_recurrence", None, 12.0, late=True) == (1.0, 0.0)
    job = Job("10003", "01_recurrence", submitted_at=DUE + 3 * HOUR)  # 2 h extension
    assert rules.penalty_for(job, 12.0) == (3600, 1.0)


def test_no_config_is_nbgrader_default():
    rules = Policy.load(None)
    assert rules.due_dates() == {}
    assert rules.penalty("01_recurrence", DUE, 12.0, late=True) == (1.0, 0.0)


def test_instructor_mistakes(course):
    with pytest.raises(InstructorError, match="not nbgrader's"):
        policy(course, "c.LateSubmissionPlugin.penalty_method = 'subtract'")
    with pytest.raises(InstructorError, match="not nbgrader's"):
        policy(course, "c.AssignLatePenalties.plugin_class = 'no_such_module.Plugin'")
    with pytest.raises(InstructorError, match="does not exist"):
        policy(course, f"c.CourseDirectory.db_url = 'sqlite:///{course / 'missing.db'}'")
    with pytest.raises(InstructorError, match="does not exist"):
        Policy.load(course / "nope.py")
