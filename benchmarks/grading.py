#!/usr/bin/env python3
"""Stock sequential `nbgrader autograde` vs `python -m autograder grade`, side by side.

Builds a class of STUDENTS x (one notebook per assignment) (a third correct, a third with one
wrong function, a third blank), grades it with both, checks that every
grade cell got the same score, and prints seconds per notebook and the ratio.

    .venv/bin/python benchmarks/grading.py [--students 100] [--jobs N] [--keep DIR]

The assignments are the course contract's (those with a source notebook);
the project is installed (editable) in the environment that runs this, so
nbgrader's kernels import the hidden-test module from it as well.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder.grading.course import SOURCE, Course
from autograder.outputs.gradebook import alembic_on_path
from solutions.build.release import generate

ROOT = Path(__file__).resolve().parent.parent
# The contract's assignments that have a source notebook, with their graded functions.
FUNCTIONS = {name: source.functions for name, source in Course.load().assignments.items()}
ASSIGNMENTS = sorted(FUNCTIONS)

WRONG = """

_right_{name} = {name}


def {name}(*args):
    # A wrong answer: right shape, values off by 1%.
    out = _right_{name}(*args)
    if isinstance(out, tuple):
        return (out[0] * 1.01,) + tuple(out[1:])
    return out * 1.01
"""


def build_class(course, students):
    release = course / "release_copies"
    release.mkdir(parents=True)
    generate(ASSIGNMENTS, SOURCE, release)
    shutil.copytree(SOURCE, course / "source")
    for i in range(students):
        student = f"s{i:03d}"
        for assignment in ASSIGNMENTS:
            source = nbformat.read(SOURCE / assignment / f"{assignment}.ipynb", 4)
            kind = i % 3
            if kind == 1:
                nb = nbformat.read(release / f"{assignment}.ipynb", 4)
            else:
                nb = source
                if kind == 2:
                    target = FUNCTIONS[assignment][i % len(FUNCTIONS[assignment])]
                    for cell in nb.cells:
                        if cell.metadata.get("nbgrader", {}).get("grade_id") == target:
                            cell.source += WRONG.format(name=target)
            folder = course / "submitted" / student / assignment
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{assignment}.ipynb")
    # Ours grades the same notebooks as a folder of their own: given the course's
    # submitted/, it would record into the course's gradebook, which stock nbgrader uses.
    shutil.copytree(course / "submitted", course / "class")


def stock(course):
    """nbgrader's own commands, as an instructor runs them."""
    db = f"sqlite:///{course / 'gradebook.db'}"
    common = [f"--CourseDirectory.root={course}", f"--CourseDirectory.db_url={db}"]
    for assignment in ASSIGNMENTS:
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment,
                        "--force", *common], check=True, capture_output=True)
    started = time.monotonic()
    for assignment in ASSIGNMENTS:
        subprocess.run([sys.executable, "-m", "nbgrader", "autograde", assignment, "--force",
                        *common], check=True, capture_output=True, cwd=course)
    return time.monotonic() - started


def ours(course, jobs, out="ours", cluster=None, fresh=True):
    """Seconds for `python -m autograder grade` on the class, start-up included (into an
    empty results folder, unless `fresh` is False)."""
    if fresh:
        shutil.rmtree(course / out, ignore_errors=True)
    started = time.monotonic()
    command = [sys.executable, "-m", "autograder", "grade", str(course / "class"),
               "--out", str(course / out), "--quiet"]
    if jobs:
        command += ["--jobs", str(jobs)]
    if cluster:
        command += ["--cluster", cluster]
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def scores(db_path):
    from nbgrader.api import Gradebook

    result = {}
    with Gradebook(f"sqlite:///{db_path}") as gb:
        for assignment in gb.assignments:
            for submission in gb.assignment_submissions(assignment.name):
                for nb in submission.notebooks:
                    for grade in nb.grades:
                        result[(submission.student.id, assignment.name, grade.name)] = grade.score
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="keep the class here")
    parser.add_argument("--no-cluster", action="store_true",
                        help="skip the Dask LocalCluster runs")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of the local pool and of the cluster, taking turns")
    args = parser.parse_args()
    alembic_on_path()
    course = args.keep or Path(tempfile.mkdtemp(prefix="rnn-bench-"))
    if course.exists():
        shutil.rmtree(course)
    build_class(course, args.students)
    notebooks = args.students * len(ASSIGNMENTS)
    print(f"class: {args.students} students x {len(ASSIGNMENTS)} notebooks "
          f"= {notebooks} notebooks, {os.cpu_count()} cores", flush=True)
    # This machine's speed drifts by a quarter from one minute to the next: the local pool
    # and the Dask cluster take turns, and each is reported by its fastest run.
    timings = {"local": [], "dask": []}
    for _ in range(args.repeat):
        timings["local"].append(ours(course, args.jobs))
        if not args.no_cluster:
            timings["dask"].append(ours(course, args.jobs, "dask", cluster="local"))
    ours_seconds = min(timings["local"])
    print(f"ours : {ours_seconds:8.1f} s  {ours_seconds / notebooks:.3f} s/notebook  "
          f"{notebooks / ours_seconds:6.2f} notebooks/s (local pool; fastest of "
          f"{', '.join(f'{t:.1f}' for t in timings['local'])} s)", flush=True)
    rerun = ours(course, args.jobs, fresh=False)
    print(f"ours, run again with nothing changed: {rerun:.2f} s (the fixed start-up)",
          flush=True)
    if not args.no_cluster:
        dask = min(timings["dask"])
        print(f"dask : {dask:8.1f} s  {dask / notebooks:.3f} s/notebook  "
              f"{notebooks / dask:6.2f} notebooks/s (LocalCluster: one worker, a thread a job; "
              f"start-up included; fastest of {', '.join(f'{t:.1f}' for t in timings['dask'])}"
              " s)", flush=True)
        print(f"dask against the local pool: {dask / ours_seconds - 1:+.0%} time per "
              "notebook", flush=True)
    stock_seconds = stock(course)
    print(f"stock: {stock_seconds:8.1f} s  {stock_seconds / notebooks:.3f} s/notebook "
          "(sequential nbgrader autograde)", flush=True)
    a = scores(course / "gradebook.db")
    differ = {}
    for out in ["ours"] + ["dask"] * (not args.no_cluster):
        b = scores(course / out / "gradebook.db")
        differ[out] = {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
        print(f"grade cells compared, stock against {out}: {len(a)}; identical: "
              f"{not differ[out]}")
        for key, pair in sorted(differ[out].items())[:10]:
            print("  differs:", key, f"stock, {out} =", pair)
    print(f"speed-up: {stock_seconds / ours_seconds:.1f}x")
    if not args.keep:
        shutil.rmtree(course, ignore_errors=True)
    return 1 if any(differ.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
