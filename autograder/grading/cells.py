"""What a cell is for and what it holds: the one home of the grader's cell predicates.

What a cell is for is read from its metadata (nbgrader's, and the course's
under `METADATA_KEY`, which the build writes into the instructor's source
notebook), never from a regular expression over its source.
"""

import ast
from enum import StrEnum

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
    return "".join(source) if isinstance(source, list) else str(source)


def is_code(cell) -> bool:
    return cell.get("cell_type") == "code"


def defined_functions(source: str) -> set[str]:
    """Names of the functions a cell defines at top level (none if it does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
