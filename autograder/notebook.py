"""Grade one submitted notebook against its source notebook.

nbgrader's own rules decide what runs: locked cells and test cells come
from the instructor's source (as `OverwriteCells` does), answer cells come
from the student. Unlike stock nbgrader, a deleted test cell is put back, a
duplicated cell does not abort anything, and a cell whose metadata was
stripped is recognised by the function it defines.
"""

import re
from dataclasses import dataclass, field

import nbformat

from .cases import SPECS
from .sandbox.runner import FATAL, Cell, NotebookRun

STATUS_ORDER = ("tampered", "timeout", "memory", "crashed", "missing", "invalid", "error",
                "wrong")
_CHECK = re.compile(r"""check\(\s*["'](\w+)["']\s*,\s*\w+\s*(?:,\s*suite\s*=\s*["'](\w+)["'])?""")
_HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?",
                     re.S | re.M)


@dataclass
class ItemResult:
    item: str
    score: float
    max_score: float
    status: str
    message: str = ""


@dataclass
class GradedNotebook:
    items: list
    cell_scores: dict  # grade_id -> (score, max_score)
    feedback: object  # nbformat notebook with outputs, hidden tests removed
    seconds: float = 0.0


def nb_meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


@dataclass
class Assignment:
    """What the instructor's source notebook says is graded, and how."""

    name: str
    source: object
    functions: list = field(default_factory=list)
    tests: dict = field(default_factory=dict)  # grade_id -> (function, points)
    answers: set = field(default_factory=set)  # grade_ids of answer cells

    @classmethod
    def load(cls, name, path):
        source = nbformat.read(str(path), as_version=4)
        self = cls(name, source)
        for cell in source.cells:
            meta = nb_meta(cell)
            gid = meta.get("grade_id")
            if meta.get("solution"):
                self.answers.add(gid)
                if gid in SPECS:
                    self.functions.append(gid)
        for cell in source.cells:
            meta = nb_meta(cell)
            if meta.get("grade") and not meta.get("solution"):
                self.tests[meta["grade_id"]] = (self.function_of(meta["grade_id"]),
                                                float(meta.get("points", 0)))
        return self

    def function_of(self, grade_id):
        candidates = [f for f in self.functions if grade_id.startswith(f"test_{f}")]
        return max(candidates, key=len) if candidates else ""

    def max_score(self, function):
        return sum(p for f, p in self.tests.values() if f == function)


def _code_cell(source):
    return nbformat.v4.new_code_cell(source)


def assemble(assignment, student):
    """Return (plan, notes): plan is [(role, function, nb_cell, source_cell)]."""
    notes = {}
    by_id = {}
    extras = {None: []}
    anchor = None
    unclaimed = []
    for cell in student.cells:
        gid = nb_meta(cell).get("grade_id")
        known = gid in assignment.answers or gid in assignment.tests or any(
            nb_meta(c).get("grade_id") == gid for c in assignment.source.cells if gid)
        if known and gid not in by_id:
            by_id[gid] = cell
            anchor = gid
            continue
        if known and gid in assignment.answers:
            extras.setdefault(anchor, []).append(cell)  # a duplicated answer runs after
            notes.setdefault(gid, []).append("the answer cell appears more than once; "
                                             "all copies ran in order")
            continue
        if known:
            continue  # a duplicated locked cell: the instructor's copy runs once
        if cell.get("cell_type") == "code" and not gid:
            unclaimed.append(cell)
        extras.setdefault(anchor, []).append(cell)
    for function in assignment.functions:
        if function in by_id:
            continue
        pattern = re.compile(rf"^def {re.escape(function)}\s*\(", re.M)
        for cell in unclaimed:
            if pattern.search(cell.get("source", "")):
                by_id[function] = cell
                for group in extras.values():
                    if cell in group:
                        group.remove(cell)
                notes.setdefault(function, []).append(
                    "the answer cell had lost its nbgrader metadata; it was found by its "
                    "`def` line")
                unclaimed.remove(cell)
                break
        else:
            notes.setdefault(function, []).append("missing")
    plan = [("extra", "", c, None) for c in extras[None]]
    for source_cell in assignment.source.cells:
        meta = nb_meta(source_cell)
        gid = meta.get("grade_id")
        if meta.get("solution"):
            if gid in by_id:
                plan.append(("answer", gid if gid in SPECS else "", by_id[gid], source_cell))
        elif gid in assignment.tests:
            plan.append(("test", assignment.tests[gid][0], source_cell, source_cell))
        else:
            plan.append(("setup", "", source_cell, source_cell))
        plan += [("extra", "", c, None) for c in extras.get(gid, [])]
    return plan, notes


def grade(assignment, student, reference, limits=None):
    """Run and score one parsed student notebook."""
    plan, notes = assemble(assignment, student)
    cells = []
    for index, (role, function, cell, _source) in enumerate(plan):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        checks = tuple((n, s or "main") for n, s in _CHECK.findall(source)) if role == "test" \
            else ()
        inject = SPECS[function].deps if role == "test" and function else ()
        cells.append(Cell(index, source, role, function, checks, inject))
    outcomes = NotebookRun(cells, reference, limits).run()
    checks = {cell.index: cell.checks for cell in cells}
    return _score(assignment, plan, notes, outcomes, checks)


