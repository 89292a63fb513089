"""A student's notebook put together with the instructor's source notebook.

nbgrader's own rules decide what runs: locked cells and test cells come
from the instructor's source (as its `OverwriteCells` does), answer cells
come from the student. Unlike stock nbgrader, a deleted test cell is put
back, a duplicated cell does not abort anything, and an answer cell whose
metadata was stripped is recognised by the function it defines.
"""

from dataclasses import dataclass

import nbformat

from .cells import Role, cell_text, course_meta, defined_functions, nbgrader_meta
from .source import SourceNotebook


@dataclass
class Step:
    """One cell of the assembled notebook, in running order."""

    role: Role
    function: str  # the function an answer or test cell is about ("" otherwise)
    cell: nbformat.NotebookNode  # the cell that runs
    source_cell: nbformat.NotebookNode | None = None  # the instructor's cell, if any


def assemble(source: SourceNotebook, student: nbformat.NotebookNode
             ) -> tuple[list[Step], dict[str, list[str]]]:
    """Return (steps, notes): the cells to run and remarks per function."""
    notes: dict[str, list[str]] = {}
    by_id: dict[str, nbformat.NotebookNode] = {}
    extras: dict[str | None, list[nbformat.NotebookNode]] = {None: []}
    anchor = None
    unclaimed: list[nbformat.NotebookNode] = []
    for cell in student.cells:
        gid = str(nbgrader_meta(cell).get("grade_id") or "")
        known = gid in source.grade_ids
        if known and gid not in by_id:
            by_id[gid] = cell
            anchor = gid
            continue
        if known and gid in source.answers:
            extras.setdefault(anchor, []).append(cell)  # a duplicated answer runs after
            notes.setdefault(gid, []).append("the answer cell appears more than once; "
                                             "all copies ran in order")
            continue
        if known:
            continue  # a duplicated locked cell: the instructor's copy runs once
        if cell.get("cell_type") == "code" and not gid:
            unclaimed.append(cell)
        extras.setdefault(anchor, []).append(cell)
    for function in source.functions:
        if function in by_id:
            continue
        for cell in unclaimed:
            if function in defined_functions(cell_text(cell)):
                by_id[function] = cell
                for group in extras.values():
                    if cell in group:
                        group.remove(cell)
                notes.setdefault(function, []).append(
                    "the answer cell had lost its nbgrader metadata; it was found by the "
                    "function it defines")
                unclaimed.remove(cell)
                break
        else:
            notes.setdefault(function, []).append("missing")
    steps = [Step(Role.EXTRA, "", c) for c in extras[None]]
    for source_cell in source.notebook.cells:
        meta = nbgrader_meta(source_cell)
        gid = str(meta.get("grade_id") or "")
        if meta.get("solution"):
            if gid in by_id:
                function = course_meta(source_cell).get("function", "")
                steps.append(Step(Role.ANSWER, function, by_id[gid], source_cell))
        elif gid in source.tests:
            steps.append(Step(Role.TEST, source.tests[gid].function, source_cell, source_cell))
        else:
            steps.append(Step(Role.SETUP, "", source_cell, source_cell))
        steps += [Step(Role.EXTRA, "", c) for c in extras.get(gid, [])]
    return steps, notes
