"""What a cell is for and what it holds: the one home of the grader's cell predicates.

What a cell is for is read from its metadata (nbgrader's, and the course's
under `METADATA_KEY`, which the build writes into the instructor's source
notebook), never from a regular expression over its source.
"""

import ast
from enum import StrEnum

import nbformat

from ..contract import METADATA_KEY


class Role(StrEnum):
    SETUP = "setup"  # the instructor's locked cells
    ANSWER = "answer"  # a student's answer cell
    TEST = "test"  # the instructor's graded test cell
    EXTRA = "extra"  # a cell the student added


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def course_meta(cell) -> dict:
    return cell.get("metadata", {}).get(METADATA_KEY, {}) or {}


def cell_text(cell) -> str:
    """A cell's source as one string (nbformat allows a list of lines)."""
    source = cell.get("source", "")
    if isinstance(source, list) and _is_text(source):
        return "".join(source)
    return source if isinstance(source, str) else ""


CELL_TYPES = ("code", "markdown", "raw")


def _is_text(source):
    return isinstance(source, str) or (isinstance(source, list)
                                       and all(isinstance(line, str) for line in source))


def student_cells(notebook) -> tuple[list[nbformat.NotebookNode], dict[str, list[str]]]:
    """A student's cells as the grader reads them, and what was wrong with them.

    Nothing of a cell's own is trusted but its type, its source and its nbgrader
    grade id (which says which instructor's cell it stands for): a cell of no known
    type is left out, a source that is not text is empty, metadata that is not
    nbgrader's shape is dropped, and the course's own metadata (what a cell is for)
    is never taken from a student. The remarks are by grade id (`""` when the cell
    has none), for the function they concern."""
    cells: list[nbformat.NotebookNode] = []
    remarks: dict[str, list[str]] = {}
    for number, cell in enumerate(notebook.get("cells", []), 1):
        cell = cell if isinstance(cell, dict) else {}
        meta = cell.get("metadata")
        nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
        gid = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
        gid = gid if isinstance(gid, str) else ""
        wrong = []
        if cell.get("cell_type") not in CELL_TYPES:
            wrong.append("has no cell type Jupyter knows, and was left out")
        elif not _is_text(cell.get("source")):
            wrong.append("holds a source that is not text, read as empty")
        if nbgrader is not None and not (isinstance(nbgrader, dict) and isinstance(
                nbgrader.get("grade_id", ""), str)):
            wrong.append("holds nbgrader metadata that is not nbgrader's, ignored")
        if wrong:
            remarks.setdefault(gid, []).append(f"cell {number} of the notebook "
                                                + " and ".join(wrong))
        if cell.get("cell_type") not in CELL_TYPES:
            continue
        clean = nbformat.from_dict({"cell_type": cell["cell_type"], "source": cell_text(cell),
                                    "metadata": {}})
        if gid:
            clean.metadata["nbgrader"] = {"grade_id": gid}
        cells.append(clean)
    return cells, remarks


def is_code(cell) -> bool:
    return cell.get("cell_type") == "code"


def defined_functions(source: str) -> set[str]:
    """Names of the functions a cell defines at top level (none if it does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
