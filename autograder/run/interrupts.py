"""Ctrl-C at any moment: the command ends with one line and exit 130, nothing half-written.

While the command's process writes what must be whole together (the gradebook's
commit and the state files that say it happened, the class-wide files), a
Ctrl-C waits for the write to finish and is raised right after it. Everything
else is interruptible at once; the notebooks under way are stopped (their
sandboxes killed) and graded again by the next run.
"""

import contextlib
import signal
import threading


class Interrupts:
    def __init__(self):
        self.holding = 0
        self.pending = False
        self.previous = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
        return False

    def _on_sigint(self, signum, frame):
        if self.holding:
            self.pending = True
        else:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def held(self):
        """A write that a Ctrl-C must not cut in half."""
        self.holding += 1
        try:
            yield
        finally:
            self.holding -= 1
            if not self.holding and self.pending:
                self.pending = False
                raise KeyboardInterrupt
