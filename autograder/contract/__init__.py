"""The course contract: what is graded, once.

Every graded function (its assignment, outputs, the earlier functions it may
call, its tolerances), the grade ids of its test cells and the inputs of its
hidden tests are defined here and nowhere else, with the vocabulary of outcomes
(`Status`, the `status` column of grades.csv). The reference, the build, the
grader, the tests and the benchmarks all read this package. It imports only
NumPy: no nbgrader, no torch, no jupytext.
"""

from .cases import Case, Suite, cases
from .functions import (
    ANSWER_STUB,
    ASSIGNMENTS,
    ATOL,
    GRADED,
    HIDDEN_TESTS_MODULE,
    METADATA_KEY,
    RTOL,
    GradedFunction,
    TestCell,
    assignment_of,
)
from .scalar_functions import SCALAR_FUNCTIONS, ScalarFunction
from .status import Status, worst

__all__ = [
    "ANSWER_STUB",
    "ASSIGNMENTS",
    "ATOL",
    "GRADED",
    "HIDDEN_TESTS_MODULE",
    "METADATA_KEY",
    "RTOL",
    "SCALAR_FUNCTIONS",
    "Case",
    "GradedFunction",
    "ScalarFunction",
    "Status",
    "Suite",
    "TestCell",
    "assignment_of",
    "cases",
    "worst",
]
