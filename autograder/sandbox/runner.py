"""The grading side of the sandbox: drives one notebook through a child.

Each notebook gets a fresh child forked from a warm fork server. The parent
sends one cell at a time and judges hidden checks itself (see
`autograder.checking`). A cell that hangs, exhausts memory or kills its
process costs that cell only: the child is replaced, the definitions made
so far are replayed, and grading goes on with the next cell.
"""

import io
import multiprocessing
import os
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing import forkserver, popen_forkserver, reduction, spawn, util
from multiprocessing.context import ForkServerProcess, set_spawning_popen

from .. import wire
from ..checking import Reply, Verdict, run_check

FATAL = ("timeout", "crashed", "memory")
_context = None


@dataclass
class Limits:
    cell_seconds: float = 30.0
    notebook_seconds: float = 240.0
    memory_mb: int = 2048
    max_restarts: int = 6
    chroot: bool = True


@dataclass
class Cell:
    index: int
    source: str
    role: str  # setup, answer, test, extra
    function: str = ""
    checks: tuple = ()  # (name, suite) pairs a test cell must pass
    inject: tuple = ()


@dataclass
class Outcome:
    status: str = "ok"  # ok, error, timeout, memory, crashed, skipped
    message: str = ""
    ename: str = ""
    evalue: str = ""
    traceback: list = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""
    verdicts: dict = field(default_factory=dict)
    events: list = field(default_factory=list)
    seconds: float = 0.0


class Hang(Exception):
    pass


class Died(Exception):
    pass


class Aborted(Exception):
    """The cell finished (or broke protocol) while a check was waiting."""

    def __init__(self, message):
        super().__init__("aborted")
        self.message = message


