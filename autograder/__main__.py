"""python -m autograder {release, grade}."""

import signal
import sys

# A Dask worker started by `--cluster local` imports this module again (multiprocessing's
# spawn) under another name: only the command runs.
if __name__ == "__main__":
    from .run.startup import INTERRUPTED, skip_iri_checker

    try:
        skip_iri_checker()  # before anything imports nbformat
        from .run.cli import main

        code = main()
    except KeyboardInterrupt:  # before the command has started, or as it ends
        print(INTERRUPTED, file=sys.stderr)
        code = 130
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the process is ending: nothing to stop
    sys.exit(code)
