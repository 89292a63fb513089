"""One notebook's cells, run one at a time in a sandbox of its own.

The grading process sends one cell at a time. When a cell asks for a check
(the stand-in of the hidden-test module) or for an earlier function's
reference version, the run asks its `Host`, the layer above, which alone
knows the course: the sandbox only carries the case's inputs in and the
function's outputs out. A cell that hangs, exhausts memory or kills its
process costs that cell only: the sandbox is replaced, the definitions
made so far are replayed, and the run goes on.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..contract import Status
from . import boundary
from .calls import CallResult
from .errors import Aborted, Died, Hang, SandboxFailed
from .limits import Limits
from .process import Sandbox, SandboxPool
from .protocol import Op


@dataclass
class Cell:
    index: int
    source: str
    replay: bool = True  # run again in a new sandbox after a crash (definitions)
    show_source: bool = True  # its lines may appear in tracebacks (not a hidden test's)
    checks: tuple[tuple[str, str], ...] = ()  # (function, suite) pairs it must ask for
    inject: tuple[str, ...] = ()  # names served by the host's reference while it runs


class Judgement(Protocol):
    """What the host says of a check: the sandbox passes it on to the cell."""

    status: Status
    message: str


class Host(Protocol):
    """The layer above, asked whenever a cell needs what the sandbox must not hold."""

    def judge(self, name: str, suite: str,
              call: Callable[[Sequence], CallResult] | None) -> Judgement:
        """Judge function `name` on `suite`; `call(args)` runs it once in the sandbox
        (None: the notebook's `name` is not a function)."""

    def reference(self, name: str, args: list) -> object:
        """The reference `name` on `args` (ValueError/TypeError: it cannot run on them)."""


@dataclass
class Outcome:
    status: Status = Status.OK  # ok, error, timeout, memory, crashed
    message: str = ""
    ename: str = ""
    evalue: str = ""
    traceback: list[str] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""
    figures: list[str] = field(default_factory=list)  # PNG, base64
    verdicts: dict[tuple[str, str], Judgement] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)  # what it tried that tests rely on


