"""What each LMS writes in the names of the files it hands out, and the attempts they make.

In uploads the student is the LMS's unique id, read from the file's name or
from the name of the folder or zip holding it (innermost first):

- Canvas: `name_[late_]userid_fileid_original`; a resubmitted file's original
  name gets `-1`, `-2` before its extension;
- Moodle: `Full Name_12345_assignsubmission_file_original`, or a folder of
  that name per student;
- Blackboard: `Assignment_username_attempt_YYYY-MM-DD-HH-MM-SS_original`.

The notebook's original name tells the assignment (`01_recurrence.ipynb`,
`01_recurrence-1.ipynb`, `Copy of 01_recurrence.ipynb`).
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from .jobs import parse_time

# LMS naming conventions, in nbgrader's named-group vocabulary (student_id,
# file_id, timestamp) plus `label` (the name, for humans), `late` and
# `upload` (Canvas's file id). Tried in this order: Canvas's shape is the
# loosest, so the names with a fixed word (`_attempt_`, `_assignsubmission_`)
# go first.
LMS_NAMES = (
    ("Blackboard", re.compile(
        r"(?P<label>.+)_(?P<student_id>[^_]+)_attempt_"
        r"(?P<timestamp>\d{4}(?:-\d\d){2,5})(?:_(?P<file_id>.+)|\.txt)?$")),  # .txt: receipt
    ("Moodle", re.compile(
        r"(?P<label>.+?)_(?P<student_id>\d+)_assignsubmission_[a-z]+_(?P<file_id>.*)$")),
    ("Canvas", re.compile(
        r"(?P<label>[^_]+)_(?:(?P<late>late)_)?(?P<student_id>\d+)_(?P<upload>\d+)_"
        r"(?P<file_id>.+)$")),
)
RESUBMISSION = re.compile(r"^(?P<stem>.*?)-(?P<n>\d+)$")
COPY_PREFIX = re.compile(r"^(copy of |copy_of_)+", re.IGNORECASE)


@dataclass
class UploadedFile:
    parts: tuple[str, ...]  # path from the uploads folder, a zip's members continuing it
    path: Path | None = None  # where a notebook's bytes are on disk (zip members: unpacked)
    problem: str = ""  # why it cannot be read

    @property
    def where(self):
        return "/".join(self.parts)

    @property
    def is_notebook(self):
        return self.parts[-1].lower().endswith(".ipynb")


@dataclass
class Attempt:
    file: UploadedFile
    student: str
    assignment: str
    original: str  # the notebook's name as the student uploaded it
    label: str = ""
    submitted_at: datetime | None = None
    late: bool | None = None
    resubmission: int = 0
    upload: int = 0  # Canvas's file id
    lms: str = ""

    @property
    def order(self):
        """Later attempts sort last."""
        moment = self.submitted_at or datetime.min.replace(tzinfo=UTC)
        return (moment, self.resubmission, self.upload, self.file.where)


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


def with_extension(file_id, file):
    # nbgrader's zip_collect keeps the file's own extension when file_id has none.
    name = PurePosixPath(file_id or file.parts[-1]).name
    return name if PurePosixPath(name).suffix else name + PurePosixPath(file.parts[-1]).suffix


def lms_name(file):
    """(LMS, groups, original name) from the innermost name that follows an LMS's naming."""
    last = len(file.parts) - 1
    for depth in range(last, -1, -1):
        name = file.parts[depth]
        for lms, pattern in LMS_NAMES:
            match = pattern.match(name)
            # Only containers an LMS names: an uploaded zip, or Moodle's folder per
            # student (`..._assignsubmission_file_`), not any folder that looks alike.
            if match and (depth == last or name.lower().endswith(".zip")
                          or (lms == "Moodle" and not match["file_id"])):
                # A container's name says whose it is; the notebook inside keeps its name.
                file_id = match["file_id"] if depth == last else ""
                return lms, match.groupdict(), with_extension(file_id, file)
    return None
