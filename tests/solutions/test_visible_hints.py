"""Visible tests that teach: each mistake of `mutations.VISIBLE_HINTS` fails its function's
visible tests with a message that names the cause.

The release notebook runs in this process as a student's Run All does, cell by cell, with
the reference answers in its answer cells and the one mistake in its function's, up to that
function's visible test cell, which must raise an AssertionError holding the given words.
No kernel and no sandbox: well under a second per mistake. (Whether the grader takes the
marks is tests/test_mutations.py's question; the mistakes are MUTATIONS entries.)
"""
import contextlib
import io
import warnings

import matplotlib
import nbformat
import pytest
from grading_helpers import EXERCISES, SOURCE
from mutations import MUTATIONS, VISIBLE_HINTS

from autograder.contract import METADATA_KEY, assignment_of

matplotlib.use("Agg")


def mistake(function, label):
    old, new = next((old, new) for name, old, new in MUTATIONS[function] if name == label)
    for cell in nbformat.read(SOURCE / (a := assignment_of(function)) / f"{a}.ipynb",
                              as_version=4).cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == function:
            if old is None:
                return new
            assert cell.source.count(old) == 1, f"{label}: the mistake's text is not found once"
            return cell.source.replace(old, new)
    raise KeyError(function)


def visible_failure(function, code):
    """Run the release notebook with the reference answers and `code` for `function`, up to
    the function's visible tests; the message they fail with, or None if they pass."""
    assignment = assignment_of(function)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source
               for c in nbformat.read(SOURCE / assignment / f"{assignment}.ipynb",
                                      as_version=4).cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    answers[function] = code
    namespace = {"__name__": "__main__"}
    for cell in nbformat.read(EXERCISES / f"{assignment}.ipynb", as_version=4).cells:
        if cell.cell_type != "code":
            continue
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        source = answers.get(grade_id, cell.source)
        intent = cell.metadata.get(METADATA_KEY, {})
        ours = intent.get("function") == function and intent.get("suite") == "main"
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                exec(compile(source, grade_id or "cell", "exec"), namespace)
            except AssertionError as error:
                if ours:
                    return str(error)
                raise
        if ours:
            return None
    raise AssertionError(f"no visible test cell of {function} in {assignment}")


@pytest.mark.parametrize("function,label", list(VISIBLE_HINTS), ids=lambda v: str(v)[:60])
def test_the_visible_tests_name_the_mistake(function, label):
    message = visible_failure(function, mistake(function, label))
    assert message is not None, f"the visible tests of {function} pass with '{label}'"
    assert VISIBLE_HINTS[function, label] in message, (
        f"'{label}': the message does not say '{VISIBLE_HINTS[function, label]}':\n{message}")


@pytest.mark.parametrize("function", sorted({f for f, _ in VISIBLE_HINTS}))
def test_the_reference_passes_the_visible_tests(function):
    assert visible_failure(function, mistake_free(function)) is None


def mistake_free(function):
    assignment = assignment_of(function)
    for cell in nbformat.read(SOURCE / assignment / f"{assignment}.ipynb", as_version=4).cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == function:
            return cell.source
    raise KeyError(function)
