"""The course's grading machinery: the contract, sandboxed autograding, feedback."""

import sys

# nbformat's validator loads jsonschema's format checkers; the IRI checker compiles a
# grammar at import (0.6 s of every grading run's start-up). Notebook schemas use no
# IRI format, and jsonschema skips a checker whose module cannot be imported.
sys.modules.setdefault("rfc3987_syntax", None)
