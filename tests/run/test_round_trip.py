"""An instructor's round trip over two runs: Canvas uploads, a resubmission, a withdrawn
student, a regrade of one student; and no sandbox, no grading. (That totals add up is
outputs/test_totals.py's.)"""

import csv
import os
import sqlite3
import sys
from pathlib import Path

import nbformat
import pytest
from grading_helpers import EXERCISES, answer_source, grade_cli, source_notebook, with_answer

pytestmark = pytest.mark.slow
A = "01_recurrence"


def _rows(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def _scores(out):
    scores = {}
    for row in _rows(out / "grades.csv"):
        scores[row["student"]] = scores.get(row["student"], 0.0) + float(row["score"])
    return scores


def _states(out):
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns
            for p in (out / ".state").glob("*/*.json")}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("round-trip")
    uploads, out = root / "uploads", root / "results"
    uploads.mkdir()
    correct = source_notebook(A)
    blank = nbformat.read(EXERCISES / f"{A}.ipynb", as_version=4)
    wrong = with_answer(correct, "softmax", answer_source(correct, "softmax").replace(
        "axis=-1, keepdims", "axis=0, keepdims"))
    # Canvas names: name_userid_fileid_original; two students share a surname.
    nbformat.write(correct, uploads / f"smith_10002_501_{A}.ipynb")
    nbformat.write(blank, uploads / f"smith_10003_502_{A}.ipynb")
    nbformat.write(correct, uploads / f"jones_10004_503_{A}.ipynb")
    first = grade_cli(uploads, "--out", out, "--jobs", "2")
    assert first.returncode == 0, first.stderr
    after_first = {"scores": _scores(out), "states": _states(out),
                   "totals": _rows(out / "totals.csv")}
    # Second run: 10002 resubmits a wrong softmax (-1), 10004 withdrew.
    nbformat.write(wrong, uploads / f"smith_10002_504_{A}-1.ipynb")
    (uploads / f"jones_10004_503_{A}.ipynb").unlink()
    second = grade_cli(uploads, "--out", out, "--jobs", "2")
    assert second.returncode == 0, second.stderr
    return {"out": out, "uploads": uploads, "first": after_first, "second": second}


def test_students_are_canvas_ids_never_surnames(two_runs):
    assert set(two_runs["first"]["scores"]) == {"10002", "10003", "10004"}
    labels = {row["student"]: row["label"] for row in two_runs["first"]["totals"]}
    assert labels["10002"] == labels["10003"] != labels["10004"]


def test_the_resubmission_counts_and_the_others_are_not_graded_again(two_runs):
    out, first = two_runs["out"], two_runs["first"]
    scores = _scores(out)
    assert scores["10002"] < first["scores"]["10002"]  # the later, wrong attempt counts
    assert scores["10003"] == first["scores"]["10003"] == 0
    states = _states(out)
    assert states[f".state/10003/{A}.json"] == first["states"][f".state/10003/{A}.json"]
    assert states[f".state/10002/{A}.json"] != first["states"][f".state/10002/{A}.json"]


def test_a_withdrawn_student_leaves_every_output(two_runs):
    out = two_runs["out"]
    assert "10004" not in _scores(out)
    assert "10004" not in {row["student"] for row in _rows(out / "totals.csv")}
    assert "10004" not in (out / "summary.md").read_text()
    db = sqlite3.connect(out / "gradebook.db")
    assert db.execute("select count(*) from student where id = '10004'").fetchone() == (0,)
    assert "2 students" in (out / "summary.md").read_text()


def test_regrading_one_student_touches_no_one_else(two_runs):
    out = two_runs["out"]
    before = _states(out)
    run = grade_cli(two_runs["uploads"], "--out", out, "--student", "10003", "--force")
    assert run.returncode == 0, run.stderr
    after = _states(out)
    assert after[f".state/10003/{A}.json"] != before[f".state/10003/{A}.json"]
    assert after[f".state/10002/{A}.json"] == before[f".state/10002/{A}.json"]
    unknown = grade_cli(two_runs["uploads"], "--out", out, "--student", "nobody")
    assert unknown.returncode == 2 and "nobody" in unknown.stderr


def test_no_sandbox_no_grading_unless_the_instructor_accepts_it(two_runs, tmp_path):
    # A bubblewrap that cannot make a sandbox, as where user namespaces are disabled (this
    # environment's own bin/ keeps nbgrader's alembic).
    fake = tmp_path / "bin" / "bwrap"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\n"
                    "exit 1\n")
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{fake.parent}:{Path(sys.executable).parent}"}
    refused = grade_cli(two_runs["uploads"], "--out", tmp_path / "out", env=env)
    assert refused.returncode == 2
    assert "bubblewrap" in refused.stderr and "--unsandboxed" in refused.stderr
    assert not (tmp_path / "out" / "grades.csv").exists()
    accepted = grade_cli(two_runs["uploads"], "--out", tmp_path / "out", "--unsandboxed",
                         env=env)
    assert accepted.returncode == 0, accepted.stderr
    assert "no sandbox" in accepted.stdout
    assert _scores(tmp_path / "out") == _scores(two_runs["out"])
