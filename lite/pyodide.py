"""The Pyodide distribution of the browser exercises: official files only, each one verified.

The runtime (the interpreter in WebAssembly, its standard library) and ``pyodide-lock.json``,
which holds the sha256 of every package that Pyodide publishes, come from the npm package
``pyodide@0.27.7``, fetched with npm and checked against the integrity pinned here.

The packages: the npm package carries none, and PyPI has no WebAssembly wheels of numpy or
matplotlib yet. The ones the kernel and the exercises import are kept in ``lite/packages/``
(``python -m lite refresh`` put them there, see ``lite/refresh.py``); every build checks
each of them against the official lock's sha256 before it serves them, and serves a lock
that lists only them, so an import of anything else fails at once instead of asking the
site for a file it does not have.
"""

import base64
import hashlib
import json
import re
import subprocess
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGES = HERE / "packages"  # the verified Pyodide packages (wheels and zips)
WHEELS = HERE / "wheels"  # pure-Python wheels that piplite installs from the site

RUNTIME = "pyodide@0.27.7"
RUNTIME_INTEGRITY = ("sha512-RUSVJlhQdfWfgO9hVHCiXoG+nVZQRS5D9FzgpLJ/VcgGBLSAKoPL8kTiOikx"
                     "bHQm1kRISeWUBdulEgO26qpSRA==")
# What the kernel loads: pyodide.js starts the interpreter from the other three (the npm
# package's source maps, TypeScript types, ES module and console page are left out).
RUNTIME_FILES = ("pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip")
LOCK = "pyodide-lock.json"

# The Pyodide packages the browser needs, with everything they depend on in the lock:
# jupyterlite-pyodide-kernel 0.6.1 loads micropip, then installs ssl, sqlite3, jedi and
# ipython when the kernel starts; the exercises import numpy and matplotlib.
KERNEL_NEEDS = ("micropip", "ssl", "sqlite3", "jedi", "ipython")
EXERCISES_NEED = ("numpy", "matplotlib")

# The kernel also installs comm, which Pyodide's lock does not have: piplite installs it
# from the site (no PyPI fallback). The file is PyPI's, pinned by its sha256.
PIPLITE_WHEELS = {"comm-0.2.3-py3-none-any.whl":
                  "c615d91d75f7f04f095b30d1c1711babd43bdc6419c1be9886a85f2f4e489417"}


class VerificationError(RuntimeError):
    """A file is not the official one it claims to be."""


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def normalized(name):
    """A package name as the lock's keys spell it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def fetch_runtime(folder):
    """The npm tarball of the runtime, fetched into `folder` and checked; its path."""
    packed = subprocess.run(["npm", "pack", RUNTIME, "--json", "--prefer-offline",
                             "--pack-destination", str(folder)],
                            check=True, capture_output=True, text=True)
    tarball = Path(folder) / json.loads(packed.stdout)[0]["filename"]
    digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if f"sha512-{digest}" != RUNTIME_INTEGRITY:
        raise VerificationError(f"{tarball.name} is not the pinned {RUNTIME}")
    return tarball


def runtime_files(tarball):
    """{name: bytes} of the runtime files and the official lock, from the npm tarball."""
    with tarfile.open(tarball) as archive:
        return {name: archive.extractfile(f"package/{name}").read()
                for name in (*RUNTIME_FILES, LOCK)}


def needed(lock):
    """The lock's entries of the packages the browser needs, by normalized name."""
    packages = {normalized(name): entry for name, entry in lock["packages"].items()}
    wanted, pending = {}, [*KERNEL_NEEDS, *EXERCISES_NEED]
    while pending:
        name = normalized(pending.pop())
        if name not in wanted:
            wanted[name] = packages[name]
            pending.extend(wanted[name]["depends"])
    return wanted


def verified(data, expected, what):
    if sha256(data) != expected:
        raise VerificationError(f"{what}: its sha256 is not the official {expected}")
    return data


def assemble(dest, workdir):
    """Write the served distribution into `dest`: the runtime, a lock of the needed
    packages only, and those packages, each checked against the official lock. Returns the
    official lock's entries of the packages served."""
    files = runtime_files(fetch_runtime(workdir))
    lock = json.loads(files.pop(LOCK))
    packages = needed(lock)
    stored = {p.name for p in PACKAGES.iterdir()}
    expected = {entry["file_name"] for entry in packages.values()}
    if stored != expected:
        raise VerificationError(
            f"lite/packages/ should hold exactly the needed packages: missing "
            f"{sorted(expected - stored)}, not needed {sorted(stored - expected)} "
            "(python -m lite refresh)")
    dest.mkdir(parents=True)
    for name, data in files.items():
        (dest / name).write_bytes(data)
    for entry in packages.values():
        data = (PACKAGES / entry["file_name"]).read_bytes()
        (dest / entry["file_name"]).write_bytes(
            verified(data, entry["sha256"], f"lite/packages/{entry['file_name']}"))
    served = {name: entry for name, entry in lock["packages"].items()
              if normalized(name) in packages}
    (dest / LOCK).write_text(json.dumps({**lock, "packages": served}, indent=1),
                             encoding="utf-8")
    return packages


def piplite_wheels():
    """The paths of the stored piplite wheels, each checked against its pinned sha256."""
    for name, digest in PIPLITE_WHEELS.items():
        verified((WHEELS / name).read_bytes(), digest, f"lite/wheels/{name}")
    return [WHEELS / name for name in PIPLITE_WHEELS]

