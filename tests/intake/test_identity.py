"""A student is who the LMS says, never who a file name inside a student's upload says.

Each case is a download an LMS (or an instructor) would hand the grader, with
one student (mallory, Canvas id 10666) who names her own files after another
student (bob, 10002) or after another LMS, hides a worksheet in her zip, or
renames a late upload; and uploads that would fill the disk or carry ids no
folder can hold. Bob keeps his notebook; mallory's counts as hers, or is
reported.
"""

import io
import json
import zipfile
from datetime import UTC, datetime

from autograder.intake.collect import collect
from autograder.intake.names import student_folder
from autograder.intake.unpack import MAX_RATIO

KNOWN = ["01_recurrence", "02_bptt"]


def notebook(tag):
    return json.dumps({"cells": [], "metadata": {"tag": tag}, "nbformat": 4,
                       "nbformat_minor": 5})


def zipped(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def canvas_download(tmp_path, members):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "submissions.zip").write_bytes(zipped(members))
    return collect(uploads, KNOWN, tmp_path / "staging")


def owners(collection):
    return {(j.student, j.assignment): json.loads(j.path.read_text())["metadata"]["tag"]
            for j in collection.jobs}


BOB = {"bob_10002_9001_01_recurrence.ipynb": notebook("bob")}


def test_a_name_in_another_lms_shape_is_read_by_the_downloads_lms(tmp_path):
    """Canvas wrote `mallory_10666_9002_`; the rest is mallory's own file name, which
    Moodle's pattern would read as participant 10002."""
    collection = canvas_download(tmp_path, {
        **BOB, "mallory_10666_9002_bob_10002_assignsubmission_file_01_recurrence.ipynb":
            notebook("mallory")})
    assert owners(collection) == {("10002", "01_recurrence"): "bob",
                                  ("10666", "01_recurrence"): "mallory"}


def test_names_inside_a_students_zip_never_name_a_student(tmp_path):
    inner = zipped({"bob_10002_9999_01_recurrence.ipynb": notebook("mallory")})
    collection = canvas_download(tmp_path, {**BOB, "mallory_10666_9003_work.zip": inner})
    assert owners(collection) == {("10002", "01_recurrence"): "bob",
                                  ("10666", "01_recurrence"): "mallory"}


def test_a_worksheet_inside_a_students_zip_is_no_worksheet(tmp_path):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    worksheet = ("Identifier,Full name,ID number,Email address\n"
                 "Participant 502,Mallory,bob-id,bob@uni.example\n")
    (uploads / "RNN-01.zip").write_bytes(zipped({
        "Bob Smith_501_assignsubmission_file_/01_recurrence.ipynb": notebook("bob"),
        "Mallory M_502_assignsubmission_file_/01_recurrence.ipynb": notebook("mallory"),
        "Mallory M_502_assignsubmission_file_/Grades-RNN-01.csv": worksheet}))
    collection = collect(uploads, KNOWN, tmp_path / "staging")
    assert owners(collection) == {("501", "01_recurrence"): "bob",
                                  ("502", "01_recurrence"): "mallory"}
    assert any(line.startswith("RNN-01.zip/Mallory M_502_assignsubmission_file_/Grades")
               for line in collection.unattributed)


def test_a_late_upload_stays_late_whatever_is_inside(tmp_path):
    inner = zipped({"mallory_10666_9004_01_recurrence.ipynb": notebook("mallory")})
    collection = canvas_download(tmp_path, {"mallory_late_10666_9005_work.zip": inner})
    (job,) = collection.jobs
    assert (job.student, job.late) == ("10666", True)


def test_a_blackboard_file_name_cannot_move_the_username(tmp_path):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "gradebook_RNN.zip").write_bytes(zipped({
        "01 recurrence_bob_attempt_2026-03-01-10-00-00_01_recurrence.ipynb": notebook("bob"),
        "01 recurrence_mallory_attempt_2026-03-01-11-00-00_x_bob_attempt_2026-03-02-"
        "00-00-00_01_recurrence.ipynb": notebook("mallory")}))
    collection = collect(uploads, KNOWN, tmp_path / "staging")
    assert owners(collection) == {("bob", "01_recurrence"): "bob",
                                  ("mallory", "01_recurrence"): "mallory"}
    times = {j.student: j.submitted_at for j in collection.jobs}
    assert times["mallory"] == datetime(2026, 3, 1, 11, tzinfo=UTC)


def test_a_zip_posing_as_a_bulk_download_beside_student_folders_is_reported(tmp_path):
    uploads = tmp_path / "uploads"
    (uploads / "bob").mkdir(parents=True)
    (uploads / "bob" / "01_recurrence.ipynb").write_text(notebook("bob"))
    (uploads / "mallory.zip").write_bytes(zipped({
        "bob_10002_9001_01_recurrence.ipynb": notebook("mallory as bob"),
        "eve_10003_9002_01_recurrence.ipynb": notebook("mallory as eve")}))
    collection = collect(uploads, KNOWN, tmp_path / "staging")
    assert owners(collection) == {("bob", "01_recurrence"): "bob"}
    assert all(line.startswith("mallory.zip/") and "bulk download" in line
               for line in collection.unattributed) and len(collection.unattributed) == 2


def test_a_zip_bomb_is_reported_and_never_unpacked(tmp_path):
    bomb = zipped({"01_recurrence.ipynb": b"{" + b" " * (100 << 20) + b"}"})
    assert len(bomb) < (1 << 20)  # compressed well over MAX_RATIO times
    collection = canvas_download(tmp_path, {**BOB, "mallory_10666_9006_bomb.zip": bomb})
    assert owners(collection) == {("10002", "01_recurrence"): "bob"}
    (why,) = collection.unattributed
    assert "zip bomb" in why or "larger than" in why
    staged = sum(p.stat().st_size for p in (tmp_path / "staging").rglob("*") if p.is_file())
    assert staged < 1 << 20
    assert MAX_RATIO < 1000


def test_ids_no_folder_can_hold_get_a_folder_of_their_own(tmp_path):
    long_id, reserved = "x" * 300, "mathjax"
    folders = {student_folder(s) for s in (long_id, reserved, "course.json", "a~b", "ann")}
    assert len(folders) == 5 and "ann" in folders and "course.json" in folders
    assert all(len(f.encode()) <= 100 and "/" not in f for f in folders)
    assert student_folder(long_id) != student_folder("x" * 301)
    uploads = tmp_path / "uploads"
    (uploads / long_id[:200]).mkdir(parents=True)
    (uploads / long_id[:200] / "01_recurrence.ipynb").write_text(notebook("long"))
    collection = collect(uploads, KNOWN, tmp_path / "staging")
    (job,) = collection.jobs
    assert job.student == long_id[:200] and job.path.parent.parent.name != job.student
