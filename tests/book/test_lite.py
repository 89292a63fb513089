"""The exercises in the browser as built into the site, read as files (no browser).

``_build/html/lite`` (``python3 dev.py book``) must stay inside the site: its kernel loads
Pyodide and every package from the site, never a CDN or PyPI; the Pyodide files it serves
are the official ones; it has every package the exercises import and no source maps; and
it keeps the students' work under the course's own storage name.
tests/test_browser_lite.py runs it in Chromium.
"""

import ast
import hashlib
import json
import sys

import nbformat
import pytest
from grading_helpers import EXERCISES, SITE

import lite
from lite import build, pyodide

LITE = SITE / lite.FOLDER
SERVED = LITE / "static" / "pyodide"


@pytest.fixture(scope="module", autouse=True)
def built_app():
    if not (LITE / "jupyter-lite.json").is_file():
        pytest.fail("_build/html/lite is missing: build the book first (python3 dev.py book)")


@pytest.fixture(scope="module")
def served_lock():
    return json.loads((SERVED / pyodide.LOCK).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def official_lock(tmp_path_factory):
    """Pyodide's own lock, from the pinned npm package (npm's cache after the book build)."""
    tarball = pyodide.fetch_runtime(tmp_path_factory.mktemp("npm"))
    return json.loads(pyodide.runtime_files(tarball)[pyodide.LOCK])


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def configs():
    """Every jupyter-lite.json of the app, the root's and each app's."""
    found = sorted(LITE.glob("jupyter-lite.json")) + sorted(LITE.glob("*/jupyter-lite.json"))
    assert len(found) == 1 + len(lite.APPS), found
    return {p.relative_to(SITE).as_posix(): json.loads(p.read_text(encoding="utf-8"))
            ["jupyter-config-data"] for p in found}


def test_the_kernel_loads_pyodide_and_packages_from_the_site_only():
    settings = build.kernel_settings(LITE)
    assert settings["pyodideUrl"] == "./static/pyodide/pyodide.js"
    assert settings["disablePyPIFallback"] is True
    assert settings["pipliteUrls"] and all(u.startswith("./") for u in settings["pipliteUrls"])
    # No app's own configuration names another place.
    for path, config in configs().items():
        for plugin, values in config.get("litePluginSettings", {}).items():
            for key, value in values.items():
                urls = value if isinstance(value, list) else [value]
                assert not any(str(u).startswith(("http:", "https:", "//")) for u in urls), (
                    f"{path}: {plugin} {key} = {value}")


def test_the_work_is_kept_under_the_course_s_own_storage_name():
    root = configs()[f"{lite.FOLDER}/jupyter-lite.json"]
    assert root["contentsStorageName"] == "rnn-course-exercises"
    assert root["settingsStorageName"] == "rnn-course-exercises"
    assert not any("StorageName" in key for path, config in configs().items()
                   if path != f"{lite.FOLDER}/jupyter-lite.json" for key in config)


def test_the_app_serves_the_notebooks_of_exercises():
    names = sorted(p.name for p in EXERCISES.glob("*.ipynb"))
    assert sorted(p.name for p in (LITE / "files").iterdir()) == names
    for name in names:
        assert (LITE / "files" / name).read_bytes() == (EXERCISES / name).read_bytes()


def test_the_served_pyodide_files_are_the_official_ones(served_lock, official_lock):
    """Every package file served has the official lock's sha256; the served lock is the
    official one cut down to exactly the packages the kernel and the exercises need."""
    needed = pyodide.needed(official_lock)
    assert served_lock["info"] == official_lock["info"]
    assert served_lock["packages"] == {name: entry for name, entry
                                       in official_lock["packages"].items()
                                       if pyodide.normalized(name) in needed}
    files = {entry["file_name"]: entry["sha256"] for entry in served_lock["packages"].values()}
    assert sorted(p.name for p in SERVED.iterdir()) == sorted(
        [*files, *pyodide.RUNTIME_FILES, pyodide.LOCK])
    for name, digest in files.items():
        assert sha256(SERVED / name) == digest == sha256(pyodide.PACKAGES / name), name
    for name, digest in pyodide.PIPLITE_WHEELS.items():
        assert sha256(LITE / "pypi" / name) == digest


def test_the_stored_packages_are_exactly_the_needed_official_ones(official_lock):
    needed = {entry["file_name"]: entry["sha256"]
              for entry in pyodide.needed(official_lock).values()}
    stored = {p.name: sha256(p) for p in pyodide.PACKAGES.iterdir()}
    assert stored == needed
    assert {"numpy", "matplotlib"} <= set(pyodide.needed(official_lock))


def test_a_tampered_package_stops_the_build(tmp_path, monkeypatch):
    packages = tmp_path / "packages"
    packages.mkdir()
    for path in pyodide.PACKAGES.iterdir():
        (packages / path.name).write_bytes(path.read_bytes())
    numpy = next(packages.glob("numpy-*.whl"))
    data = bytearray(numpy.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte of the archive changed
    numpy.write_bytes(bytes(data))
    monkeypatch.setattr(pyodide, "PACKAGES", packages)
    with pytest.raises(pyodide.VerificationError, match="numpy"):
        pyodide.assemble(tmp_path / "out", tmp_path)


def imported_modules(notebook):
    modules = set()
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules.add(node.module.split(".")[0])
    return modules


def test_every_module_the_exercises_import_is_in_the_browser(served_lock):
    available = {name for entry in served_lock["packages"].values() for name in entry["imports"]}
    imported = set()
    for notebook in sorted(EXERCISES.glob("*.ipynb")):
        missing = imported_modules(notebook) - available - set(sys.stdlib_module_names)
        assert not missing, f"{notebook.name} imports {missing}, which the browser lacks"
        imported |= imported_modules(notebook)
    assert {"numpy", "matplotlib"} <= imported


def test_no_source_map_and_no_dead_page():
    assert not list(LITE.rglob("*.map"))
    # The root page sends to the file list, an app that is built.
    root = configs()[f"{lite.FOLDER}/jupyter-lite.json"]
    assert (LITE / root["appUrl"] / "index.html").is_file()
