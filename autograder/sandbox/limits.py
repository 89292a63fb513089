"""Limits for a notebook as a whole: time, memory and a process count.

Wall time is enforced by the grading process (it kills the sandbox). The
process count and memory are enforced by the kernel, in one of two ways:

- a control group per sandbox (`pids.max` and a memory limit for all its
  processes together), where this process may create one: as root, on
  cgroup v2 or on the v1 `pids` and `memory` hierarchies;
- otherwise rlimits set inside the sandbox, RLIMIT_NPROC (counted per user
  namespace, so per notebook; it never binds root, hence cgroups for root)
  and RLIMIT_AS (each process at most the whole limit), and a watch kept by
  the grading process on the memory of the notebook as a whole
  (`MemoryWatch`): rlimits alone would allow the limit times the process cap.
"""

import itertools
import os
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

CGROUP_FS = Path("/sys/fs/cgroup")
WATCH_SECONDS = 0.1  # how often the grading process looks at a sandbox while a cell runs
_counter = itertools.count()


@dataclass
class Limits:
    cell_seconds: float = 30.0
    notebook_seconds: float = 240.0
    memory_mb: int = 2048  # the notebook's processes together
    processes: int = 16  # processes and threads of one notebook
    max_restarts: int = 6


def _own_path(controller):
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(",") or (controller == "" and controllers == ""):
            return path.lstrip("/")
    return None


class _Cgroups(ABC):
    """Control-group folders for sandboxes, reused once their processes are gone:
    making and removing a memory cgroup costs the kernel more than a sandbox's start."""

    def __init__(self):
        self.free = []  # folder lists whose processes have all exited

    def create(self, limits):
        folders = self.free.pop() if self.free else self._make()
        self._limit(folders, limits)
        return folders

    def release(self, folders):
        if all(_empty(folder) for folder in folders):
            self.free.append(folders)

    def oom_kills(self, folders):
        """How many processes the kernel has killed for memory in these folders, ever
        (folders are reused: compare with the count before)."""
        try:
            for line in self._events(folders).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0

    @abstractmethod
    def _make(self) -> list[Path]:
        """New folders for one sandbox."""

    @abstractmethod
    def _limit(self, folders: list[Path], limits: Limits) -> None:
        """Write the limits into a sandbox's folders."""

    @abstractmethod
    def _events(self, folders: list[Path]) -> Path:
        """The file that counts the kernel's kills for memory."""


def _empty(folder):
    try:
        return not (folder / "cgroup.procs").read_text().strip()
    except OSError:
        return False


class CgroupV1(_Cgroups):
    """One folder in each of the v1 `pids` and `memory` hierarchies per sandbox."""

    name = "cgroup v1 (pids, memory)"

    def __init__(self):
        super().__init__()
        self.bases = {}
        for controller in ("pids", "memory"):
            own = _own_path(controller)
            if own is None or not (CGROUP_FS / controller).is_dir():
                raise OSError(f"no v1 {controller} hierarchy")
            parent = CGROUP_FS / controller / own
            _remove_stale(parent)
            base = parent / f"rnn-grader-{os.getpid()}"
            base.mkdir(exist_ok=True)
            self.bases[controller] = base

    def _make(self):
        name = f"sandbox-{next(_counter)}"
        folders = [self.bases["pids"] / name, self.bases["memory"] / name]
        for folder in folders:
            folder.mkdir()
        return folders

    @staticmethod
    def _limit(folders, limits):
        pids, memory = folders
        (pids / "pids.max").write_text(str(limits.processes))
        (memory / "memory.limit_in_bytes").write_text(str(limits.memory_mb << 20))
        swap = memory / "memory.memsw.limit_in_bytes"
        if swap.exists():
            swap.write_text(str(limits.memory_mb << 20))

    @staticmethod
    def _events(folders):
        return folders[1] / "memory.oom_control"

    def close(self):
        for base in self.bases.values():
            _rmdir(base)


class CgroupV2(_Cgroups):
    """A child of this process's own cgroup per sandbox (pids.max, memory.max)."""

    name = "cgroup v2"

    def __init__(self):
        super().__init__()
        own = _own_path("")
        if own is None or not (CGROUP_FS / "cgroup.controllers").is_file():
            raise OSError("no cgroup v2 hierarchy")
        _remove_stale(CGROUP_FS / own)
        self.base = CGROUP_FS / own / f"rnn-grader-{os.getpid()}"
        self.base.mkdir(exist_ok=True)
        try:
            (self.base / "cgroup.subtree_control").write_text("+pids +memory")
        except OSError:  # the controllers are not delegated to us
            _rmdir(self.base)
            raise

    def _make(self):
        folder = self.base / f"sandbox-{next(_counter)}"
        folder.mkdir()
        return [folder]

    @staticmethod
    def _limit(folders, limits):
        (folder,) = folders
        (folder / "pids.max").write_text(str(limits.processes))
        (folder / "memory.max").write_text(str(limits.memory_mb << 20))
        (folder / "memory.swap.max").write_text("0")

    @staticmethod
    def _events(folders):
        return folders[0] / "memory.events"

    def close(self):
        _rmdir(self.base)


