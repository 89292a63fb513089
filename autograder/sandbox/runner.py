"""The grading side of the sandbox: runs one notebook's cells, one sandbox each.

Sandboxes are started ahead (`SandboxPool`), so the few hundred
milliseconds a new one takes to load NumPy overlap with grading; each is
used for one notebook and discarded. The grading process sends one cell at
a time and judges hidden checks itself (`autograder.judge`): the sandbox
only ever sees a case's inputs. A cell that hangs, exhausts memory or
kills its process costs that cell only: the sandbox is replaced, the
definitions made so far are replayed, and grading goes on.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from ..judge import Reply, Verdict, run_check
from ..status import Status
from . import boundary, bwrap, seccomp
from .limits import WATCH_SECONDS, Limits, MemoryWatch, OomWatch, control_groups
from .protocol import MAX_MESSAGE_BYTES, Op, dumps, loads


@dataclass
class Cell:
    index: int
    source: str
    role: str  # setup, answer, test, extra
    function: str = ""
    checks: tuple = ()  # (function, suite) pairs a test cell must pass
    inject: tuple = ()  # earlier functions replaced by the reference while it runs


@dataclass
class Outcome:
    status: Status = Status.OK  # ok, error, timeout, memory, crashed
    message: str = ""
    ename: str = ""
    evalue: str = ""
    traceback: list = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""
    figures: list = field(default_factory=list)  # PNG, base64
    verdicts: dict = field(default_factory=dict)
    events: list = field(default_factory=list)  # what the cell tried that tests rely on


class Hang(Exception):
    pass


class Died(Exception):
    pass


class SandboxFailed(RuntimeError):
    """The sandbox itself could not start: the grader's failure, not the student's."""


class Aborted(Exception):
    """The cell finished (or broke protocol) while a check was waiting."""

    def __init__(self, message):
        super().__init__("aborted")
        self.message = message


ENTER_CGROUPS = 'while [ "$1" != -- ]; do echo $$ > "$1"; shift; done; shift; exec "$@"'


class Sandbox:
    """One bubblewrap sandbox running `child.py`, reached over a socket."""

    def __init__(self, limits, scratch, cgroups=None, unsandboxed=False, shared_files=()):
        self.limits = limits
        uid = None if unsandboxed else bwrap.sandbox_uid(cgroups is not None)
        # A sandbox writes only in memory (bwrap.py); unsandboxed code gets a folder.
        self.workdir = Path(tempfile.mkdtemp(prefix="unsandboxed-", dir=scratch)) \
            if unsandboxed else None
        self.cgroups = cgroups
        self.cgroup_folders = cgroups.create(limits) if cgroups else []
        # What the grading process looks at while a cell runs: the cgroup's kills for
        # memory, counted from now; without a cgroup, the memory watch, once started.
        self.watch = OomWatch(cgroups, self.cgroup_folders) if cgroups else None
        ours, theirs = socket.socketpair()
        # -S: no site module (its .pth files cost 10 ms a start); the package folders
        # it would add are given instead.
        paths = [str(bwrap.ROOT), *bwrap.package_folders()]
        child_args = ["-I", "-S", "-c",
                      f"import sys; sys.path[:0] = {paths!r}; "
                      "from autograder.sandbox.child import main; "
                      f"main({theirs.fileno()}, {limits.processes}, {limits.memory_mb}, "
                      f"{int(limits.notebook_seconds) + 10})"]
        passed = [theirs.fileno()]
        # Without a cgroup the grading process watches the notebook's memory as a whole
        # (limits.MemoryWatch), through its PID 1, whose pid bubblewrap tells on this pipe.
        self.info = info_write = None
        if unsandboxed:
            command = [sys.executable, *child_args]
        else:
            if not self.cgroup_folders:
                self.info, info_write = os.pipe()
                passed.append(info_write)
            passed.append(seccomp.pipe())
            command = bwrap.command(child_args, passed[-1], shared_files=shared_files,
                                    info_fd=info_write)
        if self.cgroup_folders:
            # Enter the control groups before bubblewrap starts, from a shell that then
            # becomes bubblewrap (cheaper than a preexec_fn, which forces a full fork).
            command = ["/bin/sh", "-c", ENTER_CGROUPS, "sh",
                       *(str(f / "cgroup.procs") for f in self.cgroup_folders), "--",
                       *command]
        self.process = subprocess.Popen(
            command, pass_fds=passed, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
            cwd=self.workdir or "/", user=uid, group=uid,
            extra_groups=[] if uid is not None else None)
        theirs.close()
        for fd in passed[1:]:  # bubblewrap's own copies: the info pipe, the filter
            os.close(fd)
        self.conn = Connection(os.dup(ours.fileno()))
        ours.close()
        self.killed = False
        self.over_memory = False
        self.ready = False

    def send(self, message):
        try:
            self.conn.send_bytes(dumps(message))
        except (OSError, ValueError) as error:
            raise Died(str(error)) from None

    def recv(self, deadline):
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise Hang()
                if self.conn.poll(min(remaining, WATCH_SECONDS) if self.watch
                                  else remaining):
                    break
                if self.watch and self.watch.exceeded():
                    self.over_memory = True
                    self._stop()
                    raise Died("over its memory limit")
            return loads(self.conn.recv_bytes(MAX_MESSAGE_BYTES))
        except (EOFError, ConnectionError) as error:
            raise Died(str(error) or "end of file") from None
        except OSError as error:  # "bad message length": more than the grader accepts
            raise Died(f"sent an oversized message ({error})") from None
        except ValueError as error:
            raise Died(f"sent something that is not a grader message ({error})") from None

    def wait_ready(self, seconds=60):
        """The sandbox's first word; SandboxFailed if it never comes."""
        if self.ready:
            return
        try:
            message = self.recv(time.monotonic() + seconds)
        except (Hang, Died):
            self._stop()
            error = self.process.stderr.read().decode(errors="replace").strip()
            self.kill()
            raise SandboxFailed(f"the sandbox did not start: {error[-300:] or 'no message'}") \
                from None
        if message.get("op") != Op.READY:
            self.kill()
            raise SandboxFailed("the sandbox did not start: unexpected first message")
        if self.info is not None:
            with os.fdopen(self.info) as info:  # bubblewrap closes it once written
                self.info = None
                self.watch = MemoryWatch(json.load(info)["child-pid"], self.limits.memory_mb,
                                         bwrap.IN_MEMORY)
        self.ready = True

    def death(self):
        """Why the sandbox is gone: (status, message)."""
        # The kernel may have killed the notebook's own process for its cgroup's memory
        # before the grading process looked: the same outcome as stopping it.
        if self.over_memory or (self.watch is not None and self.watch.exceeded()):
            return Status.MEMORY, ("the notebook's processes and in-memory files together "
                                   f"used more than its memory limit "
                                   f"({self.limits.memory_mb} MiB)")
        try:
            self.process.wait(2)
        except subprocess.TimeoutExpired:
            return Status.CRASHED, "the notebook's process stopped answering"
        stderr = self.process.stderr.read().decode(errors="replace")
        code = self.process.returncode
        if code < 0 and -code == signal.SIGKILL and not self.killed:
            return Status.MEMORY, "the notebook's process was killed (out of memory)"
        # bwrap reports the sandboxed process's own end as its exit status.
        if code == 128 + signal.SIGXCPU or -code == signal.SIGXCPU:
            return Status.TIMEOUT, "the notebook used up its CPU time"
        if code == 128 + signal.SIGKILL:
            return Status.MEMORY, "the notebook's process was killed (out of memory)"
        if code > 128:
            name = signal.Signals(code - 128).name if code - 128 < 65 else str(code)
            return Status.CRASHED, f"the notebook's process died ({name})"
        if "MemoryError" in stderr:
            return Status.MEMORY, "the notebook ran out of memory"
        return Status.CRASHED, (f"the notebook's process exited with code {code} "
                                "(sys.exit/os._exit?)")

    def _stop(self):
        """End the sandbox and everything in it (its PID 1 takes them all along)."""
        self.killed = True
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            pass

    def kill(self):
        """Stop the sandbox and free what it held."""
        self._stop()
        self.conn.close()
        self.process.stderr.close()
        if self.info is not None:  # never read: the sandbox did not start
            os.close(self.info)
            self.info = None
        if self.cgroups:
            self.cgroups.release(self.cgroup_folders)
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


