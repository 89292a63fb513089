"""Attributing what an instructor collected: nbgrader's layouts and each LMS's names.

Every fixture is built here, in the LMS's real naming, with made-up students;
each notebook carries a tag so that a test can tell which attempt was chosen.
"""

import json
import zipfile
from datetime import UTC, datetime

import pytest

from autograder.contract import Status
from autograder.errors import InstructorError
from autograder.intake.collect import collect

KNOWN = ["01_recurrence", "02_bptt"]


def notebook(tag):
    return json.dumps({"cells": [], "metadata": {"tag": tag}, "nbformat": 4,
                       "nbformat_minor": 5})


def tag_of(job):
    return json.loads(job.path.read_text())["metadata"]["tag"]


def make_zip(path, members):
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def by_key(collection):
    return {(j.student, j.assignment): j for j in collection.jobs}


def reasons(collection):
    return dict(line.split(": ", 1) for line in collection.unattributed)


def test_canvas_bulk_download(tmp_path):
    """Canvas's one submissions.zip: ids not surnames, resubmissions, late, nested zips."""
    student_zip = tmp_path / "kim.zip"
    make_zip(student_zip, {"work/01_recurrence.ipynb": notebook("kim")})
    make_zip(tmp_path / "uploads" / "submissions.zip", {
        "smith_10002_9001_01_recurrence.ipynb": notebook("ann smith"),
        "smith_10003_9002_01_recurrence.ipynb": notebook("ben smith, first"),
        "smith_10003_9009_01_recurrence-1.ipynb": notebook("ben smith, -1"),
        "smith_10003_9008_01_recurrence-2.ipynb": notebook("ben smith, -2"),
        "jones_late_10004_9003_02_bptt.ipynb": notebook("jones bptt"),
        "jones_10004_9004_Copy of 01_recurrence.ipynb": notebook("jones copy"),
        "kim_10006_9007_work.zip": student_zip.read_bytes(),
        "lee_10005_9005_notes.txt": "my notes",
        "lee_10005_9006_homework.ipynb": notebook("lee"),
        "readme.txt": "Canvas does not add this, a colleague did",
    })
    collection = collect(tmp_path / "uploads", KNOWN, tmp_path / "staging")
    jobs = by_key(collection)
    assert {k: tag_of(j) for k, j in jobs.items()} == {
        ("10002", "01_recurrence"): "ann smith",
        ("10003", "01_recurrence"): "ben smith, -2",  # the highest resubmission number
        ("10004", "01_recurrence"): "jones copy",
        ("10004", "02_bptt"): "jones bptt",
        ("10006", "01_recurrence"): "kim",  # named by the zip that holds it
    }
    assert [(j.student, j.assignment) for j in collection.jobs] == sorted(jobs)
    assert jobs[("10002", "01_recurrence")].label == "smith"
    assert jobs[("10004", "02_bptt")].late is True
    assert not jobs[("10004", "01_recurrence")].late
    assert all(j.submitted_at is None and not j.problem for j in collection.jobs)
    ben = jobs[("10003", "01_recurrence")].note
    assert "01_recurrence-2.ipynb, the latest of 3 attempts" in ben
    assert "smith_10003_9002_01_recurrence.ipynb" in ben
    assert collection.canvas_ids
    assert reasons(collection) == {
        "submissions.zip/lee_10005_9005_notes.txt": "not a notebook",
        "submissions.zip/lee_10005_9006_homework.ipynb":
            "its name 'homework.ipynb' does not name an assignment of this course "
            "(01_recurrence, 02_bptt)",
        "submissions.zip/readme.txt":
            "no student id in its name (not a Canvas, Moodle or Blackboard name, nor the "
            "configured pattern)",
    }


def test_moodle_download_in_folders_and_flat(tmp_path):
    make_zip(tmp_path / "uploads" / "RNN-01 recurrence-4242.zip", {
        "Ann Smith_501_assignsubmission_file_/01_recurrence.ipynb": notebook("ann"),
        "Ann Smith_501_assignsubmission_onlinetext_/onlinetext.html": "<p>hi</p>",
        "Ben Smith_502_assignsubmission_file_/01_recurrence (1).ipynb": notebook("ben"),
        "Cy Lee_503_assignsubmission_file_02_bptt.ipynb": notebook("cy"),
        "__MACOSX/Cy Lee_503_assignsubmission_file_/._02_bptt.ipynb": "resource fork",
    })
    collection = collect(tmp_path / "uploads", KNOWN, tmp_path / "staging")
    jobs = by_key(collection)
    assert {k: tag_of(j) for k, j in jobs.items()} == {
        ("501", "01_recurrence"): "ann", ("502", "01_recurrence"): "ben",
        ("503", "02_bptt"): "cy"}
    assert jobs[("502", "01_recurrence")].label == "Ben Smith"
    assert not collection.canvas_ids
    assert list(reasons(collection)) == [
        "RNN-01 recurrence-4242.zip/Ann Smith_501_assignsubmission_onlinetext_/onlinetext.html"]


