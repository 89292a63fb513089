"""The operating-system sandbox of one notebook, made by bubblewrap.

Each sandbox gets new user, PID, mount, IPC, UTS and network namespaces, a
read-only view of the system and of the Python environment, an empty
writable home, /tmp and /dev/shm of its own (in memory, 256 MiB each),
`/proc` of its own PID namespace, and a seccomp filter (`seccomp.py`). It
sees nothing else: not the folder the grader is installed in (only its
`autograder` package, which holds no answers), so not `solutions/`, not the
results, not other submissions, not the instructor's home. When its PID 1
dies, the kernel kills every process it started.

The sandbox runs as the grader's own user inside a user namespace of its
own, without capabilities. The kernel's per-user process limit never binds
root, so a root grader bounds processes with a control group (see
`limits.py`); where it has none, it runs the sandbox as `nobody` instead,
which needs a Python environment `nobody` can read.
"""

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from . import seccomp
from .errors import SandboxUnavailable

PACKAGE = Path(__file__).resolve().parents[1]  # autograder/: the grader, no answers
IMPORT_ROOT = PACKAGE.parent  # the sandbox's Python imports the package from here
HOME = "/home/student"
# Every folder a sandbox may write, each a tmpfs: what a notebook writes costs its memory
# limit (a cgroup or the memory watch counts it), never the machine's disk.
IN_MEMORY = ("/tmp", "/dev/shm", HOME)
NOBODY = 65534
PACKAGE_FOLDERS = {"site-packages", "dist-packages"}
HOW_TO_GET_ONE = (
    "Student code is graded only inside an operating-system sandbox made by bubblewrap. "
    "Install it (Debian/Ubuntu: `sudo apt-get install bubblewrap`; Fedora: `sudo dnf "
    "install bubblewrap`) and make sure unprivileged user namespaces are enabled "
    "(`sudo sysctl -w kernel.unprivileged_userns_clone=1` on Debian/Ubuntu kernels, "
    "`sudo sysctl -w user.max_user_namespaces=15000` where it is 0, and on Ubuntu 24.04+ "
    "`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`). macOS has no such "
    "sandbox: grade on Linux. To run student code without a sandbox anyway (only for "
    "code you trust), pass --unsandboxed.")


def sandbox_uid(has_cgroups):
    """The user bubblewrap runs as (None: this process's own)."""
    return NOBODY if os.geteuid() == 0 and not has_cgroups else None


# The environment a grading process runs in does not change while it runs: the binds are
# worked out once, not for every sandbox.
@functools.cache
def package_folders():
    """The folders of installed packages on this process's import path."""
    return tuple(p for p in sys.path
                 if p and os.path.isdir(p) and os.path.basename(p) in PACKAGE_FOLDERS)


@functools.cache
def _environment_paths():
    """The read-only Python environment: its prefixes and the package folders on the
    import path. Never the working folder or a script's folder (sys.path[0]), which
    may be the instructor's home, nor the folder the grader is installed in (a
    checkout's `solutions/`), except a virtual environment kept there."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.realpath(sys.executable))}
    paths.update(p for p in sysconfig.get_paths().values() if p)
    paths.update(package_folders())
    kept = set()
    for path in paths:
        for candidate in {path, os.path.realpath(path)}:
            inside = Path(candidate) == IMPORT_ROOT or IMPORT_ROOT in Path(candidate).parents
            if inside and not candidate.startswith(str(IMPORT_ROOT / ".venv")):
                continue
            if Path(candidate) in IMPORT_ROOT.parents or candidate == "/":
                continue
            kept.add(candidate)
    # Nested paths are covered by their outermost bind.
    ordered = sorted(kept, key=len)
    return tuple(p for i, p in enumerate(ordered)
                 if not any(p.startswith(q.rstrip("/") + "/") for q in ordered[:i]))


@functools.cache
def _system_binds():
    args = []
    for name in ("usr", "bin", "sbin", "lib", "lib32", "lib64"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for name in ("ld.so.cache", "localtime", "fonts", "ssl", "alternatives"):
        path = Path("/etc") / name
        if path.exists():
            args += ["--ro-bind", str(path), str(path)]
    return tuple(args)


MATPLOTLIB_DIR = "/tmp/matplotlib"


def font_cache(folder):
    """matplotlib's font list, built once per grading run: without it every notebook
    that plots would scan the system's fonts again (half a second each)."""
    folder = Path(folder) / "matplotlib"
    folder.mkdir(exist_ok=True)
    subprocess.run([sys.executable, "-I", "-c", "import matplotlib.font_manager"],
                   env={"MPLCONFIGDIR": str(folder), "HOME": str(folder)},
                   capture_output=True, timeout=120)
    folder.chmod(0o755)
    return sorted(folder.glob("fontlist-*.json"))


