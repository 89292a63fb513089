"""Feedback goes back through stock nbgrader: release, fetch, submit, collect, our grader,
then `nbgrader release_feedback` and the student's `nbgrader fetch_feedback`."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from grading_helpers import grade_cli

from autograder.grading.course import SOURCE

pytestmark = pytest.mark.slow
A = "01_recurrence"


def nbgrader(*args, cwd):
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
    run = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    return run


def test_release_feedback_and_fetch_feedback_read_our_results(tmp_path):
    exchange, course, student = tmp_path / "exchange", tmp_path / "course", tmp_path / "home"
    exchange.mkdir()
    exchange.chmod(0o777)
    student.mkdir()
    shutil.copytree(SOURCE, course / "source")
    common = [f"--Exchange.root={exchange}", "--CourseDirectory.course_id=rnn"]
    nbgrader("generate_assignment", A, f"--CourseDirectory.root={course}", cwd=course)
    nbgrader("release_assignment", A, f"--CourseDirectory.root={course}", *common, cwd=course)
    nbgrader("fetch_assignment", A, *common, cwd=student)
    # The student answers everything (the source notebook holds the reference answers).
    shutil.copyfile(SOURCE / A / f"{A}.ipynb", student / A / f"{A}.ipynb")
    nbgrader("submit", A, *common, cwd=student)
    nbgrader("collect", A, f"--CourseDirectory.root={course}", *common, cwd=course)
    results = tmp_path / "results"
    run = grade_cli(course, "--out", results)  # the course root: its submitted/ is graded
    assert run.returncode == 0, run.stderr
    (folder,) = (results / "feedback").glob(f"*/{A}")
    submitted = course / "submitted" / folder.parent.name / A
    for name in ("timestamp.txt", "submission_secret.txt"):
        assert (folder / name).read_text() == (submitted / name).read_text()
    nbgrader("release_feedback", A, f"--CourseDirectory.root={results}", *common,
             cwd=results)
    nbgrader("fetch_feedback", A, *common, cwd=student)
    (page,) = (student / A / "feedback").glob(f"*/{A}.html")
    html = page.read_text()
    assert html == (folder / f"{A}.html").read_text()
    assert "BEGIN HIDDEN" not in html and "Score" in html
