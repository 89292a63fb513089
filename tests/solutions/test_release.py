"""One source of truth: solutions/ -> source notebooks -> exercises/, with no leaks."""

import re
import subprocess
import sys

import nbformat
import pytest
from grading_helpers import EXERCISES, ROOT, SOURCE
from release_helpers import LEAK_MARKERS, solution_lines

from autograder.contract import ANSWER_STUB, GRADED, METADATA_KEY
from autograder.contract import ASSIGNMENTS as CONTRACT
from solutions import reference
from solutions.build import authoring, release

ASSIGNMENTS = authoring.assignments()


def cells_by_id(nb):
    return {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}


def test_every_spec_function_has_an_assignment():
    assert ASSIGNMENTS == sorted(CONTRACT)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebook_is_generated_from_the_authored_text(assignment):
    built = nbformat.writes(authoring.build_source(authoring.AUTHORED / f"{assignment}.py"))
    committed = (SOURCE / assignment / f"{assignment}.ipynb").read_text()
    assert committed == built + "\n", "run `python -m solutions.build`"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_answer_cells_are_the_reference_verbatim(assignment):
    nb = nbformat.read(SOURCE / assignment / f"{assignment}.ipynb", as_version=4)
    cells = cells_by_id(nb)
    for name in CONTRACT[assignment]:
        cell = cells[name]
        meta = cell.metadata.nbgrader
        assert meta["solution"] and not meta["grade"] and not meta["locked"]
        assert authoring.reference_source(name).strip() in cell.source
        # Executing the cell defines a function with the reference's exact code.
        namespace = {}
        exec(compile("import numpy as np\n" + cell.source, "<cell>", "exec"), namespace)
        assert namespace[name].__code__.co_code == getattr(reference, name).__code__.co_code
        assert cell.metadata[METADATA_KEY] == {"function": name}
        tests = [g for g in cells
                 if g and cells[g].metadata.get(METADATA_KEY, {}).get("suite")
                 and cells[g].metadata[METADATA_KEY]["function"] == name]
        assert tests == [t.grade_id for t in GRADED[name].test_cells]
        for gid in tests:
            assert cells[gid].metadata.nbgrader["grade"] and cells[gid].metadata.nbgrader["points"]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_test_cell_carries_its_intent(assignment):
    """The build writes what each graded test cell checks into its metadata (the
    grader reads it there, never from the cell's text); no other cell has any."""
    nb = nbformat.read(SOURCE / assignment / f"{assignment}.ipynb", as_version=4)
    expected = {t.grade_id: {"function": f.name, "suite": t.suite.value, "deps": list(f.deps)}
                for name in CONTRACT[assignment] for f in [GRADED[name]] for t in f.test_cells}
    found = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            found[meta["grade_id"]] = cell.metadata.get(METADATA_KEY)
            assert meta["points"] == next(t.points for f in GRADED.values()
                                          for t in f.test_cells if t.grade_id == meta["grade_id"])
        elif not meta.get("solution"):
            assert METADATA_KEY not in cell.metadata, meta.get("grade_id")
    assert found == expected


@pytest.mark.slow
def test_exercises_are_what_nbgrader_generates(tmp_path):
    generated = release.generate(ASSIGNMENTS, SOURCE, tmp_path)
    for path in generated:
        assert path.read_bytes() == (EXERCISES / path.name).read_bytes(), (
            f"exercises/{path.name} differs from nbgrader's release: run "
            "`python -m solutions.build` (never edit exercises/ by hand)")
    assert sorted(p.name for p in EXERCISES.glob("*.ipynb")) == [p.name for p in generated]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_exercises_hold_no_solution_and_no_hidden_test(assignment):
    text = (EXERCISES / f"{assignment}.ipynb").read_text()
    for marker in LEAK_MARKERS:
        assert marker not in text
    nb = nbformat.reads(text, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for name in GRADED:
        for line in solution_lines(name):
            assert line not in code, f"{assignment} leaks a line of {name}: {line}"
    answers = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert all(ANSWER_STUB.splitlines()[-1] in c.source for c in answers)


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
