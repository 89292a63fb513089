"""Shared helpers of the grading tests: build a variant of a notebook, grade it."""

import contextlib
import copy
import dataclasses
import functools
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.contract import assignment_of
from autograder.grading import notebook as grading
from autograder.grading.course import SOURCE, Course
from autograder.sandbox import bwrap, process
from autograder.sandbox.limits import Limits
from autograder.sandbox.process import SandboxPool

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "exercises"
SITE = ROOT / "_build" / "html"
FAST = Limits(cell_seconds=20, notebook_seconds=120, memory_mb=2048)
_pools = {}

__all__ = ["assignment_of"]


@functools.cache
def course_of_this_checkout():
    return Course.load()


def pool(limits=FAST):
    """One sandbox pool per test process and set of limits (a sandbox holds the memory
    and process limits it was started with)."""
    key = dataclasses.astuple(limits)
    if key not in _pools:
        _pools[key] = SandboxPool(limits, spare=1)
    return _pools[key]


def close_pools():
    """Stop the sandboxes started ahead (conftest.py, at the end of the session)."""
    while _pools:
        _pools.popitem()[1].close()


@contextlib.contextmanager
def watched_pool(limits):
    """A pool bounded by the memory watch, as an ordinary user on cgroup v1 gets it, even
    as root (the sandbox then runs as root's own user in its user namespace: only the
    memory bounds are under test)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(process, "control_groups", lambda: None)
        patch.setattr(bwrap, "sandbox_uid", lambda has_cgroups: None)
        sandboxes = SandboxPool(limits, spare=0)
        try:
            assert "memory watch" in sandboxes.enforcement
            yield sandboxes  # sandboxes start when taken: the patches hold until the end
        finally:
            sandboxes.close()


def bounded_pool(bound, limits):
    """`usual`: the pool this user gets (a cgroup as root here); `memory watch`: the
    pool of `watched_pool`. A context manager either way."""
    return contextlib.nullcontext(pool(limits)) if bound == "usual" else watched_pool(limits)


class _NoHost:
    """The host of a sandbox test whose cells ask for neither checks nor references."""

    def judge(self, name, suite, call):
        raise AssertionError(f"a sandbox test asked to judge {name}")

    def reference(self, name, args):
        raise AssertionError(f"a sandbox test asked for the reference {name}")


NO_HOST = _NoHost()


def source_notebook(assignment):
    return nbformat.read(str(SOURCE / assignment / f"{assignment}.ipynb"), as_version=4)


def with_answer(nb, grade_id, code):
    """A copy of `nb` whose answer cell `grade_id` holds `code`."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = code
            return nb
    raise KeyError(grade_id)


def grade(assignment, nb, limits=FAST, sandboxes=None):
    """Grade one notebook in the sandbox (from `sandboxes`, a SandboxPool, if given):
    {function: ItemResult}."""
    course = course_of_this_checkout()
    items, _, _ = grading.grade(course, course.assignments[assignment], nbformat.from_dict(nb),
                                limits, sandboxes or pool(limits))
    return {i.item: i for i in items}


def answer_source(nb, grade_id):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return cell.source
    raise KeyError(grade_id)


def grade_cli(*args, timeout=600, **kwargs):
    """`python -m autograder grade ...` as an instructor runs it."""
    return subprocess.run([sys.executable, "-m", "autograder", "grade", *map(str, args),
                           "--quiet"], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, **kwargs)


def toc_pages():
    """The book's pages in reading order, from _toc.yml (paths without suffix)."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [chapter["file"] for chapter in part["chapters"]]
    return pages
