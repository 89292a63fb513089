"""The sandboxed side: executes one notebook's cells, one message at a time.

This module is imported by the fork server before any submission exists,
so each child starts warm (NumPy loaded) and only pays for a fork. Once a
child starts it cuts itself off: new session, resource limits, no network
where the kernel lets it, an audit hook that refuses files outside its
working folder, new processes, sockets and native-code loading, and a
stand-in for `autograder.checks` that asks the grading process to judge.
"""

import builtins
import encodings.idna  # noqa: F401  (host names: a blocked connection must fail at the hook)
import io
import linecache
import os
import random
import resource
import signal
import sys
import sysconfig
import traceback
import types
import warnings

import numpy as np
import numpy.linalg  # noqa: F401  (loaded before the hook closes the file system)
import numpy.random  # noqa: F401
import numpy.testing

from .. import wire

MAX_STREAM = 20_000

_DENIED = {
    "subprocess.Popen": "start a process",
    "os.system": "start a process",
    "os.exec": "start a process",
    "os.posix_spawn": "start a process",
    "os.spawn": "start a process",
    "os.fork": "fork",
    "os.forkpty": "fork",
    "os.kill": "send a signal",
    "os.killpg": "send a signal",
    "socket.connect": "open a network connection",
    "socket.bind": "open a network socket",
    "socket.sendto": "send on the network",
    "socket.getaddrinfo": "use the network (look up a host)",
    "ctypes.dlopen": "load native code",
    "ctypes.dlsym": "load native code",
    "ctypes.call_function": "call native code",
    "ctypes.PyObj_FromPtr": "read raw memory",
    "ctypes.string_at": "read raw memory",
    "sys.addaudithook": "install an audit hook",
    "sys.settrace": "trace the grader",
    "sys.setprofile": "trace the grader",
    "gc.get_referrers": "inspect the grader's objects",
    "gc.get_objects": "inspect the grader's objects",
}
_PATH_EVENTS = {"open", "os.listdir", "os.scandir", "os.remove", "os.rename", "os.rmdir",
                "os.mkdir", "os.symlink", "os.link", "os.chmod", "os.chown", "shutil.rmtree",
                "os.truncate", "os.utime"}
_WATCHED_MODULES = (np, numpy.testing, np.random, builtins, random, np.linalg)


class Channel:
    def __init__(self, conn):
        self._send = conn.send_bytes
        self._recv = conn.recv_bytes

    def send(self, message):
        self._send(wire.dumps(message))

    def recv(self):
        return wire.loads(self._recv())


