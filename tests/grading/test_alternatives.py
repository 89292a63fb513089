"""Any correct answer earns full marks, however it is written.

Each alternative (tests/alternatives.py) replaces the reference definition
of its function in the source notebook's answer cell (anything else the
cell holds stays); the notebook is graded and every function, this one and
all the others, must get full marks.
"""

import ast

import pytest
from alternatives import ALTERNATIVES, KNOWN_REJECTED
from grading_helpers import answer_source, assignment_of, grade, source_notebook, with_answer

from autograder.contract import ASSIGNMENTS
from solutions.build.authoring import reference_source

CASES = [(function, label, code) for function, entries in ALTERNATIVES.items()
         for label, code in entries]


def splice(cell_source, function, code):
    """`cell_source` with its top-level `def function` replaced by `code`."""
    lines = cell_source.split("\n")
    for node in ast.parse(cell_source).body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
            return "\n".join(lines[:first] + code.rstrip("\n").split("\n")
                             + lines[node.end_lineno:])
    raise AssertionError(f"the answer cell of {function} defines no {function}")


def _params():
    for function, label, code in CASES:
        marks = []
        if (function, label) in KNOWN_REJECTED:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_REJECTED[function, label]))
        yield pytest.param(function, label, code, id=f"{function}-{label}", marks=marks)


def test_every_function_has_an_alternative():
    for functions in ASSIGNMENTS.values():
        for function in functions:
            accepted = [label for label, _ in ALTERNATIVES.get(function, [])
                        if (function, label) not in KNOWN_REJECTED]
            assert accepted, function


def test_alternatives_are_not_the_reference():
    for function, label, code in CASES:
        assert code.strip() != reference_source(function).strip(), (function, label)
        assert "### BEGIN SOLUTION" not in code, (function, label)


@pytest.mark.slow
@pytest.mark.parametrize("function,label,code", list(_params()))
def test_correct_alternative_gets_full_marks(function, label, code):
    assignment = assignment_of(function)
    nb = source_notebook(assignment)
    cell = splice(answer_source(nb, function), function, code)
    items = grade(assignment, with_answer(nb, function, cell))
    short = {k: (v.score, v.max_score, v.status, v.message) for k, v in items.items()
             if v.score != v.max_score}
    assert not short, f"the correct alternative '{label}' of {function} lost marks: {short}"
