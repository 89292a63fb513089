"""The instructor's source notebook: what is graded in it, and how.

The build recorded each cell's intent in the source notebook's metadata;
the student's upload is never trusted for it.
"""

from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..contract import GRADED, Suite
from .cells import course_meta, nbgrader_meta


@dataclass(frozen=True)
class TestIntent:
    """What one graded test cell checks, as the build recorded it."""

    grade_id: str
    function: str
    suite: Suite
    deps: tuple[str, ...]
    points: float


@dataclass
class SourceNotebook:
    """What the instructor's source notebook says is graded, and how."""

    name: str
    notebook: nbformat.NotebookNode
    functions: list[str] = field(default_factory=list)
    tests: dict[str, TestIntent] = field(default_factory=dict)  # by grade id
    answers: set[str] = field(default_factory=set)  # grade ids of answer cells
    grade_ids: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, name: str, path: Path) -> "SourceNotebook":
        source = nbformat.read(str(path), as_version=4)
        self = cls(name, source)
        for cell in source.cells:
            meta, intent = nbgrader_meta(cell), course_meta(cell)
            gid = meta.get("grade_id")
            if not gid:  # the build gives every cell of a source notebook a grade id
                continue
            self.grade_ids.add(gid)
            if meta.get("solution"):
                self.answers.add(gid)
                if intent.get("function") in GRADED:
                    self.functions.append(intent["function"])
            elif meta.get("grade") and intent.get("function"):
                self.tests[gid] = TestIntent(gid, intent["function"], Suite(intent["suite"]),
                                             tuple(intent.get("deps", ())),
                                             float(meta.get("points", 0)))
        return self

    def max_score(self, function: str) -> float:
        return sum(t.points for t in self.tests.values() if t.function == function)
