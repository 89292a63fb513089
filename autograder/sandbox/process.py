"""A sandbox process and the pool that starts them ahead.

Sandboxes are started ahead (`SandboxPool`), so the few hundred
milliseconds a new one takes to load NumPy overlap with grading; each is
used for one notebook and discarded (`notebook.NotebookRun` drives it).
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
from multiprocessing.connection import Connection
from pathlib import Path

from ..contract import Status
from . import bwrap, seccomp
from .errors import Died, Hang, SandboxFailed
from .limits import WATCH_SECONDS, MemoryWatch, OomWatch, control_groups
from .protocol import MAX_MESSAGE_BYTES, Op, dumps, loads

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
        self.watch: OomWatch | MemoryWatch | None = (
            OomWatch(cgroups, self.cgroup_folders) if cgroups else None)
        ours, theirs = socket.socketpair()
        # -S: no site module (its .pth files cost 10 ms a start); the package folders
        # it would add are given instead.
        paths = [str(bwrap.IMPORT_ROOT), *bwrap.package_folders()]
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
        assert self.process.stderr is not None  # stderr=PIPE: bubblewrap's own messages
        self.stderr = self.process.stderr
        theirs.close()
        for fd in passed[1:]:  # bubblewrap's own copies: the info pipe, the filter
            os.close(fd)
        self.conn = Connection(os.dup(ours.fileno()))
        ours.close()
        self.killed = False
        self.freed = False
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
            error = self.stderr.read().decode(errors="replace").strip()
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
        stderr = self.stderr.read().decode(errors="replace")
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
        """Stop the sandbox and free what it held (once, however often it is called)."""
        if self.freed:
            return
        self.freed = True
        self._stop()
        self.conn.close()
        self.stderr.close()
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
