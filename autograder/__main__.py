"""python -m autograder {release, grade}."""

import sys

from .run.startup import skip_iri_checker

skip_iri_checker()  # before anything imports nbformat

from .run.cli import main  # noqa: E402

# A Dask worker started by `--cluster local` imports this module again (multiprocessing's
# spawn) under another name: only the command runs main.
if __name__ == "__main__":
    sys.exit(main())
