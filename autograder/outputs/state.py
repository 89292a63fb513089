"""RESULTS/.state: one file per graded notebook, so a run can stop and resume.

A notebook's state holds its `NotebookResult` and a key (the notebook's
bytes and the course's fingerprint): a re-run skips a notebook whose key is
unchanged, so no grade is lost or counted twice. Results the grader's own
failure caused are never stored.
"""

import hashlib
import json
import shutil
from pathlib import Path

from ..grading.results import NotebookResult
from .files import write_atomic


class StateStore:
    def __init__(self, out):
        self.root = Path(out) / ".state"
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, student, assignment):
        return self.root / student / f"{assignment}.json"

    @staticmethod
    def key(fingerprint, job, policy=""):
        """What a result depends on: the course, the notebook, its time, the late policy."""
        digest = hashlib.sha256(fingerprint.encode())
        digest.update(policy.encode())
        digest.update(job.path.read_bytes() if job.path and job.path.is_file()
                      else f"{job.problem}:{job.note}".encode())
        digest.update(f"{job.submitted_at}:{job.late}".encode())
        return digest.hexdigest()

    def save(self, result):
        write_atomic(self.path(result.student, result.assignment), result.to_json())

    def all(self):
        results = []
        for path in sorted(self.root.glob("*/*.json")):
            try:
                results.append(NotebookResult.from_json(path.read_text()))
            except (ValueError, TypeError):
                continue
        return results

    def remove(self, student, assignment=None):
        if assignment is None:
            shutil.rmtree(self.root / student, ignore_errors=True)
        else:
            self.path(student, assignment).unlink(missing_ok=True)

    def clear(self):
        shutil.rmtree(self.root)
        self.root.mkdir(parents=True)

    def read_meta(self):
        try:
            return json.loads((self.root / "course.json").read_text())
        except (OSError, ValueError):
            return {}

    def write_meta(self, meta):
        write_atomic(self.root / "course.json", json.dumps(meta))
