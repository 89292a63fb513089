"""The course contract: what is graded, once.

Every graded function (its assignment, outputs, the earlier functions it may
call, its tolerances), the grade ids of its test cells and the inputs of its
hidden tests are defined here and nowhere else. The reference, the build, the
grader, the tests and the benchmarks all read this package. It imports only
NumPy: no nbgrader, no torch, no jupytext.
"""

from .cases import Case, Suite, cases
from .functions import (
    ASSIGNMENTS,
    GRADED,
    HIDDEN_TESTS_MODULE,
    METADATA_KEY,
    GradedFunction,
    TestCell,
    assignment_of,
)
from .scalar_functions import SCALAR_FUNCTIONS, ScalarFunction

__all__ = [
    "ASSIGNMENTS",
    "GRADED",
    "HIDDEN_TESTS_MODULE",
    "METADATA_KEY",
    "SCALAR_FUNCTIONS",
    "Case",
    "GradedFunction",
    "ScalarFunction",
    "Suite",
    "TestCell",
    "assignment_of",
    "cases",
]
