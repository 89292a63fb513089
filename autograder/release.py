"""`python -m autograder release`: solutions/ -> exercises/, through nbgrader."""

import os
import shutil
import sys
import tempfile
from pathlib import Path

from . import authoring

EXERCISES = authoring.ROOT / "exercises"
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


def generate(names, source_dir, out_dir):
    """Run nbgrader generate_assignment on `names`; copy release notebooks to out_dir."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rnn-release-") as tmp:
        shutil.copytree(source_dir, Path(tmp) / "source")
        api = nbgrader_api(tmp)
        for name in names:
            result = api.generate_assignment(name, force=True, create=True)
            if not result["success"]:
                raise RuntimeError(f"nbgrader generate_assignment {name} failed:\n"
                                   f"{result.get('log', '')}{result.get('error', '')}")
            shutil.copyfile(Path(tmp) / "release" / name / f"{name}.ipynb",
                            out_dir / f"{name}.ipynb")
    return [out_dir / f"{n}.ipynb" for n in names]


def release(out_dir=EXERCISES):
    names = authoring.assignments()
    authoring.write_sources(names)
    return generate(names, authoring.SOURCE, out_dir)
