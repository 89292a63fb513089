"""Score a run notebook: each function's points, status and message.

A function's score is the sum of its test cells' points; a test cell
earns its points when it ran without error and every hidden check the
build recorded for it passed. A function's status is the most severe
failure among its test cells (see `Status`).
"""

from ..contract import Status, worst
from ..sandbox.notebook import Outcome
from .assemble import Step
from .cells import Role, nbgrader_meta
from .results import ItemResult
from .source import SourceNotebook

Reasons = dict[str, tuple[Status, str]]  # a failed test cell's grade id -> why


def _cell_passed(outcome, cell_checks):
    if outcome is None or outcome.status is not Status.OK or outcome.events:
        return False
    return all(k in outcome.verdicts and outcome.verdicts[k].status is Status.OK
               for k in cell_checks)


def _failure(outcome, function):
    """(status, message) for a failed test cell."""
    if outcome is None:
        return Status.CRASHED, "the test did not run"
    if outcome.events:
        return Status.TAMPERED, f"{function}: the submission tried to " + "; ".join(
            outcome.events) + "."
    for verdict in outcome.verdicts.values():
        if verdict.status is not Status.OK:
            status = Status.MEMORY if "MemoryError" in verdict.message else verdict.status
            return status, verdict.message
    if outcome.status is not Status.ERROR:
        return outcome.status, outcome.message
    if outcome.ename == "AssertionError":
        return Status.WRONG, outcome.evalue or "a visible test failed"
    if outcome.ename == "NotImplementedError":
        return Status.ERROR, f"{function} is not answered yet (it raises NotImplementedError)."
    return Status.ERROR, f"{outcome.ename}: {outcome.evalue}"


def score(source: SourceNotebook, steps: list[Step], notes: dict[str, list[str]],
          outcomes: dict[int, Outcome], checks: dict[int, tuple]
          ) -> tuple[list[ItemResult], dict[str, tuple[float, float]], Reasons]:
    """(items, cell_scores, reasons): reasons maps a test cell's grade id to why it failed."""
    cell_scores, reasons = {}, {}
    failures: dict[str, list[tuple[Status, str]]] = {f: [] for f in source.functions}
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
