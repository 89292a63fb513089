"""Finding the notebooks: nbgrader's submitted/ layout and a folder of uploads."""

import zipfile

import pytest

from autograder.collect import InstructorError, collect

KNOWN = ["01_recurrence", "02_bptt"]


def test_uploads_folder(tmp_path):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    with zipfile.ZipFile(uploads / "alice.zip", "w") as archive:
        archive.writestr("work/01_recurrence.ipynb", "{}")
        archive.writestr("__MACOSX/work/._01_recurrence.ipynb", "junk")
        archive.writestr("work/notes.txt", "hello")
    (uploads / "x_bob_attempt_2026-11-01-10-00_02_bptt.ipynb").write_text("{}")
    (uploads / "broken.zip").write_bytes(b"not a zip")
    (uploads / "readme.txt").write_text("?")
    jobs, ignored = collect(uploads, KNOWN, tmp_path / "staging")
    found = {(j.student, j.assignment): j.path for j in jobs}
    assert set(found) == {("alice", "01_recurrence"), ("bob", "02_bptt")}
    assert found[("alice", "01_recurrence")].read_text() == "{}"
    assert any("broken.zip" in name for name in ignored)
    assert "readme.txt" in ignored


def test_submitted_layout_missing_and_renamed(tmp_path):
    subs = tmp_path / "submitted"
    (subs / "ann" / "01_recurrence").mkdir(parents=True)
    (subs / "ann" / "01_recurrence" / "01_recurrence.ipynb").write_text("{}")
    (subs / "ben" / "01_recurrence").mkdir(parents=True)
    (subs / "ben" / "01_recurrence" / "copy of it.ipynb").write_text("{}")
    (subs / "cat" / "01_recurrence").mkdir(parents=True)
    (subs / "cat" / "homework").mkdir(parents=True)
    jobs, ignored = collect(subs, KNOWN, tmp_path / "staging")
    by = {j.student: j for j in jobs}
    assert by["ann"].path.name == "01_recurrence.ipynb" and not by["ann"].problem
    assert by["ben"].path.name == "copy of it.ipynb" and "in place of" in by["ben"].note
    assert by["cat"].problem == "missing"
    assert ignored == ["cat/homework"]


def test_instructor_mistakes(tmp_path):
    with pytest.raises(InstructorError, match="does not exist"):
        collect(tmp_path / "nope", KNOWN, tmp_path / "s")
    with pytest.raises(InstructorError, match="unknown assignment"):
        collect(tmp_path, KNOWN, tmp_path / "s", only=["03_nothing"])
