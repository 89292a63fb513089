"""Grade one parsed notebook: run it in a sandbox, score each function, build feedback.

A function's score is the sum of its test cells' points; a test cell
earns its points when it ran without error and every hidden check the
build recorded for it passed. A function's status is the most severe
failure among its test cells (see `Status`).
"""

import re

import nbformat

from .results import ItemResult
from .sandbox.runner import Cell, NotebookRun
from .status import Status, worst
from .submission import Role, assemble, nbgrader_meta

_HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?",
                     re.S | re.M)


def grade(source, student, reference, limits, pool):
    """Run and score one student notebook: (items, cell_scores, feedback notebook)."""
    steps, notes = assemble(source, student)
    cells = []
    for index, step in enumerate(steps):
        if step.cell.get("cell_type") != "code":
            continue
        text = step.cell.get("source", "")
        text = "".join(text) if isinstance(text, list) else str(text)
        checks, inject = (), ()
        if step.role is Role.TEST:
            intent = source.tests[nbgrader_meta(step.source_cell)["grade_id"]]
            checks, inject = ((intent.function, intent.suite.value),), intent.deps
        cells.append(Cell(index, text, step.role.value, step.function, checks, inject))
    outcomes = NotebookRun(cells, reference, limits, pool).run()
    checks = {cell.index: cell.checks for cell in cells}
    items, cell_scores, reasons = score(source, steps, notes, outcomes, checks)
    return items, cell_scores, feedback(source, steps, outcomes, cell_scores, reasons)


def _cell_passed(outcome, cell_checks):
    if outcome is None or outcome.status is not Status.OK or outcome.events:
        return False
    return all(outcome.verdicts.get(k) is not None and outcome.verdicts[k].passed
               for k in cell_checks)


def _failure(outcome, function):
    """(status, message) for a failed test cell."""
    if outcome is None:
        return Status.CRASHED, "the test did not run"
    if outcome.events:
        return Status.TAMPERED, f"{function}: the submission tried to " + "; ".join(
            outcome.events) + "."
    for verdict in outcome.verdicts.values():
        if not verdict.passed:
            status = Status.MEMORY if "MemoryError" in verdict.message else verdict.status
            return status, verdict.message
    if outcome.status is not Status.ERROR:
        return outcome.status, outcome.message
    if outcome.ename == "AssertionError":
        return Status.WRONG, outcome.evalue or "a visible test failed"
    if outcome.ename == "NotImplementedError":
        return Status.ERROR, f"{function} is not answered yet (it raises NotImplementedError)."
    return Status.ERROR, f"{outcome.ename}: {outcome.evalue}"


def score(source, steps, notes, outcomes, checks):
    """(items, cell_scores, reasons): reasons maps a test cell's grade id to why it failed."""
    cell_scores, reasons = {}, {}
    failures = {f: [] for f in source.functions}
    tainted_by = ""  # a setup/extra cell that tampered taints every later function
    answer_events, answer_fatal = {}, {}
    for index, step in enumerate(steps):
        outcome = outcomes.get(index)
        if outcome is None:
            continue
        function = step.function
        if step.role in (Role.EXTRA, Role.SETUP) and outcome.events and not tainted_by:
            tainted_by = "; ".join(outcome.events)
        if step.role is Role.ANSWER and function and outcome.events:
            answer_events[function] = "; ".join(outcome.events)
        if step.role is Role.ANSWER and function and outcome.status.fatal:
            answer_fatal[function] = (outcome.status, f"{function}'s answer cell: "
                                      f"{outcome.message}")
        if step.role is not Role.TEST:
            continue
        gid = nbgrader_meta(step.source_cell)["grade_id"]
        points = source.tests[gid].points
        passed = _cell_passed(outcome, checks[index])
        if tainted_by or function in answer_events:
            passed = False
            why = answer_events.get(function, tainted_by)
            failure = (Status.TAMPERED, f"{function}: the submission tried to {why}.")
        elif not passed and function in answer_fatal:
            failure = answer_fatal[function]
        elif not passed:
            failure = _failure(outcome, function)
        if not passed:
            failures[function].append(failure)
            reasons[gid] = failure
        cell_scores[gid] = (points if passed else 0.0, points)
    for gid, intent in source.tests.items():  # a test cell that never ran earns nothing
        if gid not in cell_scores:
            cell_scores[gid] = (0.0, intent.points)
    items = []
    for function in source.functions:
        max_score = source.max_score(function)
        got = sum(s for gid, (s, _) in cell_scores.items()
                  if source.tests[gid].function == function)
        remarks = [n for n in notes.get(function, []) if n != "missing"]
        if failures[function]:
            status = worst(s for s, _ in failures[function])
            message = next(m for s, m in failures[function] if s is status)
            if "missing" in notes.get(function, []) and status in (Status.ERROR,
                                                                    Status.WRONG):
                status = Status.MISSING
                message = (f"the answer cell of {function} is missing from the notebook "
                           f"(deleted?); {message}")
        else:
            status, message = Status.OK, f"{function} passed every test."
        if remarks:
            message += " Note: " + "; ".join(remarks) + "."
        items.append(ItemResult(function, got, max_score, status, message))
    return items, cell_scores, reasons


def feedback(source, steps, outcomes, cell_scores, reasons):
    """The graded notebook a student sees: outputs and plots, no hidden tests, and the
    reason for every lost mark under its test cell."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = dict(source.notebook.metadata)
    for index, step in enumerate(steps):
        cell = nbformat.from_dict(dict(step.cell))
        cell.pop("id", None)
        if cell.get("cell_type") == "code":
            text = cell.source if isinstance(cell.source, str) else "".join(cell.source)
            cell.source = _HIDDEN.sub("", text)
            cell.outputs = _outputs(outcomes.get(index))
            cell.execution_count = None
        meta = nbgrader_meta(cell)
        gid = meta.get("grade_id")
        if meta.get("grade") and gid in cell_scores:
            got, points = cell_scores[gid]
            meta.update(score=got, points=points)
            if gid in reasons and step.role is Role.TEST:
                status, message = reasons[gid]
                cell.outputs.append(nbformat.v4.new_output(
                    "stream", name="stdout",
                    text=f"\nMarks lost ({status.value}): {message}\n"))
        nb.cells.append(cell)
    for k, cell in enumerate(nb.cells):
        cell.id = f"cell-{k:03d}"
    return nb


def _outputs(outcome):
    if outcome is None:
        return []
    outputs = []
    if outcome.stdout:
        outputs.append(nbformat.v4.new_output("stream", name="stdout", text=outcome.stdout))
    if outcome.stderr:
        outputs.append(nbformat.v4.new_output("stream", name="stderr", text=outcome.stderr))
    for png in outcome.figures:
        outputs.append(nbformat.v4.new_output("display_data", data={"image/png": png}))
    if outcome.status is Status.OK and outcome.events:
        outputs.append(nbformat.v4.new_output(
            "error", ename="Tampering", evalue="the submission tried to "
            + "; ".join(outcome.events), traceback=[]))
    elif outcome.status is not Status.OK:
        outputs.append(nbformat.v4.new_output(
            "error", ename=outcome.ename or outcome.status.value.capitalize(),
            evalue=outcome.evalue or outcome.message,
            traceback=outcome.traceback or [f"{outcome.status.value}: {outcome.message}"]))
    return outputs
