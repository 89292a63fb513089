"""Limits for a notebook as a whole: time, memory and a process count.

Wall time is enforced by the grading process (it kills the sandbox). The
process count and memory are enforced by the kernel, in one of two ways:

- a control group per sandbox (`pids.max` and a memory limit for all its
  processes together), where this process may create one: as root, on
  cgroup v2 or on the v1 `pids` and `memory` hierarchies;
- otherwise rlimits set inside the sandbox: RLIMIT_NPROC (counted per user
  namespace, so per notebook; it never binds root, hence cgroups for root)
  and RLIMIT_AS per process, which bounds memory as per-process limit x
  process cap.
"""

import itertools
import os
from dataclasses import dataclass
from pathlib import Path

CGROUP_FS = Path("/sys/fs/cgroup")
_counter = itertools.count()


@dataclass
class Limits:
    cell_seconds: float = 30.0
    notebook_seconds: float = 240.0
    memory_mb: int = 2048  # the notebook's processes together (cgroup) or each (rlimit)
    processes: int = 16  # processes and threads of one notebook
    max_restarts: int = 6


def _own_path(controller):
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(",") or (controller == "" and controllers == ""):
            return path.lstrip("/")
    return None


class CgroupV1:
    """One folder in each of the v1 `pids` and `memory` hierarchies per sandbox."""

    name = "cgroup v1 (pids, memory)"

    def __init__(self):
        self.bases = {}
        for controller in ("pids", "memory"):
            own = _own_path(controller)
            if own is None or not (CGROUP_FS / controller).is_dir():
                raise OSError(f"no v1 {controller} hierarchy")
            base = CGROUP_FS / controller / own / f"rnn-grader-{os.getpid()}"
            base.mkdir(exist_ok=True)
            self.bases[controller] = base

    def create(self, limits):
        name = f"sandbox-{next(_counter)}"
        pids = self.bases["pids"] / name
        memory = self.bases["memory"] / name
        pids.mkdir()
        memory.mkdir()
        (pids / "pids.max").write_text(str(limits.processes))
        (memory / "memory.limit_in_bytes").write_text(str(limits.memory_mb << 20))
        swap = memory / "memory.memsw.limit_in_bytes"
        if swap.exists():
            swap.write_text(str(limits.memory_mb << 20))
        return [pids, memory]

    def close(self):
        for base in self.bases.values():
            _rmdir(base)


class CgroupV2:
    """A child of this process's own cgroup per sandbox (pids.max, memory.max)."""

    name = "cgroup v2"

    def __init__(self):
        own = _own_path("")
        if own is None or not (CGROUP_FS / "cgroup.controllers").is_file():
            raise OSError("no cgroup v2 hierarchy")
        # The no-internal-process rule: our own processes move to a leaf first.
        self.base = CGROUP_FS / own / f"rnn-grader-{os.getpid()}"
        self.base.mkdir(exist_ok=True)
        control = self.base / "cgroup.subtree_control"
        control.write_text("+pids +memory")

    def create(self, limits):
        folder = self.base / f"sandbox-{next(_counter)}"
        folder.mkdir()
        (folder / "pids.max").write_text(str(limits.processes))
        (folder / "memory.max").write_text(str(limits.memory_mb << 20))
        (folder / "memory.swap.max").write_text("0")
        return [folder]

    def close(self):
        _rmdir(self.base)


def _rmdir(folder):
    for child in sorted(folder.glob("sandbox-*"), reverse=True):
        try:
            child.rmdir()
        except OSError:
            pass
    try:
        folder.rmdir()
    except OSError:
        pass


def control_groups():
    """A cgroup manager this process may use, or None."""
    for kind in (CgroupV2, CgroupV1):
        try:
            return kind()
        except OSError:
            continue
    return None


def enter(folders):
    """Move the calling process into `folders` (run in the child before exec)."""
    for folder in folders:
        with open(folder / "cgroup.procs", "w") as handle:
            handle.write(str(os.getpid()))


def release(folders):
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            pass  # still emptying: the grader's exit removes its whole folder
