"""Every plausible mistake loses marks on exactly its own function.

Each mutation edits the reference source of one function (a text
replacement, or a whole wrong version) and grades the otherwise correct
source notebook with it. That function must lose marks; every other
function, including the later ones that call it, must keep full marks.
"""

import pytest
from grading_helpers import answer_source, assignment_of, grade, source_notebook, with_answer
from mutations import MUTATIONS

from autograder.contract import ASSIGNMENTS

CASES = [(function, label, old, new) for function, entries in MUTATIONS.items()
         for label, old, new in entries]


def mutate(source, old, new):
    if old is None:
        return new
    assert source.count(old) == 1, f"the mutation's text occurs {source.count(old)} times"
    return source.replace(old, new)


@pytest.mark.slow
@pytest.mark.parametrize("function,label,old,new", CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_mistake_loses_marks_on_its_function_only(function, label, old, new):
    assignment = assignment_of(function)
    nb = source_notebook(assignment)
    code = mutate(answer_source(nb, function), old, new)
    items = grade(assignment, with_answer(nb, function, code))
    assert items[function].score < items[function].max_score, (
        f"the mistake '{label}' kept full marks: {items[function]}")
    others = {k: (v.score, v.max_score, v.message) for k, v in items.items()
              if k != function and v.score != v.max_score}
    assert not others, f"the mistake '{label}' in {function} cost other functions: {others}"


def test_every_function_has_three_mutations():
    for functions in ASSIGNMENTS.values():
        for function in functions:
            assert len(MUTATIONS.get(function, [])) >= 3, function
