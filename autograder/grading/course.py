"""The course as grading sees it: the instructor's source notebooks and the reference.

The one module that names `solutions/`: everything else in the grader
receives a `Course`, built once per process (the command's, and each Dask
worker's), or asks `reference()` (the hidden-test module under stock
nbgrader).
"""

import functools
import hashlib
import importlib
from pathlib import Path
from types import ModuleType

from ..contract import ASSIGNMENTS
from .source import SourceNotebook

REPOSITORY = Path(__file__).resolve().parents[2]
SOURCE = REPOSITORY / "solutions" / "source"
REFERENCE_MODULE = "solutions.reference"
BUILD_MODULE = "solutions.build"  # what `python -m autograder release` runs
# Bump when a change of the grader changes scores: every notebook is graded again.
GRADER_VERSION = "3"


@functools.cache
def reference() -> ModuleType:
    """The NumPy reference implementation, imported once per process."""
    return importlib.import_module(REFERENCE_MODULE)


class Course:
    """The source notebooks of the contract's assignments found in `source_dir`, the
    reference that judges them, and a fingerprint of both for the resume state."""

    def __init__(self, source_dir: Path, reference_module: ModuleType):
        self.source_dir = Path(source_dir)
        self.reference = reference_module
        self.assignments: dict[str, SourceNotebook] = {}
        for name in ASSIGNMENTS:
            path = self.source_dir / name / f"{name}.ipynb"
            if path.is_file():
                self.assignments[name] = SourceNotebook.load(name, path)
        digest = hashlib.sha256(GRADER_VERSION.encode())
        for name in sorted(self.assignments):
            digest.update((self.source_dir / name / f"{name}.ipynb").read_bytes())
        self.fingerprint = digest.hexdigest()[:16]

    @classmethod
    def load(cls) -> "Course":
        """This checkout's course: solutions/source and solutions/reference."""
        return cls(SOURCE, reference())
