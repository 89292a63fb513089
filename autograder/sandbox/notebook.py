"""One notebook's cells, run one at a time in a sandbox of its own.

The grading process sends one cell at a time. When a cell asks for a check
(the stand-in of the hidden-test module) or for an earlier function's
reference version, the run asks its `Host`, the layer above, which alone
knows the course: the sandbox only carries the case's inputs in and the
function's outputs out. A cell that hangs, exhausts memory or kills its
process costs that cell only: the sandbox is replaced, the definitions
made so far are replayed, and the run goes on.
"""

import base64
import binascii
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..contract import Status
from . import boundary
from .calls import CallResult
from .channel import Budget
from .errors import Aborted, Died, Hang, ProtocolViolation, SandboxFailed
from .limits import Limits
from .process import Sandbox, SandboxPool
from .protocol import (
    CELL_BYTES,
    FIGURE_BYTES,
    MAX_FIGURES,
    NOTEBOOK_BYTES,
    NOTEBOOK_FIGURE_BYTES,
    REQUESTS_PER_CELL,
    STREAM_CHARS,
    Op,
)

PNG = b"\x89PNG\r\n\x1a\n"
TEXT_CHARS = 2_000  # an error's name or message, a line of its traceback
TRACEBACK_LINES = 60


@dataclass
class Cell:
    index: int
    source: str
    replay: bool = True  # run again in a new sandbox after a crash (definitions)
    show_source: bool = True  # its lines may appear in tracebacks (not a hidden test's)
    checks: tuple[tuple[str, str], ...] = ()  # (function, suite) pairs it must ask for
    inject: tuple[str, ...] = ()  # names served by the host's reference while it runs


class Caller(Protocol):
    """Runs the function under check once on `args` (`calls.call_watched`)."""

    def __call__(self, args: Sequence, fp_watched: bool = False) -> CallResult: ...


class Judgement(Protocol):
    """What the host says of a check: the sandbox passes it on to the cell."""

    status: Status
    message: str


class Host(Protocol):
    """The layer above, asked whenever a cell needs what the sandbox must not hold."""

    def judge(self, name: str, suite: str, call: Caller | None) -> Judgement:
        """Judge function `name` on `suite`; `call(args, fp_watched)` runs it once in the
        sandbox (None: the notebook's `name` is not a function)."""

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
    notes: list[str] = field(default_factory=list)  # what the grader left out, and why
    violation: str = ""  # what the notebook sent on the channel itself; it ended the run
    verdicts: dict[tuple[str, str], Judgement] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)  # what it tried that tests rely on


