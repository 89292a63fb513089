"""The outcome of a graded function, with the order in which outcomes win.

When several tests of one function fail differently, the function's status
is the most severe: an attempt to tamper outranks a hang, which outranks a
wrong value.
"""

from enum import StrEnum


class Status(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    ERROR = "error"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    CRASHED = "crashed"
    TAMPERED = "tampered"
    MISSING = "missing"
    INVALID = "invalid"

    @property
    def severity(self):
        """Higher is more severe."""
        return _SEVERITY.index(self)

    @property
    def fatal(self):
        """The notebook's process was lost: it must be replaced before the next cell."""
        return self in (Status.TIMEOUT, Status.MEMORY, Status.CRASHED)

    @property
    def needs_a_look(self):
        """Outcomes the instructor's summary names students for."""
        return self in (Status.TAMPERED, Status.CRASHED, Status.TIMEOUT, Status.MEMORY,
                        Status.INVALID)


_SEVERITY = (Status.OK, Status.WRONG, Status.ERROR, Status.INVALID, Status.MISSING,
             Status.CRASHED, Status.MEMORY, Status.TIMEOUT, Status.TAMPERED)


def worst(statuses):
    return max(statuses, key=lambda s: s.severity)
