"""The grading logic without a sandbox: fast, on tiny fixture notebooks.

The notebooks in tests/grading/fixtures/ (written by tests/grading/fixtures/make_fixtures.py)
are a two-function source notebook and student uploads named after the one
thing each does to it. Here they are assembled with their source
(`submission.assemble`) and scored from hand-made cell outcomes
(`scoring.score`), so status precedence, tainting and missing answers are
tested without running a line of student code. Then the vocabulary
(`Status`), the typed results and their serialisation, the build's case
expansion against the torch oracle, and what the grader imports.
"""

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from grading_helpers import ROOT, SOURCE, grade_cli

from autograder.contract import GRADED, METADATA_KEY, Status, Suite, worst
from autograder.grading import scoring
from autograder.grading.assemble import assemble
from autograder.grading.cells import Role, defined_functions
from autograder.grading.graded_notebook import graded_notebook
from autograder.grading.judge import Verdict
from autograder.grading.results import GRADE_COLUMNS, ItemResult, NotebookResult
from autograder.grading.source import SourceNotebook
from autograder.sandbox.notebook import Outcome

FIXTURES = Path(__file__).resolve().parent / "fixtures"
A = "01_recurrence"
FUNCTIONS = ["softmax", "rnn_output"]


def source():
    return SourceNotebook.load(A, FIXTURES / "source.ipynb")


def student(name):
    return nbformat.read(FIXTURES / f"{name}.ipynb", as_version=4)