class SandboxPool:
    """Sandboxes started ahead; each is taken for one notebook and then discarded."""

    def __init__(self, limits, spare=1, unsandboxed=False):
        self.limits = limits
        self.unsandboxed = unsandboxed
        self.cgroups = None if unsandboxed else control_groups()
        if not unsandboxed:
            bwrap.probe(bwrap.sandbox_uid(self.cgroups is not None))
        self.scratch = Path(tempfile.mkdtemp(prefix="rnn-grader-"))
        self.scratch.chmod(0o711)  # `nobody`'s bubblewrap reaches the font list, lists none
        self.shared_files = () if unsandboxed else bwrap.font_cache(self.scratch)
        self.spare = spare
        self.lock = threading.Lock()
        self.ready = []
        self.closed = False

    @property
    def enforcement(self):
        """Which kernel mechanism bounds memory and processes, in words."""
        if self.unsandboxed:
            return "no sandbox (--unsandboxed): student code runs as this user"
        if self.cgroups:
            return (f"bubblewrap; {self.cgroups.name}: {self.limits.memory_mb} MiB and "
                    f"{self.limits.processes} processes per notebook")
        return (f"bubblewrap; rlimits and a memory watch (no cgroup available): "
                f"{self.limits.memory_mb} MiB and {self.limits.processes} processes per "
                f"notebook")

    def _start(self):
        return Sandbox(self.limits, self.scratch, self.cgroups, self.unsandboxed,
                       self.shared_files)

    def take(self):
        with self.lock:
            if self.closed:
                raise SandboxFailed("the grader is shutting down")
            sandbox = self.ready.pop(0) if self.ready else None
            while len(self.ready) < self.spare:
                self.ready.append(self._start())
        return sandbox or self._start()

    def close(self):
        with self.lock:
            self.closed = True
            ready, self.ready = self.ready, []
        for sandbox in ready:
            sandbox.kill()
        if self.cgroups:
            self.cgroups.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


