"""What the hidden tests in `solutions/source` import (`check`, `use_reference_for`).

Under our grader (`python -m autograder grade`) the sandbox serves a stand-in
module under this name that asks the grading process to judge; the reference
never enters the student's process. Under stock `nbgrader autograde` this
module judges in-process, with the same cases and the same verdicts, so both
graders give the same scores (where the kernel can import this package).
"""

from ..contract import GRADED
from .course import reference
from .judge import call_in_process, run_check


def use_reference_for(name, namespace):
    """Grade `name` on its own merits: the earlier functions it may call are
    replaced by the reference versions in the notebook's namespace."""
    for dep in GRADED[name].deps:
        namespace[dep] = getattr(reference(), dep)


def check(name, fn, suite="main"):
    """Raise AssertionError unless `fn` matches the reference on `suite`."""
    verdict = run_check(name, suite, (lambda args: call_in_process(fn, args))
                        if callable(fn) else None, getattr(reference(), name))
    if not verdict.passed:
        raise AssertionError(verdict.message)
