"""Shared helpers of the release and site tests: what must never reach a student."""

import re

from autograder.contract import GRADED, HIDDEN_TESTS_MODULE
from solutions import reference
from solutions.build import authoring

# Text that only the instructor's copy holds: solution and hidden-test markers, the
# hidden tests' imports, the reference package.
LEAK_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
                HIDDEN_TESTS_MODULE, "use_reference_for", "solutions.reference")


def solution_lines(name):
    """The distinctive lines of a reference answer (inside its solution block)."""
    source = authoring.reference_source(name)
    body = source.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
    # The docstrings state the spec's equations and reach students by design.
    docstring = "\n".join(getattr(reference, f).__doc__ or "" for f in GRADED)
    calls = re.compile(r"^[\w, ]+ = ({})\(".format("|".join(GRADED)))  # a test calls these too
    return [line.strip() for line in body.splitlines()
            if len(line.strip()) > 12 and not line.strip().startswith(("#", "return"))
            and not calls.match(line.strip()) and line.strip() not in docstring]
