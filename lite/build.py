"""Build the JupyterLite app into SITE/lite with ``jupyter lite build``, from scratch.

Every build starts from an empty staging folder and an empty output folder: JupyterLite's
task database (.jupyterlite.doit.db) and cache never outlive one build, so a stale record
can never skip writing the local ``pyodideUrl`` (the kernel would then ask a CDN and hang
offline). Nothing comes from the Python environment's own JupyterLab extensions
(``--ignore-sys-prefix``: nbgrader's would be copied in) but the Pyodide kernel's.
"""

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import jupyter_server

from . import APPS, FOLDER, pyodide

ROOT = pyodide.HERE.parent
EXERCISES = ROOT / "exercises"
CONFIG = pyodide.HERE / "jupyter-lite.json"
# Settings: every cell of a notebook is in the page, not only those in view (the browser's
# own search finds them all; the notebooks are short); and File → Download, JupyterLite's
# command that saves the notebook and downloads it, which its notebook app leaves out of
# the File menu.
SETTINGS = pyodide.HERE / "overrides.json"
KERNEL_EXTENSION = (Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyterlite"
                    / "pyodide-kernel-extension")
# The notebook app swaps the page's icon for these while the kernel is busy; JupyterLite
# does not ship them (requests for them fail), Jupyter Server does.
FAVICONS = Path(jupyter_server.__file__).parent / "static" / "favicons"
# Timestamps in the app (the notebooks' "last modified") are clamped to this instant, so
# that the same sources give the same site: 2026-01-01T00:00:00Z.
SOURCE_DATE_EPOCH = 1767225600
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"


def build(site):
    out = Path(site).resolve() / FOLDER
    shutil.rmtree(out, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="lite-") as staging:
        staging = Path(staging)
        pyodide.assemble(staging / "static" / "pyodide", staging)
        for config in (CONFIG, SETTINGS):
            shutil.copyfile(config, staging / config.name)
        # Built beside the staging folder, then moved: JupyterLite clamps the timestamps of
        # everything in its output folder's parent, which must not be the book's.
        built = staging / "output" / FOLDER
        command = [sys.executable, "-m", "jupyterlite_core", "build",
                   "--lite-dir", staging, "--output-dir", built, "--contents", EXERCISES,
                   *[arg for app in APPS for arg in ("--apps", app)],
                   "--ignore-sys-prefix", "--no-sourcemaps", "--no-unused-shared-packages",
                   f"--LiteBuildConfig.federated_extensions={KERNEL_EXTENSION}",
                   *[arg for wheel in pyodide.piplite_wheels()
                     for arg in ("--piplite-wheels", wheel)],
                   "--source-date-epoch", SOURCE_DATE_EPOCH]
        ran = subprocess.run([str(c) for c in command], cwd=staging, capture_output=True,
                             text=True)
        if ran.returncode:
            sys.exit(f"{ran.stdout}{ran.stderr}jupyter lite build failed ({ran.returncode})")
        shutil.move(built, out)
    shutil.copytree(FAVICONS, out / "static" / "favicons")
    shutil.rmtree(out / "doc")  # its pages only redirect to the lab app, which is not built
    check(out)
    print(f"browser exercises -> {out.relative_to(ROOT)} ({size(out) / 1e6:.1f} MB)")


def kernel_settings(out):
    config = json.loads((out / "jupyter-lite.json").read_text(encoding="utf-8"))
    return config["jupyter-config-data"]["litePluginSettings"][KERNEL_PLUGIN]


def check(out):
    """Fail the build where the app would reach outside the site."""
    settings = kernel_settings(out)
    local = [settings.get("pyodideUrl", ""), *settings.get("pipliteUrls", [])]
    if not all(url.startswith("./") for url in local) or not settings.get("pyodideUrl"):
        raise RuntimeError(f"the Pyodide kernel is not served by the site: {settings}")
    if settings.get("disablePyPIFallback") is not True:
        raise RuntimeError("the Pyodide kernel would fall back to PyPI")


def size(folder):
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
