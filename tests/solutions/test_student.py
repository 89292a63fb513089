"""The student's first hour, on a fresh virtual environment.

A student installs requirements/student.txt only (NumPy, Matplotlib, JupyterLab:
no torch, no book toolchain), downloads each notebook of exercises/ and runs it
top to bottom. Unanswered, every graded test cell that has visible tests must
fail with a message the student can act on (an AssertionError or the stub's
NotImplementedError, never a NameError or a chain of tracebacks) while every
other cell runs cleanly; with the reference answers pasted into the answer
cells, every test cell must pass. (A cell that is not a test may stop on the
stub's own NotImplementedError when it calls an unwritten answer, as an
ungraded demonstration does; any other error there is a bug.)

The install and each run are timed; the timings are printed (``pytest -s``) and
written to artifacts/student_timings.txt. Nothing is cached between runs except
pip's own cache; under pytest-xdist the workers of one run share one venv.
"""

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from filelock import FileLock
from grading_helpers import EXERCISES, ROOT, SOURCE

from autograder.contract import ANSWER_STUB

pytestmark = pytest.mark.slow

REQUIREMENTS = ROOT / "requirements" / "student.txt"
TIMINGS = ROOT / "artifacts" / "student_timings.txt"
NOTEBOOKS = sorted(p.name for p in EXERCISES.glob("*.ipynb"))
NOT_FOR_STUDENTS = ("torch", "jupyter-book", "jupyter_book", "sphinx", "nbgrader", "pytest")
READABLE_ERRORS = ("AssertionError", "NotImplementedError")
# The message of the stub that replaces every answer in the release.
STUB_MESSAGE = ast.literal_eval(re.search(r"NotImplementedError\((.*)\)", ANSWER_STUB).group(1))

# Runs inside the student's venv: execute one notebook the way "Run All" does.
RUNNER = '''
import json, sys, time
import nbformat
from nbclient import NotebookClient

source, target, workdir = sys.argv[1:4]
nb = nbformat.read(source, as_version=4)
client = NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                        resources={"metadata": {"path": workdir}})
kernel = list(client.create_kernel_manager().kernel_spec.argv)  # the kernel it will start
started = time.monotonic()
client.execute()
seconds = time.monotonic() - started
nbformat.write(nb, target)
print(json.dumps({"seconds": seconds, "kernel": kernel}))
'''


