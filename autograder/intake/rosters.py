"""Who is who, from the files an LMS hands out beside the uploads.

The id in an uploaded file's name is not always the student's course-wide one:

- Moodle numbers each student anew in every assignment (its participant
  number). The assignment's grading worksheet ("Download grading worksheet",
  a CSV) names the student behind each number; the student becomes the
  worksheet's ID number, else the email address: the fields Moodle's grade
  import maps a student by. Moodle's numbers are unique across its site, so
  the worksheets of several assignments never clash.
- Blackboard puts the username between underscores
  (`Assignment_username_attempt_<time>_file`), so a username that holds an
  underscore cannot be read from the name. The receipt Blackboard writes for
  each attempt (`..._attempt_<time>.txt`) tells it: `Name: Full Name
  (username)`, then a `Filename:` line per file of the attempt.
"""

import csv
import re
from dataclasses import dataclass, field

MOODLE_PARTICIPANT = "Identifier"  # "Participant 12345"
MOODLE_IDENTITIES = ("ID number", "Email address")  # in order of preference
MOODLE_NAME = "Full name"
RECEIPT_NAME = re.compile(r"^Name:[ \t]*(?P<name>.*?)[ \t]*\((?P<username>[^()\s]+)\)[ \t]*$",
                          re.M)
RECEIPT_FILE = re.compile(r"^[ \t]*Filename:[ \t]*(?P<file>.+?)[ \t]*$", re.M)


def is_student_id(text):
    """Whether `text` may name a student: it becomes a folder of the results."""
    return text not in ("", ".", "..") and "/" not in text and "\\" not in text


@dataclass
class Roster:
    participants: dict = field(default_factory=dict)  # Moodle number -> (id, full name)
    receipts: dict = field(default_factory=dict)  # Blackboard file name -> (username, name)
    unnamed: set = field(default_factory=set)  # Moodle numbers that no worksheet names

    def read(self, name, path):
        """Take in the file `name` (its bytes at `path`) if it is a Moodle worksheet or a
        Blackboard receipt; whether it was one."""
        suffix = name.lower().rsplit(".", 1)[-1]
        if suffix == "csv":
            parse, table = _worksheet, self.participants
        elif suffix == "txt" and "_attempt_" in name:
            parse, table = _receipt, self.receipts
        else:
            return False
        try:
            with open(path, newline="", encoding="utf-8-sig", errors="replace") as handle:
                found = parse(handle)
        except (OSError, csv.Error):
            return False
        if found is None:
            return False
        table.update(found)
        return True

    def identify(self, attempt):
        """Give a Moodle or Blackboard attempt its student's course-wide id and name."""
        if attempt.lms == "Moodle":
            found = self.participants.get(attempt.student)
            if found is None:
                self.unnamed.add(attempt.student)
        elif attempt.lms == "Blackboard":
            found = self.receipts.get(attempt.file.parts[-1])
        else:
            found = None
        if found:
            attempt.student, attempt.label = found

    def notes(self):
        """Sentences for the instructor about the ids that stay per assignment."""
        if not self.unnamed:
            return []
        numbers = sorted(self.unnamed)
        shown = ", ".join(numbers[:5]) + (", ..." if len(numbers) > 5 else "")
        return [f"{len(numbers)} Moodle participant number(s) ({shown}) are in no grading "
                "worksheet: Moodle numbers a student anew in each assignment, so these "
                "students stand under a different number in each; put each assignment's "
                "grading worksheet (Download grading worksheet) in the uploads folder to "
                "grade them by ID number or email"]


def _worksheet(handle):
    """{participant number: (id, full name)}, or None if it is not a worksheet."""
    rows = csv.DictReader(handle)
    if MOODLE_PARTICIPANT not in (rows.fieldnames or ()):
        return None
    people = {}
    for row in rows:
        number = re.search(r"(\d+)\s*$", row.get(MOODLE_PARTICIPANT) or "")
        identity = next((row[c].strip() for c in MOODLE_IDENTITIES
                         if is_student_id((row.get(c) or "").strip())), "")
        if number and identity:
            people[number[1]] = (identity, (row.get(MOODLE_NAME) or "").strip())
    return people


def _receipt(handle):
    """{file name: (username, full name)}, or None if it is not a receipt."""
    text = handle.read()
    name = RECEIPT_NAME.search(text)
    if name is None or not is_student_id(name["username"]):
        return None
    return {m["file"]: (name["username"], name["name"]) for m in RECEIPT_FILE.finditer(text)}
