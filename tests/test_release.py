"""One source of truth: solutions/ -> source notebooks -> exercises/, with no leaks."""

import re
import subprocess
import sys

import nbformat
import pytest
from conftest import EXERCISES, ROOT, SOURCE

from autograder import authoring, release
from solutions import reference

ASSIGNMENTS = authoring.assignments()


def cells_by_id(nb):
    return {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}


def solution_lines(name):
    """The distinctive lines of a reference answer (inside its solution block)."""
    source = authoring.reference_source(name)
    body = source.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
    # The docstrings state the spec's equations and reach students by design.
    docstring = "\n".join(getattr(reference, f).__doc__ or "" for fs in reference.FUNCTIONS.values()
                          for f in fs)
    graded = [f for functions in reference.FUNCTIONS.values() for f in functions]
    calls = re.compile(r"^[\w, ]+ = ({})\(".format("|".join(graded)))  # a test calls these too
    return [line.strip() for line in body.splitlines()
            if len(line.strip()) > 12 and not line.strip().startswith(("#", "return"))
            and not calls.match(line.strip()) and line.strip() not in docstring]


def test_every_spec_function_has_an_assignment():
    assert ASSIGNMENTS == sorted(reference.FUNCTIONS)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebook_is_generated_from_the_authored_text(assignment):
    built = nbformat.writes(authoring.build_source(authoring.AUTHORED / f"{assignment}.py"))
    committed = (SOURCE / assignment / f"{assignment}.ipynb").read_text()
    assert committed == built + "\n", "run `python -m autograder release`"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_answer_cells_are_the_reference_verbatim(assignment):
    nb = nbformat.read(SOURCE / assignment / f"{assignment}.ipynb", as_version=4)
    cells = cells_by_id(nb)
    for name in reference.FUNCTIONS[assignment]:
        cell = cells[name]
        meta = cell.metadata.nbgrader
        assert meta["solution"] and not meta["grade"] and not meta["locked"]
        assert authoring.reference_source(name).strip() in cell.source
        # Executing the cell defines a function with the reference's exact code.
        namespace = {}
        exec(compile("import numpy as np\n" + cell.source, "<cell>", "exec"), namespace)
        assert namespace[name].__code__.co_code == getattr(reference, name).__code__.co_code
        tests = [g for g in cells if g and g.startswith(f"test_{name}")]
        assert {f"test_{name}", f"test_{name}_edge"} <= set(tests)
        for gid in tests:
            assert cells[gid].metadata.nbgrader["grade"] and cells[gid].metadata.nbgrader["points"]


@pytest.mark.slow
def test_exercises_are_what_nbgrader_generates(tmp_path):
    generated = release.generate(ASSIGNMENTS, SOURCE, tmp_path)
    for path in generated:
        assert path.read_bytes() == (EXERCISES / path.name).read_bytes(), (
            f"exercises/{path.name} differs from nbgrader's release: run "
            "`python -m autograder release` (never edit exercises/ by hand)")
    assert sorted(p.name for p in EXERCISES.glob("*.ipynb")) == [p.name for p in generated]


LEAK_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
                "autograder.checks", "use_reference_for", "solutions.reference")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_exercises_hold_no_solution_and_no_hidden_test(assignment):
    text = (EXERCISES / f"{assignment}.ipynb").read_text()
    for marker in LEAK_MARKERS:
        assert marker not in text
    nb = nbformat.reads(text, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for functions in reference.FUNCTIONS.values():
        for name in functions:
            for line in solution_lines(name):
                assert line not in code, f"{assignment} leaks a line of {name}: {line}"
    answers = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert all(release.STUB.splitlines()[-1] in c.source for c in answers)


def test_release_command_is_deterministic(tmp_path):
    """Generating twice gives the same bytes (so the CI drift check is meaningful)."""
    nb1 = nbformat.writes(authoring.build_source(authoring.AUTHORED / "01_recurrence.py"))
    nb2 = nbformat.writes(authoring.build_source(authoring.AUTHORED / "01_recurrence.py"))
    assert nb1 == nb2
    assert re.search(r"expected_h_t = np\.array", nb1)


def test_release_cli_help():
    out = subprocess.run([sys.executable, "-m", "autograder", "--help"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0 and "release" in out.stdout and "grade" in out.stdout
