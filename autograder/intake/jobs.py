"""What intake hands to grading: one Job per (student, assignment), and the collection."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..contract import Status

MAX_NOTEBOOK_BYTES = 20 << 20  # a notebook of this course is well under 1 MB


@dataclass
class Job:
    student: str  # the LMS's unique id, or nbgrader's folder name in submitted/
    assignment: str
    path: Path | None = None  # the notebook to grade; None when there is nothing to run
    note: str = ""  # a sentence for the instructor
    problem: Status | None = None  # MISSING or INVALID when there is nothing to run
    label: str = ""  # the name the LMS gave, for humans
    submitted_at: datetime | None = None  # timezone-aware UTC, when known
    late: bool | None = None  # True when the LMS marked the upload late


@dataclass
class Collection:
    jobs: list[Job]  # sorted by (student, assignment)
    unattributed: list[str] = field(default_factory=list)  # "file: why it was not graded"
    # The course's nbgrader_config.py: the one passed in, else the course root's.
    config: Path | None = None
    # True when every student id came from Canvas names, so that it is Canvas's
    # user id (the `ID` column of its gradebook CSV) and not a login.
    canvas_ids: bool = False
    notes: list[str] = field(default_factory=list)  # about the collection as a whole


def parse_time(text: str) -> datetime:
    """nbgrader's parsing of a submission time, as an aware UTC datetime."""
    from nbgrader.utils import parse_utc

    return parse_utc(text).replace(tzinfo=UTC)


# -- nbgrader's submitted/ layout ------------------------------------------------------
