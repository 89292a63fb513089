"""Release: solutions/ -> solutions/source -> exercises/, through nbgrader."""

import shutil
import tempfile
from pathlib import Path

from autograder.nbgrader_setup import nbgrader_api

from . import authoring

EXERCISES = authoring.ROOT / "exercises"


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