def test_moodle_worksheets_name_the_participants_of_each_assignment(tmp_path):
    """Moodle gives Ann 601 in one assignment and 907 in the other; each assignment's
    grading worksheet (one beside the zips, one inside a zip) names her: by ID number
    where the site shows one that can name a folder, else by email."""
    uploads = tmp_path / "uploads"
    make_zip(uploads / "RNN-01 recurrence-4242.zip", {
        "Ann Smith_601_assignsubmission_file_/01_recurrence.ipynb": notebook("ann 1"),
        "Ben Smith_602_assignsubmission_file_/01_recurrence.ipynb": notebook("ben 1"),
        "Cy Lee_603_assignsubmission_file_/01_recurrence.ipynb": notebook("cy 1"),
        "Dee Park_604_assignsubmission_file_/01_recurrence.ipynb": notebook("dee 1"),
    })
    (uploads / "Grades-RNN-01 recurrence-4242.csv").write_text(
        "\ufeffIdentifier,Full name,ID number,Email address,Status,Grade\n"
        "Participant 601,Ann Smith,S-0001,ann@uni.example,Submitted,\n"
        "Participant 602,Ben Smith,,ben@uni.example,Submitted,\n"
        "Participant 604,Dee Park,2026/004,dee@uni.example,Submitted,\n", encoding="utf-8")
    make_zip(uploads / "RNN-02 bptt-4243.zip", {
        "Ann Smith_907_assignsubmission_file_/02_bptt.ipynb": notebook("ann 2"),
        "Ben Smith_908_assignsubmission_file_/02_bptt.ipynb": notebook("ben 2"),
        "Grades-RNN-02 bptt-4243.csv":
            "Identifier,Full name,ID number,Email address,Status,Grade\n"
            "Participant 907,Ann Smith,S-0001,ann@uni.example,Submitted,\n"
            "Participant 908,Ben Smith,,ben@uni.example,Submitted,\n",
    })
    collection = collect(uploads, KNOWN, tmp_path / "staging")
    jobs = by_key(collection)
    assert {k: tag_of(j) for k, j in jobs.items()} == {
        ("S-0001", "01_recurrence"): "ann 1", ("S-0001", "02_bptt"): "ann 2",
        ("ben@uni.example", "01_recurrence"): "ben 1",
        ("ben@uni.example", "02_bptt"): "ben 2",
        ("603", "01_recurrence"): "cy 1",
        ("dee@uni.example", "01_recurrence"): "dee 1"}  # a / cannot name a results folder
    assert jobs[("S-0001", "02_bptt")].label == "Ann Smith"
    assert not reasons(collection), "the worksheets are no unattributed uploads"
    (note,) = collection.notes
    assert note.startswith("1 Moodle participant number(s) (603) are in no grading worksheet")


def test_blackboard_receipts_name_usernames_with_underscores(tmp_path):
    """`01 recurrence_j_smith_attempt_...` reads as user `smith` of an assignment
    `01 recurrence_j`; the attempt's receipt says the user is `j_smith`."""
    receipt = ("Name: Jo Smith (j_smith)\nAssignment: 01 recurrence\n"
               "Date Submitted: Sunday, March 1, 2026 12:00:00 PM UTC\n"
               "Current Grade: Needs Grading\n\nSubmission Field:\nThere is no student "
               "submission text data for this assignment.\n\nFiles:\n"
               "\tOriginal filename: 01_recurrence.ipynb\n"
               "\tFilename: 01 recurrence_j_smith_attempt_2026-03-01-12-00-00_"
               "01_recurrence.ipynb\n")
    make_zip(tmp_path / "uploads" / "gradebook_RNN_01_recurrence_2026-03-02-10-00-00.zip", {
        "01 recurrence_j_smith_attempt_2026-03-01-12-00-00_01_recurrence.ipynb":
            notebook("jo"),
        "01 recurrence_j_smith_attempt_2026-03-01-12-00-00.txt": receipt,
        "01 recurrence_bsmith_attempt_2026-02-28-23-59-59_01_recurrence.ipynb":
            notebook("bsmith"),
    })
    collection = collect(tmp_path / "uploads", KNOWN, tmp_path / "staging")
    jobs = by_key(collection)
    assert {k: tag_of(j) for k, j in jobs.items()} == {
        ("j_smith", "01_recurrence"): "jo", ("bsmith", "01_recurrence"): "bsmith"}
    assert jobs[("j_smith", "01_recurrence")].label == "Jo Smith"
    assert jobs[("j_smith", "01_recurrence")].submitted_at == datetime(2026, 3, 1, 12,
                                                                       tzinfo=UTC)
    assert not reasons(collection), "a receipt is no unattributed upload"