class NotebookRun:
    """Runs `cells` and returns one Outcome per cell index.

    Every wait has a deadline (the cell's, within the notebook's); every byte
    received counts against the notebook's budget (`channel.Budget`); a cell
    may ask for at most REQUESTS_PER_CELL checks, calls and reference values.
    A protocol violation ends the notebook: the cell says what was sent, the
    cells after it do not run."""

    def __init__(self, cells: list[Cell], host: Host, limits: Limits, pool: SandboxPool):
        self.cells = cells
        self.host = host
        self.limits = limits
        self.pool = pool
        self.budget = Budget(CELL_BYTES, NOTEBOOK_BYTES)
        self.figure_bytes = 0  # kept for the whole notebook
        self.sandbox: Sandbox  # made by run(), replaced after a crash
        self.cell: Cell  # the cell running
        self.pending_checks: list[tuple[str, str]] = []
        self.requests = 0

    def _fresh_sandbox(self):
        for attempt in range(2):
            sandbox = self.pool.take()
            try:
                sandbox.wait_ready()
                sandbox.channel.budget = self.budget  # the notebook's, across restarts
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
                    self._not_run(outcomes, position, Status.TIMEOUT,
                                  "not run: the notebook used up its time limit")
                    break
                outcome = self._execute(cell, min(end, time.monotonic()
                                                  + self.limits.cell_seconds))
                outcomes[cell.index] = outcome
                if outcome.violation:
                    self._not_run(outcomes, position + 1, Status.CRASHED,
                                  "not run: the notebook broke the grading protocol")
                    break
                if outcome.status.fatal:
                    self.sandbox.kill()
                    restarts += 1
                    if restarts > self.limits.max_restarts or not self._restart(replay, end):
                        self._not_run(outcomes, position + 1, Status.CRASHED,
                                      "not run: the notebook's process could not be "
                                      "restored after earlier failures")
                        break
                elif cell.replay:
                    replay.append(cell)
        finally:
            self.sandbox.kill()
        return outcomes

    def _not_run(self, outcomes, position, status, message):
        for rest in self.cells[position:]:
            outcomes[rest.index] = Outcome(status, message)

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
        self.requests = 0
        self.budget.new_cell()
        outcome = Outcome()
        try:
            self.sandbox.send({"op": Op.EXEC, "index": cell.index, "source": cell.source,
                               "show_source": cell.show_source, "inject": list(cell.inject)},
                              deadline)
            done = self._serve(deadline, outcome)
            self._finish(done, outcome)
        except Hang:
            outcome.status = Status.TIMEOUT
            outcome.message = (f"the cell did not finish within its time limit "
                               f"({self.limits.cell_seconds:g} s per cell)")
        except Died:
            outcome.status, outcome.message = self.sandbox.death()
        except ProtocolViolation as violation:
            self.sandbox.kill()
            outcome.status = Status.CRASHED
            outcome.violation = f"write to the grader's channel itself (it {violation})"
            outcome.message = ("the notebook wrote to the grader's channel itself "
                               f"(it {violation}); grading stopped here")
        return outcome

    def _request(self):
        """Count one request of the running cell; ProtocolViolation past the cap."""
        self.requests += 1
        if self.requests > REQUESTS_PER_CELL:
            raise ProtocolViolation(f"asked the grader more than {REQUESTS_PER_CELL} times "
                                    "during one cell")

    def _serve(self, deadline, outcome):
        """Answer the sandbox's requests until the cell is done."""
        while True:
            message = self.sandbox.recv(deadline)
            op = message.get("op")
            if op == Op.DONE:
                return message
            self._request()
            if op == Op.CHECK:
                try:
                    self._judge(message, deadline, outcome)
                except Aborted as aborted:
                    if aborted.message.get("op") == Op.DONE:
                        return aborted.message
                    raise ProtocolViolation("sent a message of its own during a check") \
                        from None
            elif op == Op.REF:
                self._answer_reference(message, deadline)
            else:
                raise ProtocolViolation(f"sent an operation out of turn ({op})")

    def _judge(self, message, deadline, outcome):
        key = (str(message.get("name"))[:100], str(message.get("suite"))[:100])
        if key not in self.pending_checks:
            outcome.events.append(f"call the grader's check for {key[0]} from its own code")
            self.sandbox.send({"op": Op.VERDICT, "status": Status.TAMPERED,
                               "message": "this check may only run from its test cell"},
                              deadline)
            return
        self.pending_checks.remove(key)
        name, suite = key

        def call(args, fp_watched=False):
            self._request()
            self.sandbox.send({"op": Op.CALL, "args": boundary.encode(list(args)),
                               "fp_watched": fp_watched}, deadline)
            while True:
                reply = self.sandbox.recv(deadline)
                if reply.get("op") == Op.CALL_RESULT:
                    return _call_result(reply)
                if reply.get("op") == Op.REF:
                    self._request()
                    self._answer_reference(reply, deadline)
                else:
                    raise Aborted(reply)

        verdict = self.host.judge(name, suite, call if message.get("callable") else None)
        outcome.verdicts[key] = verdict
        self.sandbox.send({"op": Op.VERDICT, "status": verdict.status,
                           "message": verdict.message}, deadline)

    def _answer_reference(self, message, deadline):
        name, args = message.get("name"), _decode(message.get("args"))
        if name not in self.cell.inject:
            self.sandbox.send({"op": Op.REF_ERROR, "message": "no such reference"}, deadline)
            return
        try:
            value = self.host.reference(name, args)
        except Exception as error:  # the student called an earlier function wrongly
            self.sandbox.send({"op": Op.REF_ERROR, "message": f"{name} could not run on "
                               f"these arguments: {str(error)[:TEXT_CHARS]}"}, deadline)
            return
        self.sandbox.send({"op": Op.REF_RESULT, "value": boundary.encode(value)}, deadline)

    def _finish(self, done, outcome):
        outcome.stdout = _text(done.get("stdout"), STREAM_CHARS, outcome.notes, "its output")
        outcome.stderr = _text(done.get("stderr"), STREAM_CHARS, outcome.notes,
                               "its error output")
        outcome.figures = self._figures(done.get("figures"), outcome.notes)
        outcome.notes += [_text(note, TEXT_CHARS) for note in _list(done.get("notes"))[:5]]
        patched = [_text(p, 200) for p in _list(done.get("patched"))[:5]]
        if patched:
            outcome.events.append("replace " + ", ".join(patched)
                                  + ", which the tests rely on")
        if done.get("ok") is True:
            for name, _suite in self.pending_checks:
                outcome.events.append(f"keep the hidden test of {name} from reaching the "
                                      "grader")
            return
        outcome.ename = _text(done.get("ename", "Error"), TEXT_CHARS)
        outcome.evalue = _text(done.get("evalue"), TEXT_CHARS)
        outcome.traceback = [_text(line, TEXT_CHARS) for line in
                             _list(done.get("traceback"))[-TRACEBACK_LINES:]]
        outcome.status = Status.MEMORY if done.get("memory") is True else Status.ERROR
        if outcome.ename == "SystemExit":
            outcome.status = Status.CRASHED
        outcome.message = f"{outcome.ename}: {outcome.evalue}"

    def _figures(self, figures, notes):
        """The cell's plots that are PNG images, within the notebook's figure budget."""
        kept, left_out = [], 0
        for figure in _list(figures)[:MAX_FIGURES]:
            image = _png(figure)
            if image is None or len(image) > FIGURE_BYTES \
                    or self.figure_bytes + len(image) > NOTEBOOK_FIGURE_BYTES:
                left_out += 1
                continue
            self.figure_bytes += len(image)
            kept.append(figure)
        if left_out:
            notes.append(f"{left_out} figure(s) of this cell are left out: each may be at "
                         f"most {FIGURE_BYTES >> 20} MiB, and all of a notebook's "
                         f"{NOTEBOOK_FIGURE_BYTES >> 20} MiB.")
        return kept


