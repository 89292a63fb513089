"""What a run did, for the command's last lines and the summary."""

from dataclasses import dataclass, field


@dataclass
class RunReport:
    graded: int = 0
    skipped: int = 0
    grader_failures: list[tuple[str, str, str]] = field(default_factory=list)  # s, a, why
    unattributed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the collection as a whole
    enforcement: str = ""
    canvas_ids: bool = False  # students are Canvas user ids: the export names them so
