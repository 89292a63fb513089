"""Release: solutions/ -> solutions/source -> exercises/, through nbgrader."""

import os
import shutil
import sys
import tempfile
from pathlib import Path

from autograder.contract import ANSWER_STUB

from . import authoring

EXERCISES = authoring.ROOT / "exercises"


def nbgrader_api(root):
    """nbgrader's API on a course folder `root`, with the course's answer stub."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    # nbgrader checks its gradebook's schema by running `alembic`, found on PATH.
    bindir = str(Path(sys.executable).parent)
    os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    config = Config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.db_url = f"sqlite:///{Path(root) / 'gradebook.db'}"
    config.ClearSolutions.code_stub = {"python": ANSWER_STUB}
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


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