def test_blackboard_attempts_by_time(tmp_path):
    make_zip(tmp_path / "uploads" / "gradebook_RNN_01_recurrence_2026-03-02-10-00-00.zip", {
        "01 recurrence_jsmith_attempt_2026-03-01-12-00-00_01_recurrence.ipynb":
            notebook("jsmith noon"),
        "01 recurrence_jsmith_attempt_2026-03-01-09-00-00_01_recurrence-3.ipynb":
            notebook("jsmith morning"),
        "01 recurrence_jsmith_attempt_2026-03-01-12-00-00.txt": "Name: J Smith ...",
        "01 recurrence_bsmith_attempt_2026-02-28-23-59-59_01_recurrence.ipynb":
            notebook("bsmith"),
    })
    collection = collect(tmp_path / "uploads", KNOWN, tmp_path / "staging")
    jobs = by_key(collection)
    assert {k: tag_of(j) for k, j in jobs.items()} == {
        ("jsmith", "01_recurrence"): "jsmith noon",  # time beats resubmission number
        ("bsmith", "01_recurrence"): "bsmith"}
    assert jobs[("jsmith", "01_recurrence")].submitted_at == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert jobs[("jsmith", "01_recurrence")].label == "01 recurrence"
    # dateutil alone would read the trailing -59 as a time zone
    assert jobs[("bsmith", "01_recurrence")].submitted_at == \
        datetime(2026, 2, 28, 23, 59, 59, tzinfo=UTC)
    assert list(reasons(collection).values()) == ["not a notebook"]


def test_configured_pattern_as_zip_collect(tmp_path):
    config = tmp_path / "course" / "nbgrader_config.py"
    config.parent.mkdir()
    config.write_text(
        "c = get_config()\n"
        "c.FileNameCollectorPlugin.named_regexp = "
        "r'.*/(?P<student_id>s\\d+)--(?P<timestamp>[0-9-]+ [0-9:]+ \\w+)--(?P<file_id>.+)'\n")
    uploads = tmp_path / "uploads" / "week 1"
    uploads.mkdir(parents=True)
    (uploads / "s17--2026-03-01 10:00:00 CET--01_recurrence.ipynb").write_text(
        notebook("s17"))
    (uploads / "s17--2026-03-01 08:00:00 UTC--01_recurrence.ipynb").write_text(notebook("old"))
    collection = collect(tmp_path / "uploads", KNOWN, tmp_path / "staging", config=config)
    [job] = collection.jobs
    assert (job.student, job.assignment, tag_of(job)) == ("s17", "01_recurrence", "s17")
    assert job.submitted_at == datetime(2026, 3, 1, 9, tzinfo=UTC)
    assert collection.config == config and not collection.unattributed


def test_nbgrader_course_root(tmp_path):
    course = tmp_path / "course"
    for folder in ("source", "release", "autograded/ann"):
        (course / folder / "01_recurrence").mkdir(parents=True)
        (course / folder / "01_recurrence" / "01_recurrence.ipynb").write_text(notebook(folder))
    (course / "nbgrader_config.py").write_text("c = get_config()\n")
    (course / "gradebook.db").write_bytes(b"")
    submitted = course / "submitted" / "ann" / "01_recurrence"
    submitted.mkdir(parents=True)
    (submitted / "01_recurrence.ipynb").write_text(notebook("ann"))
    (submitted / "timestamp.txt").write_text("2026-03-01 09:30:00.123456 America/Los_Angeles\n")
    collection = collect(course, KNOWN, tmp_path / "staging")
    [job] = collection.jobs
    assert (job.student, tag_of(job)) == ("ann", "ann")
    assert job.submitted_at == datetime(2026, 3, 1, 17, 30, 0, 123456, tzinfo=UTC)
    assert "submitted/ folder of the nbgrader course" in collection.notes[0]
    assert collection.config == course / "nbgrader_config.py"
    # Its submitted/ folder given directly: the same job, the course's config found.
    direct = collect(course / "submitted", KNOWN, tmp_path / "staging")
    assert [(j.student, j.submitted_at) for j in direct.jobs] == [("ann", job.submitted_at)]
    assert direct.config == course / "nbgrader_config.py" and not direct.notes