def _list(value):
    return value if isinstance(value, list) else []


def _text(value, limit, notes=None, what=""):
    """`value` as a string of at most `limit` characters (a note says when it was cut)."""
    text = value if isinstance(value, str) else ""
    if len(text) > limit:
        if notes is not None:
            notes.append(f"{what} is cut at {limit} characters.".capitalize())
        text = text[:limit]
    return text


def _png(figure):
    """The bytes of a base64 PNG image, or None if `figure` is not one."""
    if not isinstance(figure, str):
        return None
    try:
        image = base64.b64decode(figure, validate=True)
    except (binascii.Error, ValueError):
        return None
    return image if image.startswith(PNG) else None


def _decode(tree):
    try:
        return boundary.decode(tree)
    except ValueError as error:  # only a changed child sends what does not decode
        raise ProtocolViolation(f"sent a value that does not decode ({error})") from None


def _call_result(message):
    if message.get("error"):
        return CallResult(error=_text(message["error"], TEXT_CHARS))
    after = _decode(message.get("args_after", {"t": "list", "items": []}))
    return CallResult(value=_decode(message.get("value", {"t": "py", "v": None})),
                      args_after=tuple(after) if isinstance(after, list) else (),
                      warnings=[_text(w, TEXT_CHARS) for w in _list(message.get("warnings"))])