def gid(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def plan(steps):
    """The assembled notebook in words: (role, grade id or first line) per step."""
    return [(s.role.value, gid(s.cell) or s.cell.source.split("\n")[0]) for s in steps]


COMPLETE_PLAN = [("setup", "01_recurrence-cell-01"),
                 ("answer", "softmax"), ("test", "test_softmax"), ("test", "test_softmax_edge"),
                 ("answer", "rnn_output"), ("test", "test_rnn_output"),
                 ("test", "test_rnn_output_edge")]


def test_fixtures_are_up_to_date():
    done = subprocess.run([sys.executable, str(FIXTURES / "make_fixtures.py"), "--check"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


# --- the source notebook: intent read from metadata ---------------------------------------


def test_source_reads_the_intent_the_build_wrote():
    src = source()
    assert src.functions == FUNCTIONS
    assert src.answers == set(FUNCTIONS)
    for name in FUNCTIONS:
        f = GRADED[name]
        for cell in f.test_cells:
            intent = src.tests[cell.grade_id]
            assert (intent.function, intent.suite, intent.deps, intent.points) == (
                name, cell.suite, f.deps, cell.points)
        assert src.max_score(name) == f.max_score


def test_intent_comes_from_metadata_not_from_text(tmp_path):
    """A test cell whose text names another function is still graded for its intent."""
    nb = nbformat.read(FIXTURES / "source.ipynb", as_version=4)
    for cell in nb.cells:
        if gid(cell) == "test_softmax":
            cell.source = "check('rnn_output', rnn_output)  # test_rnn_output"
        if gid(cell) == "test_softmax_edge":
            del cell.metadata[METADATA_KEY]  # no intent: an ordinary locked cell
    nbformat.write(nb, tmp_path / "source.ipynb")
    src = SourceNotebook.load(A, tmp_path / "source.ipynb")
    assert src.tests["test_softmax"].function == "softmax"
    assert "test_softmax_edge" not in src.tests
    assert src.max_score("softmax") == GRADED["softmax"].test_cells[0].points


# --- assembling a student's upload with its source ---------------------------------------


def test_complete_notebook():
    steps, notes = assemble(source(), student("complete"))
    assert plan(steps) == COMPLETE_PLAN and notes == {}
    assert [s.function for s in steps] == ["", *["softmax"] * 3, *["rnn_output"] * 3]
    for step in steps:
        assert step.source_cell is not None
        if step.role is not Role.ANSWER:
            assert step.cell is step.source_cell  # the instructor's cell runs


def test_deleted_test_cell_is_put_back():
    steps, notes = assemble(source(), student("deleted_test_cell"))
    assert plan(steps) == COMPLETE_PLAN and notes == {}


def test_deleted_answer_cell_is_missing():
    steps, notes = assemble(source(), student("deleted_answer_cell"))
    assert ("answer", "softmax") not in plan(steps)
    assert ("test", "test_softmax") in plan(steps)
    assert notes == {"softmax": ["missing"]}


def test_duplicated_answer_runs_both_copies_in_order():
    steps, notes = assemble(source(), student("duplicated_answer"))
    expected = list(COMPLETE_PLAN)
    expected.insert(expected.index(("answer", "rnn_output")) + 1, ("extra", "rnn_output"))
    assert plan(steps) == expected
    first, copy = (s for s in steps if gid(s.cell) == "rnn_output")
    assert "+ b_y" in first.cell.source and "+ b_y" not in copy.cell.source
    assert "more than once" in notes["rnn_output"][0]


def test_stripped_metadata_is_recognised_by_definition():
    steps, notes = assemble(source(), student("stripped_metadata"))
    roles = [(s.role.value, s.function) for s in steps if s.role is not Role.EXTRA]
    assert roles == [(r, f) for (r, _), f in zip(
        COMPLETE_PLAN, ["", *["softmax"] * 3, *["rnn_output"] * 3])]
    answers = [s for s in steps if s.role is Role.ANSWER]
    assert [defined_functions(s.cell.source) for s in answers] == [{"softmax"}, {"rnn_output"}]
    for name in FUNCTIONS:
        assert "lost its nbgrader metadata" in notes[name][0]
    # The student's copies of the locked cells run too, after the instructor's: harmless.
    assert all(s.role is not Role.EXTRA or not defined_functions(s.cell.source) for s in steps)


def test_moved_answer_cell_runs_in_the_source_order():
    steps, notes = assemble(source(), student("moved_answer_cell"))
    assert plan(steps) == COMPLETE_PLAN and notes == {}


def test_edited_test_cell_is_the_instructors():
    steps, _ = assemble(source(), student("edited_test_cell"))
    assert plan(steps) == COMPLETE_PLAN
    test = next(s for s in steps if gid(s.cell) == "test_softmax")
    assert test.function == "softmax" and "check('softmax'" in test.cell.source
    assert test.cell.metadata[METADATA_KEY]["suite"] == "main"


def test_a_graded_cell_of_the_students_own_is_an_extra():
    steps, _ = assemble(source(), student("added_graded_cell"))
    assert plan(steps)[:-1] == COMPLETE_PLAN
    assert plan(steps)[-1] == ("extra", "test_bonus")
    scored = score_all(source(), steps, {})
    assert sum(i.max_score for i in scored) == sum(GRADED[f].max_score for f in FUNCTIONS)


def test_defined_functions():
    assert defined_functions("def f():\n    pass\nclass C: pass\nx = 1") == {"f"}
    assert defined_functions("def f(:") == set()


# --- scoring from hand-made outcomes ------------------------------------------------------


def ok(*checks):
    return Outcome(verdicts={c: Verdict(Status.OK) for c in checks})


def check_key(function, suite):
    return (function, Suite(suite).value)


def score_all(src, steps, outcomes, notes=None):
    checks = {}
    for index, step in enumerate(steps):
        if step.role is Role.TEST:
            intent = src.tests[gid(step.source_cell)]
            checks[index] = ((intent.function, intent.suite.value),)
        else:
            checks[index] = ()
    items, _, _ = scoring.score(src, steps, notes or {}, outcomes, checks)
    return items


def run(name="complete", **by_grade_id):
    """Score `name` with every cell fine except the outcomes given by grade id (or
    `extra_<k>` for the k-th extra cell)."""
    src = source()
    steps, notes = assemble(src, student(name))
    outcomes, extras = {}, 0
    for index, step in enumerate(steps):
        key = gid(step.cell) if step.role is not Role.EXTRA else f"extra_{extras}"
        extras += step.role is Role.EXTRA
        if key in by_grade_id:
            if by_grade_id[key] is not None:
                outcomes[index] = by_grade_id[key]
        elif step.role is Role.TEST:
            intent = src.tests[gid(step.source_cell)]
            outcomes[index] = ok(check_key(intent.function, intent.suite))
        else:
            outcomes[index] = Outcome()
    src_items, cell_scores, reasons = scoring.score(src, steps, notes, outcomes, {
        k: (((src.tests[gid(s.source_cell)].function,
              src.tests[gid(s.source_cell)].suite.value),) if s.role is Role.TEST else ())
        for k, s in enumerate(steps)})
    return {i.item: i for i in src_items}, cell_scores, reasons


def test_everything_passes():
    items, cell_scores, reasons = run()
    assert reasons == {}
    for name in FUNCTIONS:
        assert items[name].status is Status.OK
        assert items[name].score == items[name].max_score == GRADED[name].max_score
    assert cell_scores["test_softmax"] == (2.0, 2.0)


def test_a_failed_visible_test_is_wrong_and_costs_its_cell_only():
    failed = Outcome(Status.ERROR, ename="AssertionError", evalue="h_t is wrong at index (0, 1)")
    items, cell_scores, reasons = run(test_softmax=failed)
    assert items["softmax"].status is Status.WRONG
    assert items["softmax"].score == GRADED["softmax"].test_cells[1].points
    assert "index (0, 1)" in items["softmax"].message
    assert reasons["test_softmax"][0] is Status.WRONG
    assert items["rnn_output"].status is Status.OK


def test_the_most_severe_failure_wins():
    wrong = Outcome(verdicts={("softmax", "main"): Verdict(Status.WRONG, "off")})
    hang = Outcome(Status.TIMEOUT, "the cell did not finish within its time limit")
    items, _, _ = run(test_softmax=wrong, test_softmax_edge=hang)
    assert items["softmax"].status is Status.TIMEOUT and items["softmax"].score == 0
    assert "time limit" in items["softmax"].message
    cheat = Outcome(events=["replace numpy.allclose, which the tests rely on"],
                    verdicts={("softmax", "edge"): Verdict(Status.OK)})
    items, _, _ = run(test_softmax=hang, test_softmax_edge=cheat)
    assert items["softmax"].status is Status.TAMPERED and items["softmax"].score == 0
    assert "numpy.allclose" in items["softmax"].message


def test_a_verdict_of_memory_error_is_memory():
    verdict = Verdict(Status.ERROR, "softmax raised MemoryError on the hidden test 'a'.")
    items, _, _ = run(test_softmax=Outcome(Status.ERROR, ename="AssertionError",
                                           verdicts={("softmax", "main"): verdict}))
    assert items["softmax"].status is Status.MEMORY


def test_a_tampering_answer_cell_costs_its_own_function():
    events = ["replace numpy.testing.assert_allclose, which the tests rely on"]
    items, _, _ = run(rnn_output=Outcome(events=events))
    assert items["rnn_output"].status is Status.TAMPERED and items["rnn_output"].score == 0
    assert "assert_allclose" in items["rnn_output"].message
    assert items["softmax"].status is Status.OK and items["softmax"].score == 3


def test_a_tampering_extra_cell_taints_every_later_function():
    """The duplicated answer's copy is the extra cell after rnn_output's answer."""
    events = ["replace builtins.isinstance, which the tests rely on"]
    items, _, _ = run("duplicated_answer", extra_0=Outcome(events=events))
    assert items["softmax"].status is Status.OK and items["softmax"].score == 3
    assert items["rnn_output"].status is Status.TAMPERED and items["rnn_output"].score == 0
    assert "builtins.isinstance" in items["rnn_output"].message


def test_a_setup_cell_that_tampers_taints_everything():
    events = ["replace numpy.allclose, which the tests rely on"]
    items, _, _ = run(**{"01_recurrence-cell-01": Outcome(events=events)})
    assert all(i.status is Status.TAMPERED and i.score == 0 for i in items.values())


def test_an_answer_cell_that_hangs_explains_the_failed_tests():
    hang = Outcome(Status.TIMEOUT, "the cell did not finish within its time limit (4 s per cell)")
    not_defined = Outcome(Status.ERROR, ename="NameError", evalue="name 'softmax' is not defined")
    items, _, _ = run(softmax=hang, test_softmax=not_defined, test_softmax_edge=not_defined)
    assert items["softmax"].status is Status.TIMEOUT and items["softmax"].score == 0
    assert "softmax's answer cell" in items["softmax"].message


def test_a_missing_answer_is_missing_and_others_are_graded():
    stub = Outcome(Status.ERROR, ename="NameError", evalue="name 'softmax' is not defined")
    items, _, _ = run("deleted_answer_cell", test_softmax=stub, test_softmax_edge=stub)
    assert items["softmax"].status is Status.MISSING and items["softmax"].score == 0
    assert "missing" in items["softmax"].message
    assert items["rnn_output"].status is Status.OK


def test_an_unanswered_function_says_so():
    stub = Outcome(Status.ERROR, ename="NotImplementedError", evalue="not written yet")
    items, _, _ = run(test_rnn_output=stub, test_rnn_output_edge=stub)
    assert items["rnn_output"].status is Status.ERROR and items["rnn_output"].score == 0
    assert "not answered yet" in items["rnn_output"].message


def test_a_test_cell_that_never_ran_earns_nothing():
    items, cell_scores, _ = run(test_rnn_output_edge=None)
    assert cell_scores["test_rnn_output_edge"] == (0.0, 1.0)
    assert items["rnn_output"].score == 2 and items["rnn_output"].max_score == 3


def test_notes_reach_the_message():
    items, _, _ = run("stripped_metadata")
    assert all(i.status is Status.OK and i.score == i.max_score for i in items.values())
    assert "lost its nbgrader metadata" in items["softmax"].message


def test_feedback_hides_the_hidden_tests_and_names_lost_marks():
    src = source()
    steps, notes = assemble(src, student("complete"))
    for step in steps:
        if step.role is Role.TEST:  # a test cell runs, and is shown, as its source has it
            step.cell = step.source_cell = nbformat.from_dict(dict(step.cell))
            step.cell.source = ("### BEGIN HIDDEN TESTS\nsecret()\n### END HIDDEN TESTS\n"
                                "visible()")
    wrong = Outcome(Status.ERROR, ename="AssertionError", evalue="off by one")
    outcomes = {k: (wrong if gid(s.cell) == "test_softmax" else Outcome())
                for k, s in enumerate(steps)}
    checks = {k: () for k in range(len(steps))}
    _, cell_scores, reasons = scoring.score(src, steps, notes, outcomes, checks)
    nb = graded_notebook(src, steps, outcomes, cell_scores, reasons)
    text = nbformat.writes(nb)
    assert "secret" not in text and "visible()" in text
    assert "Marks lost (wrong): off by one" in text


# --- the vocabulary and the results ---------------------------------------------------------


def test_statuses_are_the_specs_words():
    assert [s.value for s in Status] == ["ok", "wrong", "error", "timeout", "memory", "crashed",
                                         "tampered", "missing", "invalid"]


def test_status_severity_order():
    order = sorted(Status, key=lambda s: s.severity)
    assert order[0] is Status.OK and order[-1] is Status.TAMPERED
    assert Status.WRONG.severity < Status.ERROR.severity < Status.MISSING.severity
    assert Status.CRASHED.severity < Status.MEMORY.severity < Status.TIMEOUT.severity
    assert worst([Status.WRONG, Status.TIMEOUT, Status.ERROR]) is Status.TIMEOUT
    assert worst([Status.OK]) is Status.OK
    assert {s for s in Status if s.fatal} == {Status.TIMEOUT, Status.MEMORY, Status.CRASHED}
    assert Status.TAMPERED.needs_a_look and not Status.WRONG.needs_a_look


def result():
    return NotebookResult("ada", A, [ItemResult("softmax", 3.0, 3.0, Status.OK, "fine"),
                                     {"item": "rnn_output", "score": 0.5, "max_score": 3.0,
                                      "status": "wrong", "message": 'said "no", twice'}],
                          cell_scores={"test_softmax": [2.0, 2.0]}, key="abc",
                          label="Ada L.", submitted_at="2025-01-02T03:04:05+00:00",
                          late=True, seconds_late=3600.0, late_penalty=1.0,
                          feedback_html="<html>")


def test_result_json_round_trip():
    original = result()
    assert original.items[1].status is Status.WRONG  # dicts and strings become types
    back = NotebookResult.from_json(original.to_json())
    assert back.items == original.items and back.items[1].status is Status.WRONG
    assert back.feedback_html == "" and "feedback_html" not in json.loads(original.to_json())
    original.feedback_html = ""
    assert back == original
    assert (back.score, back.max_score) == (2.5, 6.0)
    assert back.statuses == [Status.OK, Status.WRONG]


def test_result_csv_rows():
    rows = list(result().csv_rows())
    assert [tuple(r) for r in rows] == [GRADE_COLUMNS] * 2
    assert GRADE_COLUMNS[:7] == ("student", "assignment", "item", "score", "max_score",
                                 "status", "message")
    assert rows[1] == {"student": "ada", "assignment": A, "item": "rnn_output", "score": "0.5",
                       "max_score": "3", "status": "wrong", "message": 'said "no", twice',
                       "submitted_at": "2025-01-02T03:04:05+00:00", "late": "yes",
                       "seconds_late": "3600", "late_penalty": "1"}
    on_time = NotebookResult("bo", A, [ItemResult("softmax", 3, 3, "ok")])
    assert {k: v for k, v in next(on_time.csv_rows()).items() if "late" in k} == {
        "late": "", "seconds_late": "", "late_penalty": ""}


def test_late_penalty_never_makes_a_score_negative():
    late = NotebookResult("bo", A, [ItemResult("softmax", 1, 3, "wrong")], late_penalty=5)
    assert late.score == 0


# --- the build: a visible case, against the torch oracle -----------------------------------


@pytest.mark.parametrize("line", [
    "#: case rnn_cell_forward N=2 T=3 D=4 H=3 seed=5",
    "#: case lstm_cell_forward N=2 D=3 H=2 seed=7",
    "#: case softmax_cross_entropy N=2 T=2 K=3 seed=3",
    "#: case clip_by_global_norm N=1 T=2 D=2 H=2 K=2 seed=1",
    "#: case bilstm_forward N=3 T=4 D=2 H=2 seed=2",
])
def test_expand_case_matches_the_oracle(line):
    from solutions import oracle, reference
    from solutions.build.authoring import expand_case

    name = line.split()[2]
    text = expand_case(line)
    namespace = {"np": np}
    exec(text, namespace)
    args = [namespace[a] for a in inspect.signature(getattr(reference, name)).parameters
            if a in namespace]
    want = getattr(oracle, name)(*args)
    outputs = GRADED[name].outputs
    want = (want,) if len(outputs) == 1 else want
    for output, value in zip(outputs, want):
        printed = namespace[f"expected_{output}"]
        if isinstance(value, list):
            for p, v in zip(printed, value):
                np.testing.assert_allclose(p, v, rtol=1e-9, atol=1e-10)
        else:
            np.testing.assert_allclose(printed, value, rtol=1e-9, atol=1e-10)
    # The case is the contract's: its inputs are the maker's, rounded to 8 decimals.
    assert text == expand_case(line)  # deterministic


def test_built_test_cells_carry_their_intent():
    from solutions.build import authoring

    nb = authoring.build_source(authoring.AUTHORED / "03_vanishing_gradients.py")
    intents = {gid(c): c.metadata.get(METADATA_KEY) for c in nb.cells
               if c.metadata["nbgrader"]["grade"]}
    expected = {t.grade_id: {"function": n, "suite": t.suite.value,
                             "deps": list(GRADED[n].deps)}
                for n in ("tanh_jacobian", "gradient_norms", "clip_by_global_norm")
                for t in GRADED[n].test_cells}
    assert intents == expected


# --- what the grader imports ----------------------------------------------------------------

def test_grading_a_class_imports_neither_jupytext_nor_torch(tmp_path):
    subs = tmp_path / "submitted" / "ada" / A
    subs.mkdir(parents=True)
    nb = nbformat.read(SOURCE / A / f"{A}.ipynb", as_version=4)
    nbformat.write(nb, subs / f"{A}.ipynb")
    done = grade_cli(tmp_path / "submitted", "--out", tmp_path / "out", "--jobs", "1",
                     env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:")}
    assert "autograder.grading.scoring" in imported  # the profile is the grader's
    heavy = sorted(m for m in imported if m.split(".")[0] in ("jupytext", "torch")
                   or m.startswith("solutions.build"))
    assert not heavy, heavy

