"""`python -m autograder grade`: grade a whole class, in parallel, resumably.

Each notebook is graded in its own sandbox process (see `sandbox/`); the
judging of hidden tests, the gradebook, the CSV and the feedback stay in
this process. Results are kept per notebook under RESULTS/.state as soon as
they are known, so an interrupted run picks up where it stopped and a
re-run never counts a grade twice; the CSV and summary are rebuilt from
those files at the end.
"""

import csv
import hashlib
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from pathlib import Path

import nbformat
from tqdm import tqdm

from . import authoring, feedback, notebook, release, summary
from .collect import InstructorError, Job, collect
from .sandbox.runner import Limits

GRADER_VERSION = "1"
COLUMNS = ["student", "assignment", "item", "score", "max_score", "status", "message"]


class Course:
    def __init__(self, source_dir=None):
        self.source_dir = Path(source_dir or authoring.SOURCE)
        self.assignments = {}
        for folder in sorted(p for p in self.source_dir.iterdir() if p.is_dir()):
            path = folder / f"{folder.name}.ipynb"
            if path.is_file():
                self.assignments[folder.name] = notebook.Assignment.load(folder.name, path)
        digest = hashlib.sha256(GRADER_VERSION.encode())
        for name in sorted(self.assignments):
            digest.update((self.source_dir / name / f"{name}.ipynb").read_bytes())
        self.fingerprint = digest.hexdigest()[:16]


def _rows_for_problem(course, job, status, message):
    assignment = course.assignments[job.assignment]
    return [notebook.ItemResult(f, 0.0, assignment.max_score(f), status, message)
            for f in assignment.functions]


def _render(nb_json, student, assignment, score, max_score, path):
    """Feedback rendering in a helper process (nbconvert holds the GIL for ~0.15 s)."""
    feedback.render(nbformat.reads(nb_json, as_version=4), student, assignment, assignment,
                    score, max_score, path)


def grade_job(course, job, reference, limits, out=None, renderer=None):
    """Grade one (student, assignment); never raises for a student's mistake."""
    started = time.monotonic()
    if job.problem:
        items = _rows_for_problem(course, job, job.problem, job.note)
        return {"items": items, "cell_scores": {}, "seconds": time.monotonic() - started}
    assignment = course.assignments[job.assignment]
    try:
        raw = job.path.read_bytes()
        if len(raw) > 20 << 20:
            raise ValueError("the file is larger than 20 MB")
        student_nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
        if not isinstance(student_nb.get("cells"), list):
            raise ValueError("it has no list of cells")
    except Exception as error:  # any unreadable file is the student's problem, recorded
        message = (f"{job.path.name} could not be read as a Jupyter notebook "
                   f"({type(error).__name__}: {str(error)[:200]})")
        return {"items": _rows_for_problem(course, job, "invalid", message), "cell_scores": {},
                "seconds": time.monotonic() - started}
    graded = notebook.grade(assignment, student_nb, reference, limits)
    if job.note:
        for item in graded.items:
            item.message += f" Note: {job.note}."
    graded_at = time.monotonic()
    if out is not None:
        path = out / "feedback" / job.student / job.assignment / f"{job.assignment}.html"
        score = sum(i.score for i in graded.items)
        max_score = sum(i.max_score for i in graded.items)
        args = (nbformat.writes(graded.feedback), job.student, job.assignment, score,
                max_score, path)
        if renderer is not None:
            renderer.submit(_render, *args).result()
        else:
            _render(*args)
    return {"items": graded.items, "cell_scores": graded.cell_scores,
            "seconds": time.monotonic() - started,
            "feedback_seconds": time.monotonic() - graded_at}