class NotebookRun:
    """Runs `cells` and returns one Outcome per cell index."""

    def __init__(self, cells, reference, limits, pool):
        self.cells = cells
        self.reference = reference
        self.limits = limits
        self.pool = pool
        self.sandbox = None
        self.cell = None
        self.pending_checks = []

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

    def run(self):
        outcomes = {}
        replay = []
        restarts = 0
        end = time.monotonic() + self.limits.notebook_seconds
        try:
            self.sandbox = self._fresh_sandbox()
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
                elif cell.role != "test":
                    replay.append(cell)
        finally:
            if self.sandbox is not None:
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
                               "role": cell.role, "inject": list(cell.inject)})
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
        if not message.get("callable"):
            verdict = Verdict(Status.ERROR, f"{name} is not defined as a function.")
        else:
            def call(args):
                self.sandbox.send({"op": Op.CALL, "args": boundary.encode(list(args))})
                while True:
                    reply = self.sandbox.recv(deadline)
                    if reply.get("op") == Op.CALL_RESULT:
                        return _reply(reply)
                    if reply.get("op") == Op.REF:
                        self._answer_reference(reply)
                    else:
                        raise Aborted(reply)

            verdict = run_check(name, suite, call, getattr(self.reference, name))
        outcome.verdicts[key] = verdict
        self.sandbox.send({"op": Op.VERDICT, "status": verdict.status,
                           "message": verdict.message})

    def _answer_reference(self, message):
        name = message.get("name")
        if name not in self.cell.inject:
            self.sandbox.send({"op": Op.REF_ERROR, "message": "no such reference"})
            return
        try:
            args = boundary.decode(message["args"])
            value = getattr(self.reference, name)(*args)
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


def _reply(message):
    if message.get("error"):
        return Reply(error=str(message["error"]))
    after = boundary.decode(message.get("args_after", {"t": "list", "items": []}))
    return Reply(value=boundary.decode(message.get("value", {"t": "py", "v": None})),
                 args_after=tuple(after) if isinstance(after, list) else (),
                 warnings=[str(w) for w in message.get("warnings", [])])


__all__ = ["Cell", "Limits", "NotebookRun", "Outcome", "SandboxFailed", "SandboxPool"]