def command(python_args, seccomp_fd, tmp_mb=256, shared_files=(), info_fd=None):
    """The bwrap command line that runs `python python_args...` in a new sandbox, with
    the seccomp program read from `seccomp_fd`; `shared_files` are bound read-only into
    the sandbox's matplotlib folder; bubblewrap writes the sandbox's PID 1 (as JSON,
    `child-pid`) to `info_fd`, if given."""
    args = [shutil.which("bwrap") or "bwrap",
            "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
            "--new-session", "--hostname", "sandbox", "--clearenv",
            *_system_binds(),
            "--proc", "/proc", "--dev", "/dev", "--seccomp", str(seccomp_fd)]
    for folder in IN_MEMORY:  # first: an environment that lives under /tmp is bound over it
        args += ["--size", str(tmp_mb << 20), "--tmpfs", folder]
    for path in _environment_paths():
        args += ["--ro-bind", path, path]
    args += ["--ro-bind", str(PACKAGE), str(PACKAGE), "--chdir", HOME, "--dir", MATPLOTLIB_DIR]
    for path in shared_files:
        args += ["--ro-bind", str(path), f"{MATPLOTLIB_DIR}/{Path(path).name}"]
    env = {"HOME": HOME, "PATH": f"{os.path.dirname(sys.executable)}:/usr/bin:/bin",
           "LANG": "C.UTF-8", "MPLBACKEND": "Agg", "MPLCONFIGDIR": MATPLOTLIB_DIR,
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "TERM": "dumb"}
    # Where the machine sets OpenBLAS's core type (older builds compute wrong results
    # or crash on some processors without it), the sandbox keeps the setting.
    env.update({k: v for k, v in os.environ.items()
                if k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")})
    for key, value in env.items():
        args += ["--setenv", key, value]
    if info_fd is not None:
        args += ["--info-fd", str(info_fd)]
    return [*args, sys.executable, *python_args]


def probe(uid):
    """Raise SandboxUnavailable, saying how to get a sandbox, unless one can be made."""
    if sys.platform != "linux":
        raise SandboxUnavailable(f"this is {sys.platform}, not Linux. {HOW_TO_GET_ONE}")
    if shutil.which("bwrap") is None:
        raise SandboxUnavailable(f"bubblewrap (`bwrap`) is not installed. {HOW_TO_GET_ONE}")
    try:
        filter_fd = seccomp.pipe()
    except OSError as error:
        raise SandboxUnavailable(f"the sandbox's system-call filter cannot be made: {error}; "
                                 f"{seccomp.HOW_TO_GET_IT}") from None
    try:
        result = subprocess.run(
            command(["-I", "-c", "import numpy"], filter_fd), capture_output=True, text=True,
            timeout=60, user=uid, group=uid, extra_groups=[] if uid is not None else None,
            stdin=subprocess.DEVNULL, pass_fds=[filter_fd], cwd="/")
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SandboxUnavailable(f"bubblewrap could not start ({error}). "
                                 f"{HOW_TO_GET_ONE}") from None
    finally:
        os.close(filter_fd)
    if result.returncode != 0:
        why = result.stderr.strip().splitlines()[-1:] or ["no message"]
        hint = ""
        if "Permission denied" in why[0] and uid is not None:
            hint = (" As root, the grader runs sandboxes as `nobody`, which must be able to "
                    f"read the Python environment ({sys.prefix}, {sys.base_prefix}); make it "
                    "from a Python outside /root (e.g. /usr/bin/python3.11 -m venv).")
        raise SandboxUnavailable(f"a test sandbox failed: {why[0]}.{hint} {HOW_TO_GET_ONE}")