def _cell_passed(outcome, cell_checks):
    if outcome is None or outcome.status != "ok" or outcome.events:
        return False
    return all(outcome.verdicts.get(k) is not None and outcome.verdicts[k].passed
               for k in cell_checks)


def _failure(outcome, function):
    """(status, message) for a failed test cell."""
    if outcome is None:
        return "crashed", "the test did not run"
    if outcome.events:
        return "tampered", f"{function}: the submission tried to " + "; ".join(outcome.events)
    for verdict in outcome.verdicts.values():
        if not verdict.passed:
            status = "memory" if "MemoryError" in verdict.message else verdict.status
            return status, verdict.message
    if outcome.status != "error":
        return outcome.status, outcome.message
    if outcome.ename == "AssertionError":
        return "wrong", outcome.evalue or "a visible test failed"
    if outcome.ename == "NotImplementedError":
        return "error", f"{function} is not answered yet (it raises NotImplementedError)."
    return "error", f"{outcome.ename}: {outcome.evalue}"


def _score(assignment, plan, notes, outcomes, checks):
    cell_scores = {}
    failures = {f: [] for f in assignment.functions}
    tainted_from = None  # a setup/extra cell that tampered taints every later function
    tainted_by = ""
    answer_events = {}
    answer_fatal = {}
    for index, (role, function, _cell, source) in enumerate(plan):
        outcome = outcomes.get(index)
        if outcome is None:
            continue
        if role in ("extra", "setup") and outcome.events and tainted_from is None:
            tainted_from, tainted_by = index, "; ".join(outcome.events)
        if role == "answer" and outcome.events and function:
            answer_events[function] = "; ".join(outcome.events)
        if role == "answer" and function and outcome.status in FATAL:
            answer_fatal[function] = (outcome.status, f"{function}'s answer cell: "
                                      f"{outcome.message}")
        if role != "test":
            continue
        gid = nb_meta(source)["grade_id"]
        points = assignment.tests[gid][1]
        passed = _cell_passed(outcome, checks[index])
        if tainted_from is not None or function in answer_events:
            passed = False
            why = answer_events.get(function, tainted_by)
            failures[function].append(("tampered", f"{function}: the submission tried to {why}"))
        elif not passed and function in answer_fatal:
            failures[function].append(answer_fatal[function])
        elif not passed:
            failures[function].append(_failure(outcome, function))
        cell_scores[gid] = (points if passed else 0.0, points)
    items = []
    for function in assignment.functions:
        max_score = assignment.max_score(function)
        score = sum(s for gid, (s, _) in cell_scores.items()
                    if assignment.tests[gid][0] == function)
        remarks = [n for n in notes.get(function, []) if n != "missing"]
        if failures[function]:
            status, message = min(failures[function], key=lambda f: STATUS_ORDER.index(f[0]))
            if "missing" in notes.get(function, []) and status in ("error", "wrong"):
                status = "missing"
                message = (f"the answer cell of {function} is missing from the notebook "
                           f"(deleted?); {message}")
        else:
            status, message = "ok", f"{function} passed every test."
        if remarks:
            message += " Note: " + "; ".join(remarks) + "."
        items.append(ItemResult(function, score, max_score, status, message))
    feedback = _feedback(assignment, plan, outcomes, cell_scores)
    return GradedNotebook(items, cell_scores, feedback)


def _feedback(assignment, plan, outcomes, cell_scores):
    nb = nbformat.v4.new_notebook()
    nb.metadata = dict(assignment.source.metadata)
    for index, (_role, _function, cell, _source) in enumerate(plan):
        cell = nbformat.from_dict(dict(cell))
        if cell.get("cell_type") == "code":
            cell.source = _HIDDEN.sub("", cell.source if isinstance(cell.source, str)
                                      else "".join(cell.source))
            cell.outputs = _outputs(outcomes.get(index))
            cell.execution_count = None
        meta = nb_meta(cell)
        if meta.get("grade") and meta.get("grade_id") in cell_scores:
            score, points = cell_scores[meta["grade_id"]]
            meta.update(score=score, points=points)
        nb.cells.append(cell)
    return nb


def _outputs(outcome):
    if outcome is None:
        return []
    outputs = []
    if outcome.stdout:
        outputs.append(nbformat.v4.new_output("stream", name="stdout", text=outcome.stdout))
    if outcome.stderr:
        outputs.append(nbformat.v4.new_output("stream", name="stderr", text=outcome.stderr))
    if outcome.status == "ok" and outcome.events:
        outputs.append(nbformat.v4.new_output(
            "error", ename="Tampering", evalue="; ".join(outcome.events), traceback=[]))
    elif outcome.status != "ok":
        outputs.append(nbformat.v4.new_output(
            "error", ename=outcome.ename or outcome.status.capitalize(),
            evalue=outcome.evalue or outcome.message,
            traceback=outcome.traceback or [f"{outcome.status}: {outcome.message}"]))
    return outputs

