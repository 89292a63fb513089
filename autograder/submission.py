"""A student's notebook put together with the instructor's source notebook.

nbgrader's own rules decide what runs: locked cells and test cells come
from the instructor's source (as its `OverwriteCells` does), answer cells
come from the student. Unlike stock nbgrader, a deleted test cell is put
back, a duplicated cell does not abort anything, and an answer cell whose
metadata was stripped is recognised by the function it defines. What each
cell is for is read from the source notebook's metadata, which the build
wrote; the student's upload is never trusted for it.
"""

import ast
from dataclasses import dataclass, field
from enum import StrEnum

import nbformat

from .contract import GRADED, METADATA_KEY, Suite


class Role(StrEnum):
    SETUP = "setup"  # the instructor's locked cells
    ANSWER = "answer"  # a student's answer cell
    TEST = "test"  # the instructor's graded test cell
    EXTRA = "extra"  # a cell the student added


def nbgrader_meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def course_meta(cell):
    return cell.get("metadata", {}).get(METADATA_KEY, {}) or {}


@dataclass(frozen=True)
class TestIntent:
    """What one graded test cell checks, as the build recorded it."""

    grade_id: str
    function: str
    suite: Suite
    deps: tuple
    points: float


@dataclass
class SourceNotebook:
    """What the instructor's source notebook says is graded, and how."""

    name: str
    notebook: object
    functions: list = field(default_factory=list)
    tests: dict = field(default_factory=dict)  # grade_id -> TestIntent
    answers: set = field(default_factory=set)  # grade ids of answer cells
    grade_ids: set = field(default_factory=set)

    @classmethod
    def load(cls, name, path):
        source = nbformat.read(str(path), as_version=4)
        self = cls(name, source)
        for cell in source.cells:
            meta, intent = nbgrader_meta(cell), course_meta(cell)
            gid = meta.get("grade_id")
            if gid:
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

    def max_score(self, function):
        return sum(t.points for t in self.tests.values() if t.function == function)


@dataclass
class Step:
    """One cell of the assembled notebook, in running order."""

    role: Role
    function: str  # the function an answer or test cell is about ("" otherwise)
    cell: object  # the cell that runs
    source_cell: object = None  # the instructor's cell it stands for, if any


def defined_functions(source):
    """Names of the functions a cell defines at top level (none if it does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def assemble(source, student):
    """Return (steps, notes): the cells to run and remarks per function."""
    notes = {}
    by_id = {}
    extras = {None: []}
    anchor = None
    unclaimed = []
    for cell in student.cells:
        gid = nbgrader_meta(cell).get("grade_id")
        known = bool(gid) and gid in source.grade_ids
        if known and gid not in by_id:
            by_id[gid] = cell
            anchor = gid
            continue
        if known and gid in source.answers:
            extras.setdefault(anchor, []).append(cell)  # a duplicated answer runs after
            notes.setdefault(gid, []).append("the answer cell appears more than once; "
                                             "all copies ran in order")
            continue
        if known:
            continue  # a duplicated locked cell: the instructor's copy runs once
        if cell.get("cell_type") == "code" and not gid:
            unclaimed.append(cell)
        extras.setdefault(anchor, []).append(cell)
    for function in source.functions:
        if function in by_id:
            continue
        for cell in unclaimed:
            if function in defined_functions(_text(cell.get("source", ""))):
                by_id[function] = cell
                for group in extras.values():
                    if cell in group:
                        group.remove(cell)
                notes.setdefault(function, []).append(
                    "the answer cell had lost its nbgrader metadata; it was found by the "
                    "function it defines")
                unclaimed.remove(cell)
                break
        else:
            notes.setdefault(function, []).append("missing")
    steps = [Step(Role.EXTRA, "", c) for c in extras[None]]
    for source_cell in source.notebook.cells:
        meta = nbgrader_meta(source_cell)
        gid = meta.get("grade_id")
        if meta.get("solution"):
            if gid in by_id:
                function = course_meta(source_cell).get("function", "")
                steps.append(Step(Role.ANSWER, function, by_id[gid], source_cell))
        elif gid in source.tests:
            steps.append(Step(Role.TEST, source.tests[gid].function, source_cell, source_cell))
        else:
            steps.append(Step(Role.SETUP, "", source_cell, source_cell))
        steps += [Step(Role.EXTRA, "", c) for c in extras.get(gid, [])]
    return steps, notes


def _text(source):
    return "".join(source) if isinstance(source, list) else str(source)