def test_course_root_without_submitted(tmp_path):
    (tmp_path / "source" / "01_recurrence").mkdir(parents=True)
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    with pytest.raises(InstructorError, match="without a submitted/ folder"):
        collect(tmp_path, KNOWN, tmp_path / "staging")


def test_uploads_folder(tmp_path):
    """Per-student zips and folders, named by the student, beside LMS-named files."""
    uploads = tmp_path / "uploads"
    make_zip(uploads / "alice.zip", {"work/01_recurrence.ipynb": "{}",
                                     "__MACOSX/work/._01_recurrence.ipynb": "junk",
                                     "work/notes.txt": "hello"})
    (uploads / "carol").mkdir()
    (uploads / "carol" / "02_bptt.ipynb").write_text("{}")
    (uploads / "x_bob_attempt_2026-11-01-10-00_02_bptt.ipynb").write_text("{}")
    (uploads / "broken.zip").write_bytes(b"not a zip")
    (uploads / "readme.txt").write_text("?")
    collection = collect(uploads, KNOWN, tmp_path / "staging")
    jobs = by_key(collection)
    assert set(jobs) == {("alice", "01_recurrence"), ("bob", "02_bptt"), ("carol", "02_bptt")}
    assert jobs[("alice", "01_recurrence")].path.read_text() == "{}"
    assert jobs[("bob", "02_bptt")].submitted_at == datetime(2026, 11, 1, 10, tzinfo=UTC)
    why = reasons(collection)
    assert why["alice.zip/work/notes.txt"] == "not a notebook"
    assert why["broken.zip"].startswith("not a readable zip file")
    assert why["readme.txt"].startswith("no student id in its name")
    assert len(why) == 3


def test_submitted_layout_missing_renamed_and_times(tmp_path):
    subs = tmp_path / "submitted"
    for student in ("ann", "ben", "cat", "dan"):
        (subs / student / "01_recurrence").mkdir(parents=True)
    (subs / "ann" / "01_recurrence" / "01_recurrence.ipynb").write_text("{}")
    (subs / "ann" / "01_recurrence" / "timestamp.txt").write_text(
        "2026-03-01 17:00:00.000000 UTC")
    (subs / "ben" / "01_recurrence" / "copy of it.ipynb").write_text("{}")
    (subs / "ben" / "01_recurrence" / "timestamp.txt").write_text("yesterday-ish")
    (subs / "cat" / "homework").mkdir(parents=True)
    (subs / "dan" / "02_bptt").mkdir(parents=True)
    (subs / "dan" / "01_recurrence" / "01_recurrence.ipynb").write_text("{}")
    collection = collect(subs, KNOWN, tmp_path / "staging", only=["01_recurrence"])
    by = {j.student: j for j in collection.jobs}
    assert by["ann"].path.name == "01_recurrence.ipynb" and not by["ann"].problem
    assert by["ann"].submitted_at == datetime(2026, 3, 1, 17, tzinfo=UTC)
    assert by["ben"].path.name == "copy of it.ipynb" and "in place of" in by["ben"].note
    assert by["ben"].submitted_at is None and "not a time nbgrader can read" in by["ben"].note
    assert by["cat"].problem == Status.MISSING and by["cat"].path is None
    assert set(by) == {"ann", "ben", "cat", "dan"}  # dan's 02_bptt was not asked for
    assert collection.unattributed == ["cat/homework: not an assignment of this course"]


def test_instructor_mistakes(tmp_path):
    with pytest.raises(InstructorError, match="does not exist"):
        collect(tmp_path / "nope", KNOWN, tmp_path / "s")
    with pytest.raises(InstructorError, match="unknown assignment"):
        collect(tmp_path, KNOWN, tmp_path / "s", only=["03_nothing"])
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("?")
    with pytest.raises(InstructorError, match="1 files could not be attributed"):
        collect(tmp_path / "empty", KNOWN, tmp_path / "s")
