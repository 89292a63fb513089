"""The sandbox's exceptions, in one place.

`SandboxUnavailable` and `SandboxFailed` reach the layers above; `Hang`,
`Died` and `Aborted` stay inside the package, turned into a cell's Outcome.
"""


class SandboxUnavailable(RuntimeError):
    """No sandbox can be made on this machine (the instructor's to fix)."""


class SandboxFailed(RuntimeError):
    """The sandbox itself could not start: the grader's failure, not the student's."""


class Hang(Exception):
    """The cell's or the notebook's time ran out while the grading process waited."""


class Died(Exception):
    """The sandbox's process is gone, or broke the channel."""


class Aborted(Exception):
    """The cell finished (or broke protocol) while a check was waiting."""

    def __init__(self, message):
        super().__init__("aborted")
        self.message = message
