"""The instructors' page's quick start, followed literally on a fresh nbgrader course.

The page's code blocks named `quickstart-*` run as they are written, with the
course folder, the checkout and the grader's Python put in; a student fetches,
answers and submits between them through nbgrader's exchange, and fetches the
feedback at the end. The install block is checked apart (this suite runs in
the development environment, which holds requirements/grader.txt): its pins are
the development environment's, and they hold every package the grader imports.
"""

import ast
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from grading_helpers import ROOT, SOURCE

from autograder.contract import ANSWER_STUB

pytestmark = pytest.mark.slow
A = "01_recurrence"
PAGE = ROOT / "book" / "instructors.md"
BINDIR = Path(sys.executable).parent


def blocks():
    """name -> the text of each `{code-block}` named on the instructors' page."""
    found = re.findall(r"```\{code-block\} bash\n:name: (\S+)\n(.*?)```", PAGE.read_text(), re.S)
    return dict(found)


def bash(script, cwd, env):
    run = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=env,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, f"{script}\n{run.stdout}\n{run.stderr}"
    return run


def nbgrader(*args, cwd, env):
    return bash(" ".join(["nbgrader", *args]), cwd, env)


def test_the_quick_start_grades_a_fresh_course_and_hands_back_feedback(tmp_path):
    steps = blocks()
    assert {"quickstart-install", "quickstart-copy", "quickstart-release",
            "quickstart-grade"} <= set(steps)
    course, exchange, home = tmp_path / "course", tmp_path / "exchange", tmp_path / "home"
    course.mkdir()
    exchange.mkdir()
    exchange.chmod(0o777)
    home.mkdir()
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.course_id = 'rnn'\n"
        f"c.Exchange.root = {str(exchange)!r}\n")
    env = {**os.environ, "PATH": f"{BINDIR}{os.pathsep}{os.environ['PATH']}"}

    def literal(name):
        return (steps[name].replace("CHECKOUT/.venv-grader/bin/python", sys.executable)
                .replace("COURSE", str(course)))

    bash(literal("quickstart-copy"), ROOT, env)
    stub = re.search(r"^c\.ClearSolutions\.code_stub = (.*)$",
                     (course / "nbgrader_config.py").read_text(), re.M)
    assert ast.literal_eval(stub[1]) == {"python": ANSWER_STUB}
    bash(literal("quickstart-release"), ROOT, env)
    student = ["--Exchange.root=" + str(exchange), "--CourseDirectory.course_id=rnn"]
    nbgrader("fetch_assignment", A, *student, cwd=home, env=env)
    released = (home / A / f"{A}.ipynb").read_text()
    assert "raise NotImplementedError(\\\"not written yet" in released  # the website's stub
    shutil.copyfile(SOURCE / A / f"{A}.ipynb", home / A / f"{A}.ipynb")  # every answer right
    nbgrader("submit", A, *student, cwd=home, env=env)
    run = bash(literal("quickstart-grade"), ROOT, env)
    assert f"recorded into the nbgrader course {course}" in run.stdout
    nbgrader("fetch_feedback", A, *student, cwd=home, env=env)
    (page,) = (home / A / "feedback").glob(f"*/{A}.html")
    assert "Score: 18" in page.read_text()
    exported = (course / "grades.csv").read_text().splitlines()
    assert len(exported) == 2 and ",18.0," in exported[1]  # nbgrader export's own CSV
    assert (course / "autograder_results" / "grades.csv").is_file()


def pins(path):
    return {re.sub(r"[-_.]+", "-", line.split("==")[0]).lower(): line.split("==")[1]
            for line in path.read_text().splitlines() if "==" in line}


def test_the_grader_requirements_are_pinned_as_the_development_ones_and_suffice():
    grader, dev = pins(ROOT / "requirements" / "grader.txt"), pins(ROOT / "requirements" /
                                                                  "dev.txt")
    assert grader and all(dev.get(name) == version for name, version in grader.items())
    assert "torch" not in grader and "jupyter-book" not in grader
    distributions = importlib.metadata.packages_distributions()
    own = {"autograder", "solutions"}
    needed = set()
    for path in (ROOT / "autograder").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
            for name in names:
                top = name.split(".")[0]
                if top not in own and top not in sys.stdlib_module_names:
                    needed |= {re.sub(r"[-_.]+", "-", d).lower()
                               for d in distributions.get(top, [top])}
    assert needed <= set(grader), sorted(needed - set(grader))
