"""Who may be a student, and the folder a student's results go in.

A student id is what the LMS (or nbgrader's submitted/ folder) says, kept as
it is in the CSVs and the gradebook. A folder of RESULTS is named by it where
that is safe (nbgrader's `release_feedback` finds `feedback/<student id>/`):
a name of at most MAX_FOLDER_BYTES, not hidden, not a name the grader uses
itself (`feedback/mathjax`); any other id gets a folder of its own plain
characters and a hash of the whole id, behind a `~` that no such name is
given (a `~` in an id makes it hashed too), so two ids never share a folder.
"""

import hashlib
import re
import unicodedata

RESERVED = {"mathjax"}  # RESULTS/feedback/mathjax holds the pages' MathJax
MAX_ID_CHARS = 1_000
MAX_FOLDER_BYTES = 100  # well inside a file system's 255


def is_student_id(text: str) -> bool:
    """Whether `text` may name a student: something to tell students apart by, in one
    line, without a path separator (nbgrader's submitted/ and feedback/ are folders
    named by the id, so an id with `/` cannot travel through nbgrader's exchange)."""
    return (0 < len(text) <= MAX_ID_CHARS and text not in (".", "..")
            and "/" not in text and "\\" not in text
            and not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text))


def student_folder(student: str) -> str:
    """The name of the folders that hold `student`'s files in RESULTS and in staging."""
    if (is_student_id(student) and len(student.encode()) <= MAX_FOLDER_BYTES
            and not student.startswith((".", "-")) and "~" not in student
            and student.lower() not in RESERVED):
        return student
    plain = re.sub(r"[^A-Za-z0-9._@+-]+", "_", student)[:40].strip("._-") or "student"
    return f"{plain}~{hashlib.sha256(student.encode()).hexdigest()[:12]}"
