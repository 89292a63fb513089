"""What grading one notebook produced, and how it is written down.

`NotebookResult` owns its serialisations: the resume state (JSON) and the
rows of `grades.csv`. Everything downstream (gradebook, CSVs, totals,
summary) reads these objects, never CSV columns by position.
"""

import json
from dataclasses import asdict, dataclass, field

from ..contract import Status

# The spec's seven columns first; the submission time and late penalty follow.
GRADE_COLUMNS = ("student", "assignment", "item", "score", "max_score", "status", "message",
                 "submitted_at", "late_penalty")


@dataclass
class ItemResult:
    item: str
    score: float
    max_score: float
    status: Status
    message: str = ""

    def __post_init__(self):
        self.status = Status(self.status)


@dataclass
class NotebookResult:
    student: str
    assignment: str
    items: list[ItemResult]
    cell_scores: dict[str, tuple[float, float]] = field(default_factory=dict)  # by grade id
    key: str = ""  # what was graded: the notebook's bytes and the course's version
    label: str = ""  # the student's name as the LMS gave it, when known
    submitted_at: str = ""  # ISO 8601, UTC, when known
    late_penalty: float = 0.0  # points taken off by nbgrader's late-submission plugin
    # True when the outcome was caused by the grader itself (a sandbox that did not
    # start, a worker killed from outside): such a result is reported, never kept.
    grader_failure: bool = False
    # What travels back with the result, never kept in the state: the graded notebook
    # and its feedback page.
    graded_notebook: str = field(default="", repr=False)
    feedback_html: str = field(default="", repr=False)

    def __post_init__(self):
        self.items = [i if isinstance(i, ItemResult) else ItemResult(**i) for i in self.items]

    @property
    def score(self):
        return max(0.0, sum(i.score for i in self.items) - self.late_penalty)

    @property
    def max_score(self):
        return sum(i.max_score for i in self.items)

    @property
    def statuses(self):
        return [i.status for i in self.items]

    def to_json(self):
        record = asdict(self)
        record.pop("feedback_html")
        record.pop("graded_notebook")
        return json.dumps(record, indent=1)

    @classmethod
    def from_json(cls, text):
        return cls(**json.loads(text))

    def csv_rows(self):
        for item in self.items:
            yield {"student": self.student, "assignment": self.assignment, "item": item.item,
                   "score": f"{item.score:g}", "max_score": f"{item.max_score:g}",
                   "status": item.status.value, "message": item.message,
                   "submitted_at": self.submitted_at,
                   "late_penalty": f"{self.late_penalty:g}" if self.late_penalty else ""}
