"""Broken and cheating submissions: every one gets a clear, correct outcome.

Each case starts from a correct chapter-1 notebook and breaks or attacks
one thing: a hang, a memory blow-up, a killed process, rewriting what the
tests rely on, deleted, duplicated or edited cells, an invalid file. The
attacked function must get the expected status (and no marks where it
cheated); every function the case does not touch keeps its full marks,
because the rest of the notebook is still graded. (What the sandbox keeps
out of reach, files, processes and sockets, is tests/test_sandbox_security.py.)
"""

import copy
import csv
import json

import nbformat
import pytest
from grading_helpers import (
    EXERCISES,
    SOURCE,
    answer_source,
    grade,
    grade_cli,
    with_answer,
)

from autograder.contract import ASSIGNMENTS, HIDDEN_TESTS_MODULE, Status
from autograder.sandbox.limits import Limits

A = "01_recurrence"
FUNCTIONS = ASSIGNMENTS[A]
TIGHT = Limits(cell_seconds=4, notebook_seconds=60, memory_mb=1024)
pytestmark = pytest.mark.slow


def correct():
    return nbformat.read(SOURCE / A / f"{A}.ipynb", as_version=4)


def body(function, code):
    """The reference answer of `function` with `code` run first inside its body."""
    source = answer_source(correct(), function)
    return source.replace("    ### BEGIN SOLUTION\n", "    ### BEGIN SOLUTION\n" + code, 1)


def replaced(function, code):
    return with_answer(correct(), function, code)


def extra_cell(nb, after_grade_id, code):
    nb = copy.deepcopy(nb)
    k = next(i for i, c in enumerate(nb.cells)
             if c.metadata.get("nbgrader", {}).get("grade_id") == after_grade_id)
    nb.cells.insert(k + 1, nbformat.v4.new_code_cell(code))
    return nb


def assert_outcome(items, function, status, others_ok=True, text=None):
    item = items[function]
    assert item.status == status, item
    if status != "ok":
        assert item.score < item.max_score, item
    if text:
        assert text in item.message, item.message
    if others_ok:
        hurt = {k: v for k, v in items.items() if k != function and v.score != v.max_score}
        assert not hurt, hurt


CASES = {
    # name: (notebook builder, attacked function, expected status, message fragment)
    "infinite loop in a function": (
        lambda: replaced("rnn_cell_forward", body("rnn_cell_forward", "    while True:\n"
                                                  "        pass\n")),
        "rnn_cell_forward", "timeout", "time limit"),
    "infinite loop when the answer cell runs": (
        lambda: replaced("softmax", "while True:\n    pass\n"), "softmax", "timeout", None),
    "numpy memory blow-up": (
        lambda: replaced("softmax", body("softmax", "    big = np.ones((200_000, 200_000))\n")),
        "softmax", "memory", None),
    "python memory blow-up": (
        lambda: replaced("rnn_output", body("rnn_output", "    big = [0] * 10**10\n")),
        "rnn_output", "memory", None),
    "os._exit kills the process": (
        lambda: replaced("rnn_output", body("rnn_output", "    import os\n    os._exit(3)\n")),
        "rnn_output", "crashed", "exited"),
    "abort (a crashed kernel)": (
        lambda: replaced("many_to_one", body("many_to_one", "    import os\n    os.abort()\n")),
        "many_to_one", "crashed", "SIGABRT"),
    "sys.exit": (
        lambda: replaced("rnn_forward", body("rnn_forward", "    import sys\n    sys.exit(0)\n")),
        "rnn_forward", "crashed", None),
    "np.allclose patched and a wrong answer": (
        lambda: replaced("rnn_cell_forward", "np.allclose = lambda *a, **k: True\n"
                         "np.isclose = lambda a, b, **k: np.ones(np.shape(a), bool)\n"
                         "def rnn_cell_forward(x_t, h_prev, W_x, W_h, b):\n"
                         "    return np.zeros((x_t.shape[0], W_h.shape[0]))\n"),
        "rnn_cell_forward", "tampered", "numpy.allclose"),
    "numpy.testing patched": (
        lambda: replaced("softmax", answer_source(correct(), "softmax")
                         + "\nimport numpy.testing\n"
                         "numpy.testing.assert_allclose = lambda *a, **k: None\n"),
        "softmax", "tampered", "assert_allclose"),
    "builtins patched": (
        lambda: replaced("rnn_output", answer_source(correct(), "rnn_output")
                         + "\nimport builtins\nbuiltins.isinstance = lambda *a: True\n"),
        "rnn_output", "tampered", "builtins.isinstance"),
    "hidden-test check replaced": (
        lambda: replaced("softmax", answer_source(correct(), "softmax")
                         + f"\nimport {HIDDEN_TESTS_MODULE} as hidden\n"
                         "hidden.check = lambda *a, **k: None\n"),
        "softmax", "tampered", f"{HIDDEN_TESTS_MODULE}.check"),
    "hidden-test module swapped in sys.modules": (
        lambda: replaced("rnn_output", answer_source(correct(), "rnn_output")
                         + "\nimport sys, types\n"
                         f"fake = types.ModuleType({HIDDEN_TESTS_MODULE!r})\n"
                         "fake.check = lambda *a, **k: None\n"
                         "fake.use_reference_for = lambda *a, **k: None\n"
                         f"sys.modules[{HIDDEN_TESTS_MODULE!r}] = fake\n"),
        "rnn_output", "tampered", HIDDEN_TESTS_MODULE),
    "returns an array impostor": (
        lambda: replaced("softmax", "class Always(np.ndarray):\n"
                         "    def __eq__(self, other):\n        return True\n\n"
                         "def softmax(z):\n    return np.zeros_like(z).view(Always)\n"),
        "softmax", "tampered", "imitates an array"),
    "calls the grader's check itself": (
        lambda: replaced("rnn_output", answer_source(correct(), "rnn_output")
                         + f"\nfrom {HIDDEN_TESTS_MODULE} import check\n"
                         "check('rnn_output', rnn_output)\n"),
        "rnn_output", "tampered", "its own code"),
    "modifies its input in place": (
        lambda: replaced("softmax", "def softmax(z):\n    z -= z.max(axis=-1, keepdims=True)\n"
                         "    np.exp(z, out=z)\n    z /= z.sum(axis=-1, keepdims=True)\n"
                         "    return z\n"),
        "softmax", "wrong", "in place"),
    "correct but warns and prints to stderr": (
        lambda: replaced("softmax", body("softmax", "    import sys, warnings\n"
                                         "    warnings.warn('just saying')\n"
                                         "    print('debug', file=sys.stderr)\n")),
        "softmax", "ok", None),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_submission(name):
    build, function, status, text = CASES[name]
    items = grade(A, build(), TIGHT)
    assert_outcome(items, function, status, text=text)


def test_blank_notebook_scores_zero():
    items = grade(A, nbformat.read(EXERCISES / f"{A}.ipynb", as_version=4), TIGHT)
    assert set(items) == set(FUNCTIONS)
    for item in items.values():
        assert item.score == 0 and item.status is Status.ERROR, item
        assert "not answered yet" in item.message, item


def test_deleted_test_cells_are_restored():
    nb = correct()
    nb.cells = [c for c in nb.cells
                if not c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("test_")]
    items = grade(A, nb, TIGHT)
    assert all(i.status == "ok" and i.score == i.max_score for i in items.values())


def test_edited_test_cell_is_overwritten():
    nb = replaced("rnn_cell_forward", "def rnn_cell_forward(x_t, h_prev, W_x, W_h, b):\n"
                  "    return np.tanh(x_t @ W_x.T)\n")
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id", "").startswith("test_rnn_cell"):
            cell.source = "pass"
    assert_outcome(grade(A, nb, TIGHT), "rnn_cell_forward", "wrong")


def test_duplicated_cells_do_not_abort():
    nb = correct()
    wrong = with_answer(nb, "rnn_output", "def rnn_output(hs, W_y, b_y):\n    return hs\n")
    cells = []
    for cell in wrong.cells:
        cells.append(cell)
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if gid in ("rnn_output", "test_softmax"):
            twin = copy.deepcopy(cell)
            if gid == "rnn_output":  # the student fixed it in a copy below
                twin.source = answer_source(nb, "rnn_output")
            cells.append(twin)
    wrong.cells = cells
    items = grade(A, wrong, TIGHT)
    assert all(i.score == i.max_score for i in items.values()), items
    assert "more than once" in items["rnn_output"].message


def test_stripped_metadata_is_graded_by_definition():
    nb = correct()
    for cell in nb.cells:
        cell.metadata = {}
    items = grade(A, nb, TIGHT)
    assert all(i.score == i.max_score for i in items.values()), items
    assert "metadata" in items["softmax"].message


def test_missing_answer_cell():
    nb = correct()
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "softmax"]
    assert_outcome(grade(A, nb, TIGHT), "softmax", "missing", text="missing")