def student_environment(venv, jupyter_home):
    """The shell a student has: their venv first on PATH, nothing of ours around."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP",
                        "JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "MPLBACKEND")}
    ours = {str(ROOT / ".venv" / "bin"), str(Path(sys.executable).parent)}
    path = [p for p in env.get("PATH", os.defpath).split(os.pathsep) if p not in ours]
    env["PATH"] = os.pathsep.join([str(venv / "bin"), *path])
    env["VIRTUAL_ENV"] = str(venv)
    # A kernelspec or config in the user's home must not decide which Python runs.
    env["JUPYTER_DATA_DIR"] = str(jupyter_home / "data")
    env["JUPYTER_CONFIG_DIR"] = str(jupyter_home / "config")
    env["IPYTHONDIR"] = str(jupyter_home / "ipython")
    env["MPLCONFIGDIR"] = str(jupyter_home / "matplotlib")
    for key in ("JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
        Path(env[key]).mkdir(parents=True, exist_ok=True)
    return env


def run(command, env, timeout, what):
    started = time.monotonic()
    done = subprocess.run([str(c) for c in command], env=env, capture_output=True, text=True,
                          timeout=timeout)
    seconds = time.monotonic() - started
    assert done.returncode == 0, (f"{what} failed (exit {done.returncode}):\n"
                                  f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done, seconds


class Timings:
    """Timings shared by the xdist workers of one run, written out after every change."""

    def __init__(self, root):
        self.store = root / "timings.json"
        self.lock = FileLock(str(root / "timings.lock"))

    def record(self, key, seconds):
        print(f"\n[student timing] {key}: {seconds:.1f} s", flush=True)
        with self.lock:
            data = json.loads(self.store.read_text()) if self.store.exists() else {}
            data[key] = round(seconds, 1)
            self.store.write_text(json.dumps(data))
            TIMINGS.parent.mkdir(parents=True, exist_ok=True)
            lines = ["# The student's first hour (tests/test_student.py), seconds",
                     *(f"{k}\t{v:.1f}" for k, v in sorted(data.items()))]
            TIMINGS.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="session")
def shared_root(request, tmp_path_factory):
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if hasattr(request.config, "workerinput") else base) / "student"
    root.mkdir(exist_ok=True)
    return root


@pytest.fixture(scope="session")
def timings(shared_root):
    return Timings(shared_root)


@pytest.fixture(scope="session")
def student(shared_root, timings):
    """(python, env) of a fresh venv with requirements/student.txt installed."""
    venv = shared_root / "venv"
    env = student_environment(venv, shared_root / "jupyter")
    with FileLock(str(shared_root / "venv.lock")):
        ready = shared_root / "venv.ready"
        if not ready.exists():
            if venv.exists():
                shutil.rmtree(venv)
            started = time.monotonic()
            run([sys.executable, "-m", "venv", venv], env, 300, "python -m venv")
            run([venv / "bin" / "python", "-m", "pip", "install", "--disable-pip-version-check",
                 "-r", REQUIREMENTS], env, 1200, "pip install -r requirements/student.txt")
            timings.record("install (venv + pip install -r requirements/student.txt)",
                           time.monotonic() - started)
            ready.write_text("ok")
    return venv / "bin" / "python", env


def test_the_student_gets_only_the_student_requirements(student):
    python, env = student
    done, _ = run([python, "-m", "pip", "list", "--format=json",
                   "--disable-pip-version-check"], env, 120, "pip list")
    installed = {p["name"].lower().replace("_", "-") for p in json.loads(done.stdout)}
    for name in NOT_FOR_STUDENTS:
        assert name.replace("_", "-") not in installed, f"{name} reached the student's venv"
    for line in REQUIREMENTS.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert line.split("==")[0].lower() in installed


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def is_test(cell):
    return cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade", False)


def has_visible_code(cell):
    """False for a test cell whose tests are all hidden (only comments reach the student)."""
    return any(line.strip() and not line.strip().startswith("#")
               for line in cell.source.splitlines())


def errors(cell):
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def describe(error):
    return f"{error.ename}: {error.evalue}"


def execute(student, timings, tmp_path, nb, label, key):
    python, env = student
    source, target = tmp_path / f"{label}.ipynb", tmp_path / f"{label}.out.ipynb"
    nbformat.write(nb, source)
    runner = tmp_path / "run_notebook.py"
    runner.write_text(RUNNER)
    done, seconds = run([python, runner, source, target, tmp_path], env, 900,
                        f"running {label} in the student's venv")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    kernel = report["kernel"][0]
    venv = python.parent.parent
    assert kernel in ("python", "python3") or Path(kernel).is_relative_to(venv), (
        f"the notebook ran on {kernel}, not on the student's venv")
    timings.record(key, seconds)
    return nbformat.read(target, as_version=4)


def with_reference_answers(nb, name):
    source = nbformat.read(SOURCE / Path(name).stem / name, as_version=4)
    answers = {grade_id(c): c.source for c in source.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    filled = 0
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            assert grade_id(cell) in answers, f"{name}: no reference answer for {grade_id(cell)}"
            cell.source = answers[grade_id(cell)]
            filled += 1
    assert filled == len(answers), f"{name}: the release and the source differ in answer cells"
    return nb


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_first_hour(student, timings, tmp_path, name):
    release = nbformat.read(EXERCISES / name, as_version=4)
    tests = [c for c in release.cells if is_test(c)]
    assert tests, f"{name} has no graded test cell"

    # 1. Downloaded and run as it is: every visible test fails, and says why.
    ran = execute(student, timings, tmp_path, release, "unanswered",
                  f"{name} unanswered (Run All)")
    problems, failed, hidden_only, stopped_on_stub = [], 0, [], []
    for index, cell in enumerate(ran.cells):
        where = f"cell {index} ({grade_id(cell)})"
        found = errors(cell)
        if is_test(cell) and has_visible_code(cell):
            if len(found) != 1:
                problems.append(f"{where}: a test cell of an unanswered notebook should fail "
                                f"once, got {[describe(e) for e in found]}")
                continue
            error = found[0]
            traceback = ANSI.sub("", "\n".join(error.traceback))
            if error.ename not in READABLE_ERRORS or not error.evalue.strip():
                problems.append(f"{where}: unreadable failure {describe(error)}")
            elif "During handling of the above exception" in traceback or \
                    "The above exception was the direct cause" in traceback:
                problems.append(f"{where}: a chain of tracebacks for {describe(error)}")
            else:
                failed += 1
        elif found and not is_test(cell) and all(
                e.ename == "NotImplementedError" and e.evalue == STUB_MESSAGE for e in found):
            # A cell that calls (or is) an unwritten answer, e.g. an ungraded
            # demonstration "run this once f passes": it stops on the stub itself.
            stopped_on_stub.append(grade_id(cell))
        elif found:
            problems.append(f"{where}: a cell that is not a visible test raised "
                            f"{[describe(e) for e in found]}")
        elif is_test(cell):
            hidden_only.append(grade_id(cell))
    assert not problems, f"{name}, unanswered:\n" + "\n".join(problems)
    assert failed, f"{name}: no visible test failed on the unanswered notebook"
    print(f"[student] {name}: unanswered, {failed} visible test cells fail readably; "
          f"{len(hidden_only)} test cells hold hidden tests only {hidden_only}; other cells "
          f"stopping on the unanswered stub: {stopped_on_stub}")

    # 2. With the reference answers pasted in: every cell runs, every test passes.
    answered = with_reference_answers(nbformat.read(EXERCISES / name, as_version=4), name)
    ran = execute(student, timings, tmp_path, answered, "answered",
                  f"{name} with the reference answers (Run All)")
    problems = [f"cell {i} ({grade_id(c)}): {[describe(e) for e in errors(c)]}"
                for i, c in enumerate(ran.cells) if errors(c)]
    assert not problems, f"{name} with the reference answers:\n" + "\n".join(problems)
    warnings = [f"cell {i} ({grade_id(c)}): {o.text.strip()[:200]}"
                for i, c in enumerate(ran.cells) for o in c.get("outputs", [])
                if o.output_type == "stream" and o.name == "stderr"]
    assert not warnings, f"{name} with the reference answers writes to stderr:\n" + \
        "\n".join(warnings)
