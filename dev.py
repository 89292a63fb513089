#!/usr/bin/env python3
"""One entry point for the two jobs of this repository, on a fresh machine.

    python3 dev.py book   # build the website into _build/html
    python3 dev.py test   # run the whole test suite (lint, types, unit, grading, site)

Each makes (or reuses) the virtual environment .venv from the pinned
requirements/dev.txt; it needs only Python 3.11 with pip and venv.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
LOCK = ROOT / "requirements" / "dev.txt"


def run(*command, **kwargs):
    print("+", " ".join(map(str, command)), flush=True)
    return subprocess.run([str(c) for c in command], cwd=ROOT, **kwargs).returncode


def ensure_venv():
    stamp = VENV / ".installed"
    wanted = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if stamp.is_file() and stamp.read_text() == wanted and PYTHON.exists():
        return
    if not PYTHON.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "-r", str(LOCK)], check=True)
    subprocess.run([*pip, "--no-deps", "--no-build-isolation", "-e", str(ROOT)], check=True)
    stamp.write_text(wanted)


def env():
    environment = dict(os.environ)
    environment["PATH"] = f"{VENV / 'bin'}{os.pathsep}{environment.get('PATH', '')}"
    environment.setdefault("PYTHONHASHSEED", "0")
    return environment


def book():
    """The website, then its exercises in the browser (JupyterLite) in _build/html/lite."""
    ensure_venv()
    ensure_system_packages(("npm", "npm"))  # fetches the Pyodide runtime from npm
    started = time.monotonic()
    code = run(VENV / "bin" / "jupyter-book", "build", ".", "--builder", "html", "-W", "-n",
               "--keep-going", env=env())
    code = run(PYTHON, "-m", "lite", "build", ROOT / "_build" / "html", env=env()) or code
    print(f"book built in {time.monotonic() - started:.0f} s -> _build/html/index.html")
    return code


def ensure_system_packages(*wanted):
    """Debian packages, as (package, command), whose command is missing (as root, via apt)."""
    wanted = [package for package, command in wanted if not shutil.which(command)]
    if not wanted or not shutil.which("apt-get") or os.geteuid() != 0:
        return
    quiet = {"stdout": subprocess.DEVNULL}
    subprocess.run(["apt-get", "update", "-qq"], check=False, **quiet)
    subprocess.run(["apt-get", "install", "-y", "-qq", *wanted], check=False, **quiet,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def test():
    ensure_venv()
    if run(VENV / "bin" / "ruff", "check", ".", env=env()):
        return 1
    if run(VENV / "bin" / "mypy", env=env()):  # the files and settings: pyproject.toml
        return 1
    if book():
        return 1
    # Chromium for the browser tests, bubblewrap for the grader's sandbox.
    ensure_system_packages(("chromium", "chromium"), ("bubblewrap", "bwrap"))
    workers = os.environ.get("TEST_WORKERS", str(os.cpu_count() or 1))
    return run(PYTHON, "-m", "pytest", "-n", workers, "-q", "-ra", "--durations=15",
               *sys.argv[2:], env=env())


if __name__ == "__main__":
    jobs = {"book": book, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in jobs:
        sys.exit(__doc__)
    sys.exit(jobs[sys.argv[1]]())