def test_unknown_kernelspec_is_ignored():
    nb = correct()
    nb.metadata["kernelspec"] = {"name": "julia-1.9", "display_name": "Julia", "language": "julia"}
    items = grade(A, nb, TIGHT)
    assert all(i.status == "ok" for i in items.values())


def test_grading_is_deterministic():
    nb = replaced("rnn_forward", "def rnn_forward(x, h0, W_x, W_h, b):\n"
                  "    return np.tanh(x @ W_x.T + b)\n")
    first = grade(A, nb, TIGHT)
    second = grade(A, nb, TIGHT)
    assert {k: vars(v) for k, v in first.items()} == {k: vars(v) for k, v in second.items()}


def test_broken_files_in_a_class(tmp_path):
    """Invalid JSON, a missing notebook, another name: recorded, and the batch goes on."""
    subs = tmp_path / "submitted"
    good = correct()
    layout = {
        "ok": (f"{A}.ipynb", nbformat.writes(good)),
        "garbled": (f"{A}.ipynb", "{ this is not json"),
        "truncated": (f"{A}.ipynb", nbformat.writes(good)[:500]),
        "renamed": ("my_work.ipynb", nbformat.writes(good)),
        "nocells": (f"{A}.ipynb", json.dumps({"metadata": {}, "nbformat": 4,
                                               "nbformat_minor": 5})),
    }
    for student, (filename, text) in layout.items():
        (subs / student / A).mkdir(parents=True)
        (subs / student / A / filename).write_text(text)
    (subs / "empty" / A).mkdir(parents=True)
    out = tmp_path / "results"
    run = grade_cli(subs, "--out", out)
    assert run.returncode == 0, run.stderr
    with open(out / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    status = {}
    for row in rows:
        status.setdefault(row["student"], set()).add(row["status"])
    assert len(rows) == 6 * len(FUNCTIONS)
    assert status["ok"] == {"ok"} and status["renamed"] == {"ok"}
    assert status["garbled"] == {"invalid"} and status["truncated"] == {"invalid"}
    assert status["empty"] == {"missing"}
    assert status["nocells"] <= {"invalid", "missing"}
    renamed = [r for r in rows if r["student"] == "renamed"]
    assert all("my_work.ipynb" in r["message"] for r in renamed)