def _rmdir(folder, seconds=2.0):
    """Remove a grader's folder and its sandboxes' folders, once their processes are
    gone (a killed process may take a moment to leave)."""
    deadline = time.monotonic() + seconds
    while True:
        for child in folder.glob("sandbox-*"):
            try:
                child.rmdir()
            except OSError:
                pass
        try:
            folder.rmdir()
            return
        except OSError:
            if time.monotonic() > deadline:
                return
            time.sleep(0.05)


def _remove_stale(parent):
    """Folders left by graders that died without cleaning up (their pid is gone)."""
    for folder in parent.glob("rnn-grader-*"):
        pid = folder.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            _rmdir(folder, seconds=0)


class MemoryWatch:
    """The memory of a sandbox as a whole, where no cgroup counts it, in KiB:

    - what its processes map: their proportional set sizes (Pss), listed by the
      sandbox's own /proc. Pss shares a page among the processes that map it
      (NumPy's library, what a fork has not yet copied), so each counts once;
    - files in memory that no process needs to map: the sandbox's tmpfs folders
      (its home, /tmp, /dev/shm) and the memfd files its processes hold open. A page both
      mapped and in such a file counts twice: the watch errs on the machine's side.

    (System V segments, which no one outside the sandbox can see, are refused by
    `seccomp.py`.) The grading process looks every WATCH_SECONDS while a cell runs;
    between two looks a notebook can only grow by what its processes touch in that
    time, each capped by RLIMIT_AS."""

    def __init__(self, init_pid, memory_mb, folders):
        # The sandbox's PID 1 sees the sandbox's root, and so its /proc: the notebook's
        # processes and no others, however they were started.
        self.root = f"/proc/{init_pid}/root"
        self.proc = f"{self.root}/proc"
        self.folders = folders  # the sandbox's tmpfs folders
        self.limit_kb = memory_mb << 10

    def used_kb(self):
        try:
            names = [name for name in os.listdir(self.proc) if name.isdigit()]
        except OSError:  # the sandbox is gone
            return 0
        total, memfds = 0, set[tuple[int, int]]()
        for name in names:
            total += self._mapped_kb(name) + self._memfds_kb(name, memfds)
        for folder in self.folders:
            try:
                usage = os.statvfs(self.root + folder)
                total += (usage.f_blocks - usage.f_bfree) * usage.f_frsize >> 10
            except OSError:
                continue
        return total

    def _mapped_kb(self, pid):
        try:
            with open(f"{self.proc}/{pid}/smaps_rollup", "rb") as rollup:
                return next(int(line.split()[1]) for line in rollup
                            if line.startswith(b"Pss:"))
        except (OSError, StopIteration, ValueError):  # exited meanwhile
            return 0

    def _memfds_kb(self, pid, seen):
        """The memfd files `pid` holds open and no earlier process did (`seen`)."""
        total = 0
        try:
            with os.scandir(f"{self.proc}/{pid}/fd") as entries:
                for entry in entries:
                    try:
                        if not os.readlink(entry.path).startswith("/memfd:"):
                            continue
                        status = os.stat(entry.path)
                    except OSError:
                        continue
                    if (status.st_dev, status.st_ino) not in seen:
                        seen.add((status.st_dev, status.st_ino))
                        total += status.st_blocks // 2  # 512-byte blocks
        except OSError:
            pass
        return total

    def exceeded(self):
        return self.used_kb() > self.limit_kb


class OomWatch:
    """Where a cgroup bounds the notebook's memory, the kernel kills one of its processes
    once they pass the limit, perhaps a child, and the others go on. The grading process
    then stops the whole notebook, as after the memory watch, so that both ways of
    bounding memory end a notebook alike."""

    def __init__(self, cgroups, folders):
        self.cgroups, self.folders = cgroups, folders
        self.before = cgroups.oom_kills(folders)

    def exceeded(self):
        return self.cgroups.oom_kills(self.folders) > self.before


def control_groups():
    """A cgroup manager this process may use, or None."""
    for kind in (CgroupV2, CgroupV1):
        try:
            return kind()
        except OSError:
            continue
    return None
