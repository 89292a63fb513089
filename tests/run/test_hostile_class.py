"""One class, one Canvas download, where each of several students tries one thing against
the grading process itself; two honest students beside them.

The attacks: writing to the grader's channel (a frame of a gigabyte), making the
grader hold 60 MB of output, noise plots in every cell, an earlier function's
reference asked for on huge inputs, a megabyte of crafted Markdown with a script,
notebooks whose structure or metadata is broken or hostile, a name that is a
spreadsheet formula, a file name with terminal escapes, a NumPy matrix returned for
an array. Pass means: exit 0, no hang, a row for every notebook, the honest
students' full marks untouched, feedback pages that run no student script and
CSVs without formulas, names escaped on the terminal, and the grading process's
peak memory within PEAK_BOUND_MIB (measured in the command's own process).
"""

import copy
import csv
import io
import json
import re
import subprocess
import sys
import zipfile

import nbformat
import pytest
from grading_helpers import ROOT, answer_source, source_notebook, with_answer

pytestmark = pytest.mark.slow
A = "01_recurrence"
PEAK_BOUND_MIB = 512  # measured here: 292 MiB with these attacks, 153 MiB for 16 honest notebooks
SOCKET = ("import os, stat, struct, time\n"
          "fd = next(int(f) for f in os.listdir('/proc/self/fd')\n"
          "          if os.path.exists(f'/proc/self/fd/{f}')\n"
          "          and stat.S_ISSOCK(os.fstat(int(f)).st_mode))\n")


def correct():
    return source_notebook(A)


def with_cell(nb, code, cell_type="code", position=None):
    nb = copy.deepcopy(nb)
    make = nbformat.v4.new_code_cell if cell_type == "code" else nbformat.v4.new_markdown_cell
    nb.cells.insert(len(nb.cells) if position is None else position, make(code))
    return nb


def as_json(nb, edit):
    data = json.loads(nbformat.writes(nb))
    edit(data)
    return json.dumps(data)


def answer_cell(data, grade_id):
    return next(c for c in data["cells"]
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)


def hostile_notebooks():
    """(Canvas label, id) -> notebook text; each breaks one thing."""
    nb = correct()
    noise = ("import numpy as np, matplotlib.pyplot as plt\n"
             "for _ in range(4):\n    plt.figure(figsize=(9, 9)).gca().imshow("
             "np.random.rand(500, 500))")
    crafted = "*a " * 100_000 + "**_" * 100_000
    other = source_notebook("02_bptt")
    copied = next(c for c in other.cells
                  if c.metadata.get("nbgrader", {}).get("grade_id") == "test_rnn_cell_backward")
    cases = {
        "channel": with_cell(nb, SOCKET + "os.write(fd, struct.pack('!I', 1 << 30))\n"
                                          "time.sleep(120)", position=3),
        "streams": with_cell(nb, "import sys\nsys.modules['autograder.sandbox.child']._cut."
                                 "__globals__['STREAM_CHARS'] = 10**9\nprint('x' * (60 << 20))"),
        "noise": nbformat.from_dict({**nb, "cells": [
            c for cell in nb.cells
            for c in ([cell, nbformat.v4.new_code_cell(noise)] if cell.cell_type == "code"
                      else [cell])]}),
        "slowref": with_answer(nb, "rnn_forward", answer_source(nb, "rnn_forward").replace(
            "    ### BEGIN SOLUTION\n", "    ### BEGIN SOLUTION\n    big = np.ones((1, 1000), "
            "np.int8)\n    rnn_cell_forward(big, np.ones((1, 1000), np.int8), np.ones((1000, "
            "1000), np.int8), np.ones((1000, 1000), np.int8), np.ones(1000, np.int8))\n", 1)),
        "markdown": with_cell(nb, crafted + "\n\n<script>document.title='pwned'</script>"
                              "<img src=x onerror=\"document.title='pwned'\">", "markdown", 2),
        "metalist": as_json(nb, lambda d: answer_cell(d, "softmax").__setitem__("metadata", [])),
        "metastr": as_json(nb, lambda d: answer_cell(d, "softmax")["metadata"].__setitem__(
            "nbgrader", "<script>x</script>")),
        "nullsource": as_json(nb, lambda d: answer_cell(d, "softmax").__setitem__("source",
                                                                                  None)),
        "notype": as_json(nb, lambda d: answer_cell(d, "softmax").pop("cell_type")),
        "gradeanswer": as_json(nb, lambda d: answer_cell(d, "softmax")["metadata"][
            "nbgrader"].update(grade=True, points=99)),
        "copiedtest": with_cell(nb, copied.source),
        "markupid": as_json(nb, lambda d: d["cells"].append({
            "cell_type": "code", "source": "x = 1", "outputs": [], "execution_count": None,
            "metadata": {"nbgrader": {"grade": True, "grade_id": "<img src=x onerror=alert(1)>",
                                      "points": 1, "solution": False, "locked": False}}})),
        "matrix": with_answer(nb, "softmax", answer_source(nb, "softmax").replace(
            "    ### END SOLUTION", "    return np.ma.masked_array(np.asarray(\n"
            "        np.exp(z - z.max(axis=-1, keepdims=True)) / np.exp(\n"
            "        z - z.max(axis=-1, keepdims=True)).sum(axis=-1, keepdims=True)))\n"
            "    ### END SOLUTION")),
    }
    notebooks = {(label, 10100 + k): (text if isinstance(text, str) else nbformat.writes(text))
                 for k, (label, text) in enumerate(cases.items())}
    notebooks[("=HYPERLINK(\"x\")", 10200)] = nbformat.writes(nb)
    return notebooks


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-class")
    uploads, out = root / "uploads", root / "results"
    uploads.mkdir()
    honest = nbformat.writes(correct())
    members = {f"{label}_{sid}_{9000 + sid}_{A}.ipynb": text
               for (label, sid), text in hostile_notebooks().items()}
    members[f"ann_10001_9001_{A}.ipynb"] = honest
    members[f"ben_10002_9002_{A}.ipynb"] = honest
    members["eve_10003_9003_\x1b[2J\x1b]0;owned\x07notes.txt"] = "terminal escapes"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    (uploads / "submissions.zip").write_bytes(buffer.getvalue())
    # The command in a process of its own, which reports its peak memory (VmHWM) at the end.
    code = ("import json, sys\nfrom autograder.run.startup import skip_iri_checker\n"
            "skip_iri_checker()\nfrom autograder.run.cli import main\n"
            f"code = main(['grade', {str(uploads)!r}, '--out', {str(out)!r}, '--quiet', "
            "'--jobs', '2', '--cell-timeout', '15'])\n"
            "peak = next(int(l.split()[1]) for l in open('/proc/self/status') "
            "if l.startswith('VmHWM'))\n"
            "print(json.dumps({'code': code, 'peak_kib': peak}))")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=1500)
    report = json.loads(run.stdout.strip().splitlines()[-1])
    rows = list(csv.DictReader(open(out / "grades.csv", newline="")))
    return {"run": run, "report": report, "out": out, "rows": rows,
            "students": {f"{sid}" for (_, sid) in hostile_notebooks()} | {"10001", "10002"}}


