"""What each LMS writes in the names of the files it hands out.

In a download the student is the LMS's unique id, read from the name the
LMS itself gave a file, a folder or a student's zip:

- Canvas: `name_[late_]userid_fileid_original`; a resubmitted file's original
  name gets `-1`, `-2` before its extension;
- Moodle: `Full Name_12345_assignsubmission_file_original`, or a folder of
  that name per student;
- Blackboard: `Assignment_username_attempt_YYYY-MM-DD-HH-MM-SS_original`.

The `original` part is the student's own file name, so each pattern reads
the first place the LMS's words can be (a student cannot move it earlier),
and the notebook's original name tells only the assignment
(`01_recurrence.ipynb`, `01_recurrence-1.ipynb`, `Copy of 01_recurrence.ipynb`).
"""

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from .jobs import parse_time

# In nbgrader's named-group vocabulary (student_id, file_id, timestamp) plus `label`
# (the name, for humans), `late` and `upload` (Canvas's file id).
PATTERNS = {
    "Canvas": re.compile(
        r"(?P<label>[^_]+)_(?:(?P<late>late)_)?(?P<student_id>\d+)_(?P<upload>\d+)_"
        r"(?P<file_id>.+)$"),
    "Moodle": re.compile(
        r"(?P<label>.+?)_(?P<student_id>\d+)_assignsubmission_[a-z]+_(?P<file_id>.*)$"),
    "Blackboard": re.compile(
        r"(?P<label>.+?)_(?P<student_id>[^_]+)_attempt_"
        r"(?P<timestamp>\d{4}(?:-\d\d){2,5})(?:_(?P<file_id>.+)|\.txt)?$"),  # .txt: receipt
}
RESUBMISSION = re.compile(r"^(?P<stem>.*?)-(?P<n>\d+)$")
COPY_PREFIX = re.compile(r"^(copy of |copy_of_)+", re.IGNORECASE)


@dataclass
class Owner:
    """What an LMS's (or the instructor's) name says of an upload."""

    student: str
    scheme: str  # Canvas, Moodle, Blackboard, pattern (the instructor's), folder
    label: str = ""
    original: str = ""  # the student's own file name, when the name is a file's
    submitted_at: datetime | None = None
    late: bool | None = None
    upload: int = 0  # Canvas's file id


def read_name(scheme: str, name: str) -> Owner | None:
    """The owner an LMS `scheme` reads in `name`, or None (ValueError: a bad time)."""
    match = PATTERNS[scheme].match(name)
    if match is None:
        return None
    groups = match.groupdict()
    moment = lms_time(groups["timestamp"]) if groups.get("timestamp") else None
    return Owner(groups["student_id"], scheme, groups["label"], groups["file_id"] or "",
                 moment, True if groups.get("late") else None, int(groups.get("upload") or 0))


def schemes_of(name: str) -> list[str]:
    return [scheme for scheme, pattern in PATTERNS.items() if pattern.match(name)]


def assignment_of(original, known):
    """(assignment or None, resubmission number) from a notebook's original name."""
    stem = COPY_PREFIX.sub("", PurePosixPath(original).stem).strip()
    resubmission = 0
    again = RESUBMISSION.match(stem)
    if again and any(a in again["stem"] for a in known):
        stem, resubmission = again["stem"], int(again["n"])
    if stem in known:
        return stem, resubmission
    inside = [a for a in known if a in stem]
    return (inside[0] if len(inside) == 1 else None), resubmission


def lms_time(text):
    """Blackboard's 2026-03-01-12-30-45, read as 2026-03-01 12:30:45 UTC.

    Given as it is, nbgrader's parse_utc (dateutil) takes the trailing -45 for a
    time zone, and fails or shifts the time.
    """
    fields = text.split("-")
    return parse_time(" ".join(["-".join(fields[:3]), ":".join(fields[3:])]).strip())


def with_extension(original, name):
    """nbgrader's zip_collect keeps the file's own extension when file_id has none."""
    original = PurePosixPath(original or name).name
    return original if PurePosixPath(original).suffix else original + PurePosixPath(name).suffix
