"""What each process of the command does first: its own (see `autograder.__main__`) and
every Dask worker's (`cluster.py`) skip a slow import; the command's own says one line
when Ctrl-C stops it, even before it has started."""

import sys

INTERRUPTED = "interrupted: what was graded is saved; run the same command again to finish"


def skip_iri_checker() -> None:
    """nbformat's validator loads jsonschema's format checkers; the IRI checker compiles
    a grammar at import (0.6 s to 2.5 s of every process's start-up). Notebook schemas
    use no IRI format, and jsonschema skips a checker whose module cannot be imported."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