def test_exit_zero_and_a_row_for_every_notebook(graded):
    assert graded["report"]["code"] == 0, graded["run"].stderr[-3000:]
    assert {r["student"] for r in graded["rows"]} == graded["students"]


def test_honest_students_keep_full_marks(graded):
    for student in ("10001", "10002", "10200"):
        mine = [r for r in graded["rows"] if r["student"] == student]
        assert mine and all(r["status"] == "ok" for r in mine), mine


def outcome(graded, student, item):
    return next(r for r in graded["rows"] if r["student"] == student and r["item"] == item)


def test_each_attack_ends_as_its_own_outcome(graded):
    sid = {label: sid for (label, sid) in hostile_notebooks()}
    for attack in ("channel", "streams"):  # the whole notebook, and why
        rows = [r for r in graded["rows"] if r["student"] == str(sid[attack])]
        assert all(r["status"] == "tampered" and "channel" in r["message"] for r in rows), rows
    assert outcome(graded, str(sid["noise"]), "softmax")["status"] == "ok"
    slow = outcome(graded, str(sid["slowref"]), "rnn_forward")
    assert slow["status"] == "error" and "at most 32768 numbers" in slow["message"], slow
    assert outcome(graded, str(sid["markdown"]), "softmax")["status"] == "ok"
    for broken in ("metalist", "metastr", "gradeanswer", "copiedtest", "markupid", "matrix"):
        rows = [r for r in graded["rows"] if r["student"] == str(sid[broken])]
        assert all(r["status"] in ("ok", "tampered") for r in rows), (broken, rows)
        assert outcome(graded, str(sid[broken]), "rnn_forward")["status"] == "ok", broken
    assert outcome(graded, str(sid["matrix"]), "softmax")["status"] == "ok"
    for broken in ("nullsource", "notype"):
        row = outcome(graded, str(sid[broken]), "softmax")
        assert row["status"] in ("error", "missing") and "cell" in row["message"], row
        assert outcome(graded, str(sid[broken]), "rnn_output")["status"] == "ok"


def test_the_grading_process_stays_within_its_memory_bound(graded):
    assert graded["report"]["peak_kib"] < PEAK_BOUND_MIB << 10, graded["report"]


def test_feedback_pages_run_no_student_script(graded):
    for page in (graded["out"] / "feedback").rglob("*.html"):
        html = page.read_text()
        assert "Content-Security-Policy" in html
        assert "<script>document.title" not in html and " onerror=" not in html
        assert "<img src=x" not in html and page.stat().st_size < 40 << 20


def test_csv_cells_are_never_formulas(graded):
    for name in ("grades.csv", "totals.csv", "canvas.csv"):
        for row in csv.reader(open(graded["out"] / name, newline="")):
            for cell in row:
                assert not cell.startswith(("=", "@", "+")) and not re.match(r"-[^\d.]", cell), \
                    (name, cell)
    canvas = (graded["out"] / "canvas.csv").read_text()
    assert "'=HYPERLINK" in canvas


def test_names_are_escaped_on_the_terminal_and_in_the_summary(graded):
    assert "\x1b" not in graded["run"].stderr and "\\x1b[2J" in graded["run"].stderr
    summary = (graded["out"] / "summary.md").read_text()
    assert "\x1b" not in summary and "<script" not in summary