class Results:
    """RESULTS/: state per notebook, gradebook, CSV, feedback, summary."""

    def __init__(self, out, course):
        self.out = Path(out)
        self.course = course
        self.state = self.out / ".state"
        self.state.mkdir(parents=True, exist_ok=True)
        self.db_path = self.out / "gradebook.db"

    def state_path(self, job):
        return self.state / job.student / f"{job.assignment}.json"

    def key(self, job):
        digest = hashlib.sha256(self.course.fingerprint.encode())
        digest.update(job.path.read_bytes() if job.path and job.path.is_file()
                      else f"{job.problem}:{job.note}".encode())
        return digest.hexdigest()

    def done(self, job, key):
        path = self.state_path(job)
        if not path.is_file():
            return False
        try:
            return json.loads(path.read_text()).get("key") == key
        except ValueError:
            return False

    def save(self, job, key, result):
        path = self.state_path(job)
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {"key": key, "student": job.student, "assignment": job.assignment,
                  "items": [vars(i) for i in result["items"]],
                  "cell_scores": result["cell_scores"], "seconds": result["seconds"],
                  "feedback_seconds": result.get("feedback_seconds", 0.0)}
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, indent=1))
        os.replace(tmp, path)

    def records(self):
        for path in sorted(self.state.glob("*/*.json")):
            yield json.loads(path.read_text())

    def ensure_gradebook(self):
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(f"sqlite:///{self.db_path}") as gb:
            missing = []
            for name in self.course.assignments:
                try:
                    gb.find_assignment(name)
                except MissingEntry:
                    missing.append(name)
        if missing:  # nbgrader itself registers the assignments, cells and points
            with tempfile.TemporaryDirectory(prefix="rnn-gradebook-") as tmp:
                shutil.copytree(self.course.source_dir, Path(tmp) / "source")
                api = release.nbgrader_api(tmp, db_path=self.db_path.resolve())
                for name in missing:
                    result = api.generate_assignment(name, force=True, create=True)
                    if not result["success"]:
                        raise RuntimeError(result.get("error") or result.get("log"))

    def open_gradebook(self):
        from nbgrader.api import Gradebook

        self.gradebook = Gradebook(f"sqlite:///{self.db_path}")

    def close(self):
        if getattr(self, "gradebook", None) is not None:
            self.gradebook.close()
            self.gradebook = None

    def record_grades(self, job, result):
        gb = self.gradebook
        if True:
            gb.update_or_create_student(job.student)
            gb.update_or_create_submission(job.assignment, job.student)
            assignment = self.course.assignments[job.assignment]
            for gid in assignment.tests:
                grade = gb.find_grade(gid, job.assignment, job.assignment, job.student)
                score = result["cell_scores"].get(gid, (0.0, 0.0))[0]
                grade.auto_score = float(score)
                grade.needs_manual_grade = grade.manual_score is not None
            gb.db.commit()

    def write_csv(self):
        order = {a: {f: k for k, f in enumerate(c.functions)}
                 for a, c in self.course.assignments.items()}
        rows = []
        for record in self.records():
            for item in record["items"]:
                rows.append([record["student"], record["assignment"], item["item"],
                             f"{item['score']:g}", f"{item['max_score']:g}", item["status"],
                             item["message"]])
        rows.sort(key=lambda r: (r[0], r[1], order.get(r[1], {}).get(r[2], 99)))
        tmp = self.out / "grades.csv.tmp"
        with open(tmp, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            writer.writerows(rows)
        os.replace(tmp, self.out / "grades.csv")
        return rows


def run(submissions, out, jobs=None, limits=None, only=None, progress=True):
    """Grade a class; returns the CSV rows. Raises InstructorError for bad arguments."""
    from solutions import reference

    course = Course()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results = Results(out, course)
    todo, ignored = collect(submissions, list(course.assignments), out / ".collected", only)
    release.alembic_on_path()
    results.ensure_gradebook()
    results.open_gradebook()
    warnings.filterwarnings("ignore", module="nbgrader.api")  # its own harmless SAWarnings
    limits = limits or Limits()
    workers = jobs or os.cpu_count() or 1
    pending = [(job, results.key(job)) for job in todo]
    pending = [(job, key) for job, key in pending if not results.done(job, key)]
    skipped = len(todo) - len(pending)
    bar = tqdm(total=len(todo), initial=skipped, unit="notebook", disable=not progress,
               desc="grading", file=sys.stderr)
    pool = ThreadPoolExecutor(max_workers=workers)
    renderer = ProcessPoolExecutor(max_workers=workers,
                                   mp_context=multiprocessing.get_context("spawn"))
    try:
        futures = {pool.submit(grade_job, course, job, reference, limits, out, renderer):
                   (job, key) for job, key in pending}
        for future in as_completed(futures):
            job, key = futures[future]
            try:
                result = future.result()
            except Exception as error:  # a grader bug must not cost the rest of the class
                message = f"the grader failed on this notebook ({type(error).__name__}: {error})"
                result = {"items": _rows_for_problem(course, job, "crashed", message),
                          "cell_scores": {}, "seconds": 0.0}
            _finish(results, job, key, result)
            bar.update(1)
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        renderer.shutdown(wait=False, cancel_futures=True)
        bar.close()
        raise
    finally:
        results.close()
    pool.shutdown(wait=True)
    renderer.shutdown(wait=True)
    bar.close()
    rows = results.write_csv()
    summary.write(out, rows, course, ignored)
    return rows


def _finish(results, job, key, result):
    """Store one notebook's result (its feedback is already written): the state file last."""
    results.record_grades(job, result)
    results.save(job, key, result)


__all__ = ["run", "InstructorError", "Job", "Limits"]