def _limit(settings):
    os.setsid()
    mem = settings["memory_bytes"]
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    cpu = settings["cpu_seconds"]
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (50 << 20, 50 << 20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.chdir(settings["workdir"])
    if settings.get("chroot", True) and os.geteuid() == 0:
        # Root can do better than an audit hook: the submission sees a file
        # system holding only its own folder, and runs as nobody.
        os.chmod(settings["workdir"], 0o777)
        os.chroot(os.path.dirname(settings["workdir"]))
        os.chdir("/submission")
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
        settings["workdir"] = "/submission"
        settings["chrooted"] = True
    os.environ.clear()
    os.environ.update({"HOME": settings["workdir"], "MPLBACKEND": "Agg",
                       "MPLCONFIGDIR": settings["workdir"], "PATH": "/usr/bin:/bin",
                       "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})


def _allowed_roots(workdir, chrooted):
    if chrooted:
        return ()
    roots = {os.path.realpath(workdir), os.path.realpath("/dev/null"),
             "/dev/urandom", "/usr/share/fonts", "/etc/fonts", "/usr/share/zoneinfo",
             "/etc/localtime", "/proc/self", "/sys/devices/system/cpu"}
    paths = sysconfig.get_paths()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        if paths.get(key):
            roots.update({paths[key], os.path.realpath(paths[key])})
    roots.add(os.path.dirname(os.path.dirname(os.path.realpath(np.__file__))))
    return tuple(sorted(roots))


class Guard:
    """The audit hook: refuses what a submission may not do, and remembers it."""

    def __init__(self, workdir, chrooted=False):
        self.workdir = workdir if chrooted else os.path.realpath(workdir)
        self.chrooted = chrooted
        self.roots = _allowed_roots(workdir, chrooted)
        self.events = []
        self.active = False

    def _refuse(self, what):
        if len(self.events) < 20:
            self.events.append(what)
        raise PermissionError(f"the grader does not let a submission {what}")

    def __call__(self, event, args):
        if not self.active:
            return
        if event in _DENIED:
            self._refuse(_DENIED[event])
        elif event in _PATH_EVENTS and args and isinstance(args[0], (str, bytes, os.PathLike)):
            path = os.path.normpath(os.path.join(self.workdir, os.fsdecode(args[0])))
            inside = path == self.workdir or path.startswith(self.workdir + os.sep)
            if inside or (self.chrooted and event != "open"):
                return
            writing = event != "open" or (len(args) > 1 and isinstance(args[1], str)
                                          and any(m in args[1] for m in "wax+"))
            if event == "open" and len(args) > 2 and isinstance(args[2], int):
                writing = writing or bool(args[2] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
            readable = any(path == r or path.startswith(r + os.sep) for r in self.roots)
            if writing or not readable or "/solutions" in path or "/autograder" in path:
                self._refuse(f"open or change {os.fsdecode(args[0])} (outside the submission)")


class Blocker:
    """Refuses (and reports) imports of the grader's and the reference's code."""

    def __init__(self, guard):
        self.guard = guard

    def find_spec(self, name, path=None, target=None):
        if self.guard.active and name.split(".")[0] in ("solutions", "autograder", "nbgrader",
                                                         "torch"):
            if name == "autograder.checks" or name == "autograder":
                return None
            self.guard.events.append(f"import {name}")
            raise ImportError(f"the grader does not let a submission import {name}")
        return None


class Snapshot:
    """The functions the tests rely on, to notice when a submission swaps one."""

    def __init__(self):
        self.saved = [(m, dict(vars(m))) for m in _WATCHED_MODULES]

    def changes(self, repair=True):
        changed = []
        for module, before in self.saved:
            now = vars(module)
            for name, value in before.items():
                if now.get(name, _MISSING) is not value:
                    changed.append(f"{module.__name__}.{name}")
                    if repair:
                        setattr(module, name, value)
        return changed


_MISSING = object()


def _short_traceback(error):
    frames = traceback.extract_tb(error.__traceback__)
    keep = [f for f in frames if f.filename.startswith("<cell")] or frames[-1:]
    lines = ["Traceback (most recent call last):\n"]
    lines += traceback.format_list(keep)
    lines += traceback.format_exception_only(type(error), error)
    return [line.rstrip("\n") for line in lines]


def _transform(source):
    if "%" not in source and "!" not in source:
        return source
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:
        return source
    return TransformerManager().transform_cell(source)


class _Shell:
    """Enough of get_ipython() for `%matplotlib inline` and friends."""

    def run_line_magic(self, name, line, *rest):
        if name in ("matplotlib", "config", "load_ext", "autoreload"):
            return None
        raise NotImplementedError(f"%{name} is not available while grading")

    def run_cell_magic(self, name, line, cell):
        raise NotImplementedError(f"%%{name} is not available while grading")

    def system(self, command):
        raise PermissionError("shell commands are not run while grading")

    getoutput = system


class Session:
    def __init__(self, conn, settings):
        self.channel = Channel(conn)
        self.guard = Guard(settings["workdir"], settings.get("chrooted", False))
        self.namespace = {"__name__": "__main__", "__builtins__": builtins,
                          "get_ipython": lambda: _SHELL}
        self.snapshot = None
        self._install_checks_module()

    def _install_checks_module(self):
        for name in list(sys.modules):
            if name.split(".")[0] in ("autograder", "solutions"):
                del sys.modules[name]
        package = types.ModuleType("autograder")
        package.__path__ = []
        checks = types.ModuleType("autograder.checks")
        checks.check = self.check
        checks.use_reference_for = lambda name, namespace=None: None
        package.checks = checks
        sys.modules["autograder"] = package
        sys.modules["autograder.checks"] = checks
        sys.path[:] = [p for p in sys.path if p and "site-packages" in p or "python3" in p]

    # -- requests from the grading process -------------------------------
    def serve(self):
        self.snapshot = Snapshot()
        sys.meta_path.insert(0, Blocker(self.guard))
        sys.addaudithook(self.guard)
        while True:
            message = self.channel.recv()
            if message["op"] == "exec":
                self.channel.send(self.execute(message))
            elif message["op"] == "bye":
                return

    def execute(self, message):
        tag = f"<cell {message['index']}>"
        source = message["source"]
        injected = self._inject(message.get("inject", ()))
        stdout, stderr = io.StringIO(), io.StringIO()
        reply = {"op": "done", "ok": True}
        self.guard.events = []
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = stdout, stderr
        self.guard.active = True
        try:
            code = compile(_transform(source), tag, "exec")
            if message.get("role") != "test":  # a test cell's hidden lines stay unseen
                linecache.cache[tag] = (len(source), None, source.splitlines(True), tag)
            with warnings.catch_warnings():
                warnings.simplefilter("default")
                exec(code, self.namespace)
        except BaseException as error:  # everything a cell can raise is the cell's result
            self.guard.active = False
            reply.update(ok=False, ename=type(error).__name__, evalue=str(error)[:2000],
                         traceback=_short_traceback(error),
                         memory=isinstance(error, MemoryError))
        finally:
            self.guard.active = False
            sys.stdout, sys.stderr = saved
            for name, original in injected.items():
                if original is _MISSING:
                    self.namespace.pop(name, None)
                else:
                    self.namespace[name] = original
        reply["stdout"] = stdout.getvalue()[:MAX_STREAM]
        reply["stderr"] = stderr.getvalue()[:MAX_STREAM]
        reply["events"] = list(self.guard.events)
        reply["patched"] = self.snapshot.changes()
        return reply

    def _inject(self, names):
        saved = {}
        for name in names:
            saved[name] = self.namespace.get(name, _MISSING)
            self.namespace[name] = self._proxy(name)
        return saved

    def _proxy(self, name):
        channel = self.channel

        def reference_version(*args):
            channel.send({"op": "ref", "name": name, "args": wire.encode(list(args))})
            answer = channel.recv()
            if answer["op"] != "ref_result":
                raise TypeError(answer.get("message", "the reference could not run"))
            return wire.decode(answer["value"])

        reference_version.__name__ = name
        return reference_version

    # -- the stand-in for autograder.checks.check --------------------------
    def check(self, name, fn, suite="main"):
        self.channel.send({"op": "check", "name": name, "suite": suite,
                           "callable": callable(fn)})
        while True:
            message = self.channel.recv()
            if message["op"] == "call":
                self.channel.send(self._call(fn, message))
            elif message["op"] == "verdict":
                if message["status"] != "ok":
                    raise AssertionError(message["message"])
                return

    def _call(self, fn, message):
        args = wire.decode(message["args"], make_fn=wire.FUNCTIONS.get)
        value, warned, error = wire.call_watched(fn, args)
        if error:
            return {"op": "call_result", "error": error[:500]}
        self.guard.active = False
        try:
            reply = {"op": "call_result", "value": wire.encode(value, strict=True),
                     "args_after": wire.encode(list(args)), "warnings": warned[:5]}
        finally:
            self.guard.active = True
        return reply


_SHELL = _Shell()


def main(conn, settings):
    """Entry point of a sandbox process (started by the fork server)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _limit(settings)
    Session(conn, settings).serve()
    os._exit(0)
