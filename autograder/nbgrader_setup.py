"""nbgrader as this course configures it: one place for the API object and its settings."""

import os
import sys
from pathlib import Path

# What a student finds in place of each answer; the message is what a test shows
# until the function is written.
STUB = ('# YOUR CODE HERE\n'
        'raise NotImplementedError("not written yet: replace this line with your code")')


def alembic_on_path():
    """nbgrader checks its gradebook's schema by running `alembic`, found on PATH."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def nbgrader_api(root, db_path=None):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    alembic_on_path()
    config = Config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.db_url = f"sqlite:///{db_path or Path(root) / 'gradebook.db'}"
    config.Exchange.root = str(Path(root) / "exchange")
    config.ClearSolutions.code_stub = {"python": STUB}
    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir=coursedir, config=config)
