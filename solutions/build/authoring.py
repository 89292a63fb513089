"""Build the nbgrader source notebooks from their authored text.

A chapter's exercise is written once, as a jupytext percent script in
`solutions/notebooks/`, and its answers are written once, as the reference
functions in `solutions/reference/`. This module splices the two together:

- `# %% answer="rnn_forward"` becomes the answer cell holding exactly the
  reference's source (its `### BEGIN SOLUTION` block is what nbgrader
  strips for students);
- `# %% tests="rnn_forward"` becomes the graded test cell: the visible
  tests as written, then a hidden check against the reference; an
  edge-case test cell with hidden checks follows it;
- a line `#: case rnn_forward N=2 T=3 D=4 H=3 seed=5` inside a test cell
  becomes the literal inputs and expected outputs of one small case, the
  expected values computed by PyTorch (the oracle).
"""

import inspect
import shlex
from pathlib import Path

import jupytext
import nbformat
import numpy as np

from autograder.contract import ASSIGNMENTS, GRADED, HIDDEN_TESTS_MODULE, METADATA_KEY, Case

ROOT = Path(__file__).resolve().parents[2]
AUTHORED = ROOT / "solutions" / "notebooks"
SOURCE = ROOT / "solutions" / "source"
VISIBLE_HELPERS = Path(__file__).with_name("visible_helpers.py")


def _meta(grade_id, *, solution=False, grade=False, locked=True, points=None, intent=None):
    """nbgrader's cell metadata, and what the cell is for under `METADATA_KEY`."""
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta, **({METADATA_KEY: intent} if intent else {})}


def _reference():
    from solutions import reference

    return reference


def reference_source(name):
    return inspect.getsource(getattr(_reference(), name)).rstrip() + "\n"


def _array_literal(value):
    value = np.asarray(value)
    text = np.array2string(value, separator=", ", precision=10, floatmode="maxprec",
                           threshold=10**6, max_line_width=92, suppress_small=False)
    text = "\n".join(line.rstrip() for line in text.replace("\n", "\n    ").split("\n"))
    dtype = ", dtype=np.int64" if value.dtype.kind in "iu" else ""
    return f"np.array({text}{dtype})"


def _literal(value):
    if isinstance(value, dict):
        inner = ", ".join(f"{k!r}: {_literal(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, (bool, int, np.integer)):
        return repr(int(value)) if not isinstance(value, bool) else repr(value)
    if isinstance(value, (tuple, list)):
        inner = ", ".join(_literal(v) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    if isinstance(value, float):
        return repr(round(value, 10))
    return _array_literal(value)


def _rounded(value):
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(_rounded(v) for v in value)
    if isinstance(value, float):
        return round(value, 8)
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return np.round(value, 8)
    return value


def expand_case(line):
    """`#: case NAME key=value ...` -> assignments of inputs and expected outputs."""
    from solutions import oracle, reference

    words = shlex.split(line[len("#: case"):])
    name, options = words[0], dict(w.split("=", 1) for w in words[1:])
    sizes = {k: int(v) for k, v in options.items() if k in "NTDHK" or k == "seed"}
    case = Case("visible", scale=float(options.get("scale", 1.0)), **sizes)
    function = GRADED[name]
    args = _rounded(function.make(np.random.default_rng(case.seed), case))
    expected = getattr(oracle, name)(*args)
    if len(function.outputs) == 1:
        expected = (expected,)
    arg_names = list(inspect.signature(getattr(reference, name)).parameters)
    lines = [f"{a} = {_literal(v)}" for a, v in zip(arg_names, args)]
    lines += [f"expected_{o} = {_literal(_clean(v))}"
              for o, v in zip(function.outputs, expected)]
    return "\n".join(lines)


def _clean(value):
    """Expected values printed to 10 significant digits are plenty for 1e-6 checks."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "iu":
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(_clean(v) for v in value)
    if isinstance(value, (float, np.floating)) or np.ndim(value) == 0:
        return float(np.format_float_positional(float(value), precision=10, unique=False,
                                                fractional=False))
    return np.asarray(value, dtype=np.float64)


def _hidden(lines):
    return "### BEGIN HIDDEN TESTS\n" + "\n".join(lines) + "\n### END HIDDEN TESTS"


def _test_cells(name, visible):
    """The graded test cells of `name`: the visible tests with the main hidden suite,
    then the edge suite. Their intent is recorded in the cell metadata."""
    function = GRADED[name]
    prelude = [f"from {HIDDEN_TESTS_MODULE} import check, use_reference_for"]
    if function.deps:
        prelude.append(f'use_reference_for("{name}", globals())')
    lengths = " and lengths that differ within a batch" if "lengths" in inspect.signature(
        getattr(_reference(), name)).parameters else ""
    cells = []
    for test in function.test_cells:
        call = f'check("{name}", {name}, suite="{test.suite.value}")'
        if test.suite == "main":
            source = _hidden(prelude) + "\n" + visible.strip() + "\n" + _hidden([call])
        else:
            source = ("# Hidden tests: the edge sizes N = T = D = H = 1, saturating inputs"
                      f"{lengths};\n# inputs must be left unchanged.\n"
                      + _hidden([*prelude, call]))
        intent = {"function": name, "suite": test.suite.value, "deps": list(function.deps)}
        cells.append(nbformat.v4.new_code_cell(source, metadata=_meta(
            test.grade_id, grade=True, points=test.points, intent=intent)))
    return cells


def _expand_cases(source):
    return "\n".join(expand_case(line) if line.startswith("#: case") else line
                     for line in source.split("\n"))


def build_source(authored_path):
    """Return the nbgrader source notebook for one authored chapter script."""
    authored = jupytext.reads(Path(authored_path).read_text(), fmt="py:percent")
    slug = Path(authored_path).stem
    cells = []
    for n, cell in enumerate(authored.cells):
        meta = cell.metadata
        locked_id = f"{slug}-cell-{n:02d}"
        if cell.cell_type == "markdown":
            cells.append(nbformat.v4.new_markdown_cell(cell.source, metadata=_meta(locked_id)))
        elif "answer" in meta:
            code = reference_source(meta["answer"])
            head = cell.source.strip()
            code = (head + "\n\n" + code if head else code).rstrip()
            intent = {"function": meta["answer"]} if meta["answer"] in GRADED else None
            cells.append(nbformat.v4.new_code_cell(
                code, metadata=_meta(meta["answer"], solution=True, locked=False,
                                     intent=intent)))
        elif "tests" in meta:
            cells += _test_cells(meta["tests"], _expand_cases(cell.source))
        elif "helpers" in meta:
            helpers = VISIBLE_HELPERS.read_text().strip()
            cells.append(nbformat.v4.new_code_cell(helpers, metadata=_meta(locked_id)))
        else:
            cells.append(nbformat.v4.new_code_cell(cell.source, metadata=_meta(locked_id)))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python",
                                  "name": "python3"},
                   "language_info": {"name": "python"}}
    for k, cell in enumerate(nb.cells):
        cell.id = f"{slug[:2]}-{k:03d}"
    return nb


def assignments():
    """The assignments authored here; each must be one of the contract's."""
    names = sorted(p.stem for p in AUTHORED.glob("[0-9][0-9]_*.py"))
    unknown = sorted(set(names) - set(ASSIGNMENTS))
    if unknown:
        raise ValueError(f"authored notebooks without a contract entry: {unknown}")
    return names


def write_sources(names=None):
    written = []
    for name in names or assignments():
        nb = build_source(AUTHORED / f"{name}.py")
        path = SOURCE / name / f"{name}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(nbformat.writes(nb) + "\n")
        written.append(path)
    return written
