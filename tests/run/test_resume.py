"""Interrupt a grading run and start it again: no grade lost, none doubled."""

import signal
import sqlite3
import subprocess
import sys
import time

import nbformat
import pytest
from grading_helpers import ROOT, SOURCE

A = "01_recurrence"
pytestmark = pytest.mark.slow


def command(subs, out):
    return [sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out),
            "--quiet", "--jobs", "2"]


def make_class(root, students=12):
    nb = nbformat.read(SOURCE / A / f"{A}.ipynb", as_version=4)
    for k in range(students):
        (root / f"s{k:02d}" / A).mkdir(parents=True)
        nbformat.write(nb, root / f"s{k:02d}" / A / f"{A}.ipynb")


def test_interrupted_run_resumes(tmp_path):
    subs, out, clean = tmp_path / "subs", tmp_path / "out", tmp_path / "clean"
    make_class(subs)
    assert subprocess.run(command(subs, clean), cwd=ROOT, capture_output=True).returncode == 0
    run = subprocess.Popen(command(subs, out), cwd=ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((out / ".state").glob("*/*.json"))) < 3:
        time.sleep(0.05)
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130, err
    assert b"run the same command again" in err
    done_before = len(list((out / ".state").glob("*/*.json")))
    assert 3 <= done_before
    again = subprocess.run(command(subs, out), cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert (out / "grades.csv").read_text() == (clean / "grades.csv").read_text()
    with sqlite3.connect(out / "gradebook.db") as db:
        assert db.execute("select count(*) from submitted_assignment").fetchone() == (12,)
        (total,) = db.execute("select sum(auto_score) from grade").fetchone()
    with sqlite3.connect(clean / "gradebook.db") as db:
        assert db.execute("select sum(auto_score) from grade").fetchone() == (total,)
