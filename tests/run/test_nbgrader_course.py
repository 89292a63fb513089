"""An nbgrader course is home: graded in place, never clobbered, stopped and started cleanly.

Each course here is made with nbgrader's own commands (generate_assignment, `db
student add` with names and emails, a due date and an extension in its
gradebook), and its submitted/ folder filled as `nbgrader collect` leaves it.
"""

import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from grading_helpers import EXERCISES, ROOT, SOURCE, grade_cli, source_notebook

pytestmark = pytest.mark.slow
A = "01_recurrence"
ROSTER = {"ann": ("Ann", "Ada", "ann@uni.example"), "ben": ("Ben", "Bo", "ben@uni.example"),
          "cy": ("Cy", "Cole", "cy@uni.example")}
BINDIR = str(Path(sys.executable).parent)
ENV = {**os.environ, "PATH": BINDIR + os.pathsep + os.environ.get("PATH", "")}


def nbgrader(*args, cwd):
    run = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=ENV,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    return run


def make_course(root, students=("ann", "ben"), late=("ben",)):
    """An nbgrader course with a roster, A released and due, and students' submissions."""
    root.mkdir(parents=True)
    shutil.copytree(SOURCE / A, root / "source" / A)
    (root / "nbgrader_config.py").write_text("c = get_config()\n")
    nbgrader("generate_assignment", A, "--force", cwd=root)
    nbgrader("db", "assignment", "add", A, "--duedate=2026-03-01 17:00:00 UTC", cwd=root)
    for student, (first, last, email) in ROSTER.items():
        nbgrader("db", "student", "add", student, f"--first-name={first}",
                 f"--last-name={last}", f"--email={email}", cwd=root)
    for student in students:
        folder = root / "submitted" / student / A
        folder.mkdir(parents=True)
        nbformat.write(source_notebook(A), folder / f"{A}.ipynb")
        when = "2026-03-01 18:00:00.000000 UTC" if student in late \
            else "2026-03-01 16:00:00.000000 UTC"
        (folder / "timestamp.txt").write_text(when)
    return root


def roster(gradebook):
    with sqlite3.connect(gradebook) as db:
        return {row[0]: row[1:] for row in db.execute(
            "select id, first_name, last_name, email from student")}


def assignments(gradebook):
    with sqlite3.connect(gradebook) as db:
        return {row[0] for row in db.execute("select name from assignment")}


