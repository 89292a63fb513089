"""The graded notebook a student gets back: what ran, what it printed, why marks were lost.

It is the notebook nbgrader's `generate_feedback` renders (`feedback_page`):
the assembled cells with their outputs and plots, the hidden tests taken
out of the test cells, and each test cell's score in nbgrader's metadata.
"""

import re

import nbformat

from ..contract import Status
from ..sandbox.notebook import Outcome
from .assemble import Step
from .cells import Role, cell_text, nbgrader_meta
from .scoring import Reasons
from .source import SourceNotebook

_HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?",
                     re.S | re.M)


def graded_notebook(source: SourceNotebook, steps: list[Step], outcomes: dict[int, Outcome],
                    cell_scores: dict[str, tuple[float, float]], reasons: Reasons
                    ) -> nbformat.NotebookNode:
    """The graded notebook a student sees: outputs and plots, no hidden tests, and the
    reason for every lost mark under its test cell."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = dict(source.notebook.metadata)
    for index, step in enumerate(steps):
        cell = nbformat.from_dict(dict(step.cell))
        cell.pop("id", None)
        if cell.get("cell_type") == "code":
            cell.source = _HIDDEN.sub("", cell_text(cell))
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
