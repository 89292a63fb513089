"""Grade notebooks in-process for the tests: build a variant, get item scores."""

import copy

import nbformat

from autograder import notebook
from autograder.authoring import SOURCE
from autograder.sandbox.runner import Limits
from solutions import reference

FAST = Limits(cell_seconds=20, notebook_seconds=120, memory_mb=2048)


def source_notebook(assignment):
    return nbformat.read(str(SOURCE / assignment / f"{assignment}.ipynb"), as_version=4)


def assignment_of(function):
    for name, functions in reference.FUNCTIONS.items():
        if function in functions:
            return name
    raise KeyError(function)


def with_answer(nb, grade_id, code):
    """A copy of `nb` whose answer cell `grade_id` holds `code`."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = code
            return nb
    raise KeyError(grade_id)


def grade(assignment, nb, limits=FAST):
    spec = notebook.Assignment.load(assignment, SOURCE / assignment / f"{assignment}.ipynb")
    graded = notebook.grade(spec, nbformat.from_dict(nb), reference, limits)
    return {i.item: i for i in graded.items}


def answer_source(nb, grade_id):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return cell.source
    raise KeyError(grade_id)