def rows(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = make_course(tmp_path_factory.mktemp("course") / "rnn")
    before = roster(root / "gradebook.db")
    run = grade_cli(root)
    return {"root": root, "run": run, "roster": before}


def test_a_course_is_graded_in_place(course):
    root, run = course["root"], course["run"]
    assert run.returncode == 0, run.stderr
    assert f"recorded into the nbgrader course {root}" in run.stdout
    assert roster(root / "gradebook.db") == course["roster"]  # names and emails kept
    assert assignments(root / "gradebook.db") == {A}  # none that was never set
    for student in ("ann", "ben"):
        graded = root / "autograded" / student / A / f"{A}.ipynb"
        scores = [c.metadata["nbgrader"].get("score") for c in
                  nbformat.read(graded, as_version=4).cells
                  if c.metadata.get("nbgrader", {}).get("grade")]
        assert scores and all(s is not None for s in scores)
        assert (root / "autograded" / student / A / "timestamp.txt").is_file()
        assert (root / "feedback" / student / A / f"{A}.html").is_file()
    extras = root / "autograder_results"
    assert {r["student"] for r in rows(extras / "grades.csv")} == {"ann", "ben"}


def test_nbgrader_export_and_formgrader_read_the_course(course, tmp_path):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    root = course["root"]
    exported = tmp_path / "export.csv"
    nbgrader("export", f"--CsvExportPlugin.to={exported}", cwd=root)
    got = {r["student_id"]: r for r in rows(exported)}
    assert set(got) == set(ROSTER)  # the roster, cy without a submission
    assert {r["assignment"] for r in got.values()} == {A}
    assert got["ann"]["first_name"] == "Ann" and got["ann"]["email"] == "ann@uni.example"
    assert float(got["ann"]["raw_score"]) == 18 and float(got["cy"]["raw_score"]) == 0
    config = Config()
    config.CourseDirectory.root = str(root)
    os.environ["PATH"] = ENV["PATH"]
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    submissions = {s["student"]: s for s in api.get_submissions(A)}
    assert submissions["ann"]["autograded"] and submissions["ann"]["score"] == 18
    assert submissions["ben"]["autograded"]


def test_a_gradebook_the_command_did_not_write_is_refused_then_kept(tmp_path):
    root = make_course(tmp_path / "rnn")
    before, names = (root / "gradebook.db").read_bytes(), roster(root / "gradebook.db")
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    nbformat.write(source_notebook(A), uploads / f"ann_10002_9001_{A}.ipynb")
    refused = grade_cli(uploads, "--out", root)
    assert refused.returncode == 2 and "did not write" in refused.stderr
    assert (root / "gradebook.db").read_bytes() == before
    assert not (root / ".state").exists() and not (root / ".collected").exists()
    kept = grade_cli(uploads, "--out", root, "--into-gradebook")
    assert kept.returncode == 0, kept.stderr
    after = roster(root / "gradebook.db")
    assert {s: after[s] for s in ROSTER} == names and "10002" in after


@pytest.mark.parametrize("folder", ["source", "release", "results"])
def test_what_is_not_submissions_is_refused_by_name(tmp_path, folder):
    root = tmp_path / "rnn"
    (root / "source" / A).mkdir(parents=True)
    shutil.copyfile(SOURCE / A / f"{A}.ipynb", root / "source" / A / f"{A}.ipynb")
    (root / "release" / A).mkdir(parents=True)
    shutil.copyfile(EXERCISES / f"{A}.ipynb", root / "release" / A / f"{A}.ipynb")
    (root / "nbgrader_config.py").write_text("c = get_config()\n")
    (root / "results" / ".state").mkdir(parents=True)
    (root / "results" / "grades.csv").write_text("student\n")
    run = grade_cli(root / folder, "--out", tmp_path / "out")
    assert run.returncode == 2 and str(root / folder) in run.stderr, run.stderr
    assert ("results folder" in run.stderr) == (folder == "results")
    assert not (tmp_path / "out" / "gradebook.db").exists()


def test_typos_and_prefixes_are_the_grade_commands_errors(tmp_path):
    for flag in ("--stud", "--studnet"):
        run = grade_cli(tmp_path, flag, "ann")
        assert run.returncode == 2 and "usage: python -m autograder grade" in run.stderr
        assert f"unrecognized arguments: {flag}" in run.stderr


def class_of(root, students=8):
    for k in range(students):
        folder = root / f"s{k:02d}" / A
        folder.mkdir(parents=True)
        nbformat.write(source_notebook(A), folder / f"{A}.ipynb")
    return root


def command(subs, out, *extra):
    return [sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out),
            "--quiet", "--jobs", "2", *extra]


def interrupt_after(argv, seconds):
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    time.sleep(seconds)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    return process.returncode, stdout, stderr


def graded_scores(out):
    return sorted((r["student"], r["item"], r["score"]) for r in rows(out / "grades.csv"))


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory):
    """A class of 8 and its scores when nothing interrupts the command."""
    root = tmp_path_factory.mktemp("class")
    subs, out = class_of(root / "subs"), root / "out"
    subprocess.run(command(subs, out), cwd=ROOT, capture_output=True, check=True, timeout=600)
    return subs, graded_scores(out)


@pytest.mark.parametrize("seconds", [0.5, 4.0, 8.0])
def test_ctrl_c_at_any_moment_ends_with_one_line_and_a_rerun_finishes(clean_run, tmp_path,
                                                                       seconds):
    subs, clean = clean_run
    out = tmp_path / "out"
    code, stdout, stderr = interrupt_after(command(subs, out), seconds)
    assert "Traceback" not in stderr and "Traceback" not in stdout
    if code == 130:
        assert stderr.strip().splitlines()[-1].startswith("interrupted:"), stderr
        assert len(stderr.strip().splitlines()) == 1, stderr
    else:
        assert code == 0, stderr  # it had finished
    again = subprocess.run(command(subs, out), cwd=ROOT, capture_output=True, text=True,
                           timeout=600)
    assert again.returncode == 0, again.stderr
    assert graded_scores(out) == clean
    with sqlite3.connect(out / "gradebook.db") as db:
        (count,) = db.execute("select count(*) from submitted_assignment").fetchone()
    assert count == 8