class _Popen(popen_forkserver.Popen):
    """The fork server's Popen, except that the child never re-runs the parent's
    __main__ (multiprocessing does so by default: slow, and not the submission's
    business)."""

    def _launch(self, process_obj):
        prep_data = spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_name", None)
        prep_data.pop("init_main_from_path", None)
        buf = io.BytesIO()
        set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        _parent_w = os.dup(w)
        self.finalizer = util.Finalize(self, util.close_fds, (_parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _Process(ForkServerProcess):
    @staticmethod
    def _Popen(process_obj):
        return _Popen(process_obj)


def context():
    """The fork server, started once with NumPy and the child module loaded."""
    global _context
    if _context is None:
        # One BLAS thread per sandbox: the grader already runs one sandbox per core.
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(name, "1")
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(
            ["autograder.sandbox.child", "numpy", "numpy.testing", "matplotlib",
             "matplotlib.pyplot", "IPython.core.inputtransformer2",
             "autograder.sandbox.isolate"])
    return _context


class Child:
    def __init__(self, limits, workdir):
        ctx = context()
        self.conn, child_end = ctx.Pipe(duplex=True)
        from . import child

        settings = {"workdir": workdir, "memory_bytes": limits.memory_mb << 20,
                    "cpu_seconds": int(limits.notebook_seconds) + 10,
                    "chroot": limits.chroot}
        self.process = _Process(target=child.main, args=(child_end, settings), daemon=True)
        self.process.start()
        child_end.close()
        self.killed = False

    def send(self, message):
        try:
            self.conn.send_bytes(wire.dumps(message))
        except (OSError, ValueError) as error:
            raise Died(str(error)) from None

    def recv(self, deadline):
        remaining = deadline - time.monotonic()
        try:
            if remaining <= 0 or not self.conn.poll(remaining):
                raise Hang()
            return wire.loads(self.conn.recv_bytes(wire.MAX_MESSAGE_BYTES))
        except (EOFError, ConnectionError) as error:
            raise Died(str(error) or "end of file") from None
        except OSError as error:  # "bad message length": more than the grader accepts
            raise Died(f"sent an oversized message ({error})") from None
        except ValueError as error:
            raise Died(f"sent something that is not a grader message ({error})") from None

    def death(self):
        """Why the process is gone: (status, message)."""
        self.process.join(2)
        code = self.process.exitcode
        if code is None:
            return "crashed", "the notebook's process stopped answering"
        if code < 0:
            sig = signal.Signals(-code).name
            if -code == signal.SIGXCPU:
                return "timeout", "the notebook used up its CPU time"
            if -code == signal.SIGKILL and not self.killed:
                return "memory", "the notebook's process was killed (out of memory)"
            return "crashed", f"the notebook's process died ({sig})"
        return "crashed", f"the notebook's process exited with code {code} (sys.exit/os._exit?)"

    def kill(self):
        self.killed = True
        pid = self.process.pid
        for kill in (lambda: os.killpg(pid, signal.SIGKILL), self.process.kill):
            try:
                kill()
            except (ProcessLookupError, PermissionError, OSError):
                pass
        self.process.join(5)
        self.conn.close()


class NotebookRun:
    """Runs `cells` and returns one Outcome per cell index."""

    def __init__(self, cells, reference, limits=None):
        self.cells = cells
        self.reference = reference
        self.limits = limits or Limits()
        self.child = None
        self.workdir = None
        self.cell = None
        self.pending_checks = ()

    def run(self):
        self.root = tempfile.mkdtemp(prefix="rnn-grade-")
        self.workdir = os.path.join(self.root, "submission")
        os.mkdir(self.workdir)
        outcomes = {}
        replay = []
        restarts = 0
        end = time.monotonic() + self.limits.notebook_seconds
        try:
            self.child = Child(self.limits, self.workdir)
            for position, cell in enumerate(self.cells):
                if time.monotonic() >= end:
                    for rest in self.cells[position:]:
                        outcomes[rest.index] = Outcome(
                            "timeout", "not run: the notebook used up its time limit")
                    break
                outcome = self._execute(cell, min(end, time.monotonic()
                                                  + self.limits.cell_seconds))
                outcomes[cell.index] = outcome
                if outcome.status in FATAL:
                    self.child.kill()
                    restarts += 1
                    if restarts > self.limits.max_restarts or not self._restart(replay, end):
                        for rest in self.cells[position + 1:]:
                            outcomes[rest.index] = Outcome(
                                "crashed", "not run: the notebook's process could not be "
                                "restored after earlier failures")
                        break
                elif cell.role != "test":
                    replay.append(cell)
        finally:
            if self.child is not None:
                self.child.kill()
            shutil.rmtree(self.root, ignore_errors=True)
        return outcomes

    def _restart(self, replay, end):
        self.child = Child(self.limits, self.workdir)
        for cell in replay:
            outcome = self._execute(cell, min(end, time.monotonic() + self.limits.cell_seconds))
            if outcome.status in FATAL:
                self.child.kill()
                return False
        return True

    # -- one cell ------------------------------------------------------------
    def _execute(self, cell, deadline):
        started = time.monotonic()
        self.cell = cell
        self.pending_checks = list(cell.checks)
        outcome = Outcome()
        try:
            self.child.send({"op": "exec", "index": cell.index, "source": cell.source,
                             "role": cell.role, "inject": list(cell.inject)})
            done = self._serve(deadline, outcome)
            self._finish(done, outcome)
        except Hang:
            outcome.status = "timeout"
            outcome.message = (f"the cell did not finish within its time limit "
                               f"({self.limits.cell_seconds:g} s per cell)")
        except Died:
            outcome.status, outcome.message = self.child.death()
        outcome.seconds = time.monotonic() - started
        return outcome

    def _serve(self, deadline, outcome):
        """Answer the child's requests until the cell is done."""
        while True:
            message = self.child.recv(deadline)
            op = message.get("op")
            if op == "done":
                return message
            if op == "check":
                try:
                    self._judge(message, deadline, outcome)
                except Aborted as aborted:
                    if aborted.message.get("op") == "done":
                        return aborted.message
                    outcome.events.append("broke the grading protocol during a check")
                    self.child.kill()
                    raise Died("protocol") from None
            elif op == "ref":
                self._answer_reference(message)
            else:
                outcome.events.append(f"sent an unexpected message ({op!r})")

    def _judge(self, message, deadline, outcome):
        key = (str(message.get("name")), str(message.get("suite")))
        if key not in self.pending_checks:
            outcome.events.append(f"called the grader's check for {key[0]} from its own code")
            self.child.send({"op": "verdict", "status": "tampered",
                             "message": "this check may only run from its test cell"})
            return
        self.pending_checks.remove(key)
        name, suite = key
        if not message.get("callable"):
            verdict = Verdict("error", f"{name} is not defined as a function.")
        else:
            def call(args):
                self.child.send({"op": "call", "args": wire.encode(list(args))})
                while True:
                    reply = self.child.recv(deadline)
                    if reply.get("op") == "call_result":
                        return _reply(reply)
                    if reply.get("op") == "ref":
                        self._answer_reference(reply)
                    else:
                        raise Aborted(reply)

            verdict = run_check(name, suite, call, getattr(self.reference, name))
        outcome.verdicts[key] = verdict
        self.child.send({"op": "verdict", "status": verdict.status, "message": verdict.message})

    def _answer_reference(self, message):
        name = message.get("name")
        if name not in self.cell.inject:
            self.child.send({"op": "ref_error", "message": "no such reference"})
            return
        try:
            args = wire.decode(message["args"])
            value = getattr(self.reference, name)(*args)
            self.child.send({"op": "ref_result", "value": wire.encode(value)})
        except Exception as error:  # the student called an earlier function wrongly
            self.child.send({"op": "ref_error",
                             "message": f"{name} could not run on these arguments: {error}"})

    def _finish(self, done, outcome):
        outcome.stdout = str(done.get("stdout", ""))
        outcome.stderr = str(done.get("stderr", ""))
        outcome.events += [str(e) for e in done.get("events", [])]
        patched = done.get("patched", [])
        if patched:
            outcome.events.append("replaced " + ", ".join(map(str, patched[:5])))
        if done.get("ok"):
            for name, _suite in self.pending_checks:
                outcome.events.append(f"kept the hidden test of {name} from reaching the grader")
            return
        outcome.ename = str(done.get("ename", "Error"))
        outcome.evalue = str(done.get("evalue", ""))
        outcome.traceback = [str(x) for x in done.get("traceback", [])]
        outcome.status = "memory" if done.get("memory") else "error"
        if outcome.ename == "SystemExit":
            outcome.status = "crashed"
        outcome.message = f"{outcome.ename}: {outcome.evalue}"


def _reply(message):
    if message.get("error"):
        return Reply(error=str(message["error"]))
    after = wire.decode(message.get("args_after", {"t": "list", "items": []}))
    return Reply(value=wire.decode(message.get("value", {"t": "py", "v": None})),
                 args_after=tuple(after) if isinstance(after, list) else (),
                 warnings=[str(w) for w in message.get("warnings", [])])