class NotebookRun:
    """Runs `cells` and returns one Outcome per cell index."""

    def __init__(self, cells: list[Cell], host: Host, limits: Limits, pool: SandboxPool):
        self.cells = cells
        self.host = host
        self.limits = limits
        self.pool = pool
        self.sandbox: Sandbox  # made by run(), replaced after a crash
        self.cell: Cell  # the cell running
        self.pending_checks: list[tuple[str, str]] = []

    def _fresh_sandbox(self):
        for attempt in range(2):
            sandbox = self.pool.take()
            try:
                sandbox.wait_ready()
                return sandbox
            except SandboxFailed:
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def run(self) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        replay: list[Cell] = []
        restarts = 0
        end = time.monotonic() + self.limits.notebook_seconds
        self.sandbox = self._fresh_sandbox()
        try:
            for position, cell in enumerate(self.cells):
                if time.monotonic() >= end:
                    for rest in self.cells[position:]:
                        outcomes[rest.index] = Outcome(
                            Status.TIMEOUT, "not run: the notebook used up its time limit")
                    break
                outcome = self._execute(cell, min(end, time.monotonic()
                                                  + self.limits.cell_seconds))
                outcomes[cell.index] = outcome
                if outcome.status.fatal:
                    self.sandbox.kill()
                    restarts += 1
                    if restarts > self.limits.max_restarts or not self._restart(replay, end):
                        for rest in self.cells[position + 1:]:
                            outcomes[rest.index] = Outcome(
                                Status.CRASHED, "not run: the notebook's process could not "
                                "be restored after earlier failures")
                        break
                elif cell.replay:
                    replay.append(cell)
        finally:
            self.sandbox.kill()
        return outcomes

    def _restart(self, replay, end):
        self.sandbox = self._fresh_sandbox()
        for cell in replay:
            outcome = self._execute(cell, min(end, time.monotonic() + self.limits.cell_seconds))
            if outcome.status.fatal:
                self.sandbox.kill()
                return False
        return True

    # -- one cell ------------------------------------------------------------
    def _execute(self, cell, deadline):
        self.cell = cell
        self.pending_checks = list(cell.checks)
        outcome = Outcome()
        try:
            self.sandbox.send({"op": Op.EXEC, "index": cell.index, "source": cell.source,
                               "show_source": cell.show_source, "inject": list(cell.inject)})
            done = self._serve(deadline, outcome)
            self._finish(done, outcome)
        except Hang:
            outcome.status = Status.TIMEOUT
            outcome.message = (f"the cell did not finish within its time limit "
                               f"({self.limits.cell_seconds:g} s per cell)")
        except Died:
            outcome.status, outcome.message = self.sandbox.death()
        return outcome

    def _serve(self, deadline, outcome):
        """Answer the sandbox's requests until the cell is done."""
        while True:
            message = self.sandbox.recv(deadline)
            op = message.get("op")
            if op == Op.DONE:
                return message
            if op == Op.CHECK:
                try:
                    self._judge(message, deadline, outcome)
                except Aborted as aborted:
                    if aborted.message.get("op") == Op.DONE:
                        return aborted.message
                    outcome.events.append("broke the grading protocol during a check")
                    self.sandbox.kill()
                    raise Died("protocol") from None
            elif op == Op.REF:
                self._answer_reference(message)
            else:
                outcome.events.append(f"sent an unexpected message ({op!r})")

    def _judge(self, message, deadline, outcome):
        key = (str(message.get("name")), str(message.get("suite")))
        if key not in self.pending_checks:
            outcome.events.append(f"call the grader's check for {key[0]} from its own code")
            self.sandbox.send({"op": Op.VERDICT, "status": Status.TAMPERED,
                               "message": "this check may only run from its test cell"})
            return
        self.pending_checks.remove(key)
        name, suite = key

        def call(args):
            self.sandbox.send({"op": Op.CALL, "args": boundary.encode(list(args))})
            while True:
                reply = self.sandbox.recv(deadline)
                if reply.get("op") == Op.CALL_RESULT:
                    return _call_result(reply)
                if reply.get("op") == Op.REF:
                    self._answer_reference(reply)
                else:
                    raise Aborted(reply)

        verdict = self.host.judge(name, suite, call if message.get("callable") else None)
        outcome.verdicts[key] = verdict
        self.sandbox.send({"op": Op.VERDICT, "status": verdict.status,
                           "message": verdict.message})

    def _answer_reference(self, message):
        name = message.get("name")
        if name not in self.cell.inject:
            self.sandbox.send({"op": Op.REF_ERROR, "message": "no such reference"})
            return
        try:
            value = self.host.reference(name, boundary.decode(message["args"]))
            self.sandbox.send({"op": Op.REF_RESULT, "value": boundary.encode(value)})
        except Exception as error:  # the student called an earlier function wrongly
            self.sandbox.send({"op": Op.REF_ERROR,
                               "message": f"{name} could not run on these arguments: {error}"})

    def _finish(self, done, outcome):
        outcome.stdout = str(done.get("stdout", ""))
        outcome.stderr = str(done.get("stderr", ""))
        outcome.figures = [str(f) for f in done.get("figures", [])][:4]
        patched = [str(p) for p in done.get("patched", [])]
        if patched:
            outcome.events.append("replace " + ", ".join(patched[:5])
                                  + ", which the tests rely on")
        if done.get("ok"):
            for name, _suite in self.pending_checks:
                outcome.events.append(f"keep the hidden test of {name} from reaching the "
                                      "grader")
            return
        outcome.ename = str(done.get("ename", "Error"))
        outcome.evalue = str(done.get("evalue", ""))
        outcome.traceback = [str(x) for x in done.get("traceback", [])]
        outcome.status = Status.MEMORY if done.get("memory") else Status.ERROR
        if outcome.ename == "SystemExit":
            outcome.status = Status.CRASHED
        outcome.message = f"{outcome.ename}: {outcome.evalue}"


def _call_result(message):
    if message.get("error"):
        return CallResult(error=str(message["error"]))
    after = boundary.decode(message.get("args_after", {"t": "list", "items": []}))
    return CallResult(value=boundary.decode(message.get("value", {"t": "py", "v": None})),
                      args_after=tuple(after) if isinstance(after, list) else (),
                      warnings=[str(w) for w in message.get("warnings", [])])