def forced_under(out):
    """How many stored results the unfinished --force run has graded (its token)."""
    meta = json.loads((out / ".state" / ".course.json").read_text())
    token = meta.get("force", {}).get("token")
    return sum(json.loads(p.read_text()).get("force") == token
               for p in (out / ".state").glob("*/*.json"))


def test_an_interrupted_force_run_finishes_only_what_was_left(tmp_path):
    subs, out = class_of(tmp_path / "subs"), tmp_path / "out"
    subprocess.run(command(subs, out), cwd=ROOT, capture_output=True, check=True, timeout=600)
    # A graded notebook is written the moment its result comes back: then interrupt.
    graded = sorted((out / "autograded").glob(f"*/{A}/{A}.ipynb"))
    first = {p: p.stat().st_mtime_ns for p in graded}
    process = subprocess.Popen(command(subs, out, "--force"), cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and all(p.stat().st_mtime_ns == first[p]
                                               for p in graded):
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=120)
    done = forced_under(out)
    assert 0 < done < len(graded), "interrupted neither too early nor too late"
    again = subprocess.run(command(subs, out, "--force"), cwd=ROOT, capture_output=True,
                           text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert f"graded {len(graded) - done} notebooks" in again.stdout, again.stdout
    third = subprocess.run(command(subs, out, "--force"), cwd=ROOT, capture_output=True,
                           text=True, timeout=600)
    assert f"graded {len(graded)} notebooks" in third.stdout  # a new --force: all again


def test_a_changed_late_policy_runs_no_notebook(tmp_path):
    root = make_course(tmp_path / "rnn")
    first = grade_cli(root)
    assert first.returncode == 0, first.stderr
    extras = root / "autograder_results"
    assert {r["late"] for r in rows(extras / "grades.csv") if r["student"] == "ben"} == {"yes"}
    assert {r["late_penalty"] for r in rows(extras / "grades.csv")} == {""}
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\nc.LateSubmissionPlugin.penalty_method = 'zero'\n")
    second = grade_cli(root)
    assert second.returncode == 0, second.stderr
    assert "graded 0 notebooks, 2 late penalties computed anew" in second.stdout
    assert "sandbox:" not in second.stdout  # no notebook ran
    penalties = {r["student"]: r["late_penalty"] for r in rows(extras / "grades.csv")}
    assert penalties == {"ann": "", "ben": "18"}
    page = (root / "feedback" / "ben" / A / f"{A}.html").read_text()
    assert "Late submission penalty" in page


def test_the_lms_late_marker_is_visible_without_a_policy(tmp_path):
    uploads, out = tmp_path / "uploads", tmp_path / "out"
    uploads.mkdir()
    nbformat.write(source_notebook(A), uploads / f"ann_late_10002_9001_{A}.ipynb")
    nbformat.write(source_notebook(A), uploads / f"ben_10003_9002_{A}.ipynb")
    run = grade_cli(uploads, "--out", out)
    assert run.returncode == 0, run.stderr
    assert "late marker, but no late-submission policy" in run.stdout
    late = {r["student"]: (r["late"], r["seconds_late"]) for r in rows(out / "grades.csv")}
    assert late == {"10002": ("yes", ""), "10003": ("", "")}
    totals = {r["student"]: r[f"{A}_late"] for r in rows(out / "totals.csv")}
    assert totals == {"10002": "yes", "10003": ""}
    summary = (out / "summary.md").read_text()
    assert "## Late notebooks" in summary and "| 10002 | 01_recurrence |" in summary


def stock_autograde(root):
    nbgrader("autograde", A, "--force", cwd=root)
    with sqlite3.connect(root / "gradebook.db") as db:
        return db.execute("select sum(auto_score) from grade").fetchone()[0]


def test_stock_nbgrader_grades_only_where_the_package_is_importable(tmp_path):
    """The instructors' page says so: hidden tests import autograder.grading.hidden_tests."""
    root = make_course(tmp_path / "rnn", students=("ann",), late=())
    assert stock_autograde(root) == 18
    # A kernel that cannot import the package, as a kernel of another environment.
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        r"""c.Execute.extra_arguments = ["--IPKernelApp.exec_lines=[\"import sys; """
        r"""sys.modules['autograder'] = None\"]"]""" "\n")
    assert stock_autograde(root) == 0
