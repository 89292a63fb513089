"""The graded notebook a student gets back: what ran, what it printed, why marks were lost.

It is the notebook nbgrader's `generate_feedback` renders (`feedback_page`):
the assembled cells with their outputs and plots, the hidden tests taken
out of the test cells, and each test cell's score in nbgrader's metadata.

Only what the course wrote is kept as it came: a student's cell keeps its
source and nothing else of its own (no metadata, which the page prints as
it is; no attachments; a raw cell, which the page would insert as HTML,
becomes text). A student's markdown is marked as theirs, for the page's
safe renderer, and shown as plain text past MARKDOWN_CHARS a cell or
NOTEBOOK_MARKDOWN_CHARS in all (rendering Markdown costs more than linear
time on crafted text); a code cell shows at most CODE_CHARS.
"""

import copy
import re

import nbformat

from ..contract import METADATA_KEY, Status
from ..sandbox.notebook import Outcome
from .assemble import Step
from .cells import Role, cell_text, is_code, nbgrader_meta
from .scoring import Reasons
from .source import SourceNotebook

MARKDOWN_CHARS = 4_000
NOTEBOOK_MARKDOWN_CHARS = 64_000
CODE_CHARS = 100_000
_HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?",
                     re.S | re.M)


def graded_notebook(source: SourceNotebook, steps: list[Step], outcomes: dict[int, Outcome],
                    cell_scores: dict[str, tuple[float, float]], reasons: Reasons
                    ) -> nbformat.NotebookNode:
    """The graded notebook a student sees: outputs and plots, no hidden tests, and the
    reason for every lost mark under its test cell."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = dict(source.notebook.metadata)
    markdown_left = NOTEBOOK_MARKDOWN_CHARS
    for index, step in enumerate(steps):
        if step.source_cell is not None and step.role is not Role.ANSWER:
            cell = nbformat.from_dict(copy.deepcopy(dict(step.source_cell)))
        else:
            cell, markdown_left = _students_cell(step, markdown_left)
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


def _students_cell(step, markdown_left):
    """A student's cell with its source only: (cell, markdown characters left)."""
    text = cell_text(step.cell)
    if step.role is Role.ANSWER:  # nbgrader's metadata is the source's, never the student's
        cell = nbformat.v4.new_code_cell(_cut_code(text))
        cell.metadata = copy.deepcopy(dict(step.source_cell.metadata))
        return cell, markdown_left
    if is_code(step.cell):
        return nbformat.v4.new_code_cell(_cut_code(text)), markdown_left
    if step.cell.get("cell_type") == "markdown" and len(text) <= min(MARKDOWN_CHARS,
                                                                       markdown_left):
        markdown_left -= len(text)
    else:  # raw cells, and markdown past the budget: plain text
        text = _as_plain_text(text)
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata = {METADATA_KEY: {"by_student": True}}
    return cell, markdown_left


def _cut_code(text):
    if len(text) <= CODE_CHARS:
        return text
    return text[:CODE_CHARS] + f"\n# ... {len(text) - CODE_CHARS} more characters not shown"


def _as_plain_text(text):
    """Markdown that shows `text` as it is: a fenced block longer than any run of
    backticks inside it (CommonMark), at most MARKDOWN_CHARS of it."""
    shown = text[:MARKDOWN_CHARS]
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", shown)), default=0))
    more = f"\n\n({len(text) - len(shown)} more characters not shown)" \
        if len(text) > len(shown) else ""
    return f"{fence}text\n{shown}\n{fence}{more}"


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
    if outcome.notes:
        outputs.append(nbformat.v4.new_output(
            "stream", name="stdout", text="".join(f"\nNote from the grader: {note}\n"
                                                  for note in outcome.notes)))
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
