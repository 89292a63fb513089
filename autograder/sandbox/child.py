"""Inside the sandbox: a small kernel that runs one notebook's cells on request.

It is started by bubblewrap (see `bwrap.py`) and talks to the grading
process over one inherited socket. Isolation is the kernel's business
(namespaces, limits); what this module adds is what grading needs: the
output of each cell, its plots, the stand-in for the hidden-test module
that asks the grading process to judge, the reference versions of earlier
functions on request, and a record of what a cell changed in the modules
the tests rely on.

    python -I -S -c "...; from autograder.sandbox.child import main; main(FD, ...)"
"""

import base64
import builtins
import importlib
import io
import linecache
import os
import re
import resource
import signal
import struct
import sys
import time
import timeit
import traceback
import types
import warnings

from ..contract import HIDDEN_TESTS_MODULE
from . import boundary
from .calls import call_watched
from .protocol import MAX_MESSAGE_BYTES, Op, dumps, loads

MAX_STREAM = 20_000
OPEN_FILES = 1024
MAX_FIGURES = 4
# What the tests rely on (with the hidden-test module): replacing one of these is
# tampering (it is put back).
# numpy.testing is watched once a cell has loaded it (loading it costs 0.05 s).
_WATCHED_MODULES = ("numpy", "numpy.testing", "numpy.linalg", "builtins")
_MISSING = object()


def _limit(processes, memory_mb, cpu_seconds):
    """rlimits for this process and all it starts; nothing inside can raise them."""
    resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    if memory_mb:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (50 << 20, 50 << 20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # Open files hold kernel memory no count sees (socket buffers): a typical desktop's cap.
    files = min(OPEN_FILES, resource.getrlimit(resource.RLIMIT_NOFILE)[1])
    resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))


class Channel:
    """The socket to the grading process, framed as multiprocessing's Connection frames
    (a 4-byte big-endian length, then the bytes), which the grading side uses."""

    def __init__(self, fd):
        self.fd = fd

    def send(self, message):
        data = dumps(message)
        view = memoryview(struct.pack("!i", len(data)) + data)
        while view:
            view = view[os.write(self.fd, view):]

    def _read(self, size):
        chunks = []
        while size:
            chunk = os.read(self.fd, min(size, 1 << 20))
            if not chunk:
                raise EOFError("the grading process closed the channel")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def recv(self):
        (size,) = struct.unpack("!i", self._read(4))
        if not 0 <= size <= MAX_MESSAGE_BYTES:
            raise ValueError("bad message length")
        return loads(self._read(size))


class Snapshot:
    """The modules the tests rely on, to notice (and undo) a replacement of one of them
    in `sys.modules` or of anything they hold."""

    def __init__(self, names):
        self.names = names
        self.saved = {}
        self.watch_loaded()

    def watch_loaded(self):
        """Start watching the watched modules loaded since (before a cell runs)."""
        for name in self.names:
            if name in sys.modules and name not in self.saved:
                module = sys.modules[name]
                self.saved[name] = (module, dict(vars(module)))

    def changes(self):
        """What a cell replaced in the watched modules (each is put back)."""
        changed = []
        for name, (module, before) in self.saved.items():
            if sys.modules.get(name) is not module:
                changed.append(name)
                sys.modules[name] = module
            now = vars(module)
            for name, value in before.items():
                if now.get(name, _MISSING) is not value:
                    changed.append(f"{module.__name__}.{name}")
                    setattr(module, name, value)
        # A module the cell itself loaded has no snapshot yet: what it holds that a
        # cell defined was planted there; reloading the module puts its own back.
        for name in self.names:
            module = sys.modules.get(name)
            if module is not None and name not in self.saved:
                planted = [key for key, value in vars(module).items() if _from_a_cell(value)]
                if planted:
                    changed += [f"{name}.{key}" for key in planted]
                    importlib.reload(module)
        return changed


def _from_a_cell(value):
    code = getattr(value, "__code__", None)
    return code is not None and code.co_filename.startswith("<cell")


def _short_traceback(error):
    frames = traceback.extract_tb(error.__traceback__)
    keep = [f for f in frames if f.filename.startswith("<cell")] or frames[-1:]
    lines = ["Traceback (most recent call last):\n"]
    lines += traceback.format_list(keep)
    lines += traceback.format_exception_only(type(error), error)
    return [line.rstrip("\n") for line in lines]


# A line IPython would rewrite: a magic, a shell escape or help (`%time`, `!ls`,
# `x = !ls`, `len?`). Only such cells pay for importing IPython (0.3 s).
_IPYTHON_SYNTAX = re.compile(r"^\s*([%!?,;/]|[\w.,\[\]\s]+=\s*[%!])|\?\s*$", re.M)


def _transform(source):
    """IPython's own rewriting of magics and `!` lines into Python."""
    if not _IPYTHON_SYNTAX.search(source):
        return source
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


class Shell:
    """What `get_ipython()` offers a notebook, as far as grading needs it."""

    def __init__(self, namespace):
        self.namespace = namespace
        self.user_ns = namespace

    def _run(self, source):
        exec(compile(_transform(source), "<cell magic>", "exec"), self.namespace)

    def run_line_magic(self, name, line, _stack_depth=1):
        if name in ("matplotlib", "config", "load_ext", "autoreload", "precision"):
            return None
        if name == "time":
            started = time.perf_counter()
            self._run(line)
            print(f"Wall time: {time.perf_counter() - started:.3g} s")
            return None
        if name == "timeit":
            timer = timeit.Timer(line, globals=self.namespace)
            number, seconds = timer.autorange()
            print(f"{seconds / number * 1e6:.3g} µs per loop ({number} loops)")
            return None
        print(f"%{name} does nothing while grading", file=sys.stderr)
        return None

    def run_cell_magic(self, name, line, cell):
        if name in ("time", "timeit"):
            started = time.perf_counter()
            self._run(cell)
            print(f"Wall time: {time.perf_counter() - started:.3g} s")
            return None
        if name == "capture":
            self._run(cell)
            return None
        print(f"%%{name} does nothing while grading; the cell was not run", file=sys.stderr)
        return None

    def system(self, command):
        import subprocess

        result = subprocess.run(command, shell=True, capture_output=True, text=True,
                                timeout=20)
        sys.stdout.write(result.stdout)
        sys.stderr.write(result.stderr)
        return result.returncode

    def getoutput(self, command, split=True):
        import subprocess

        text = subprocess.run(command, shell=True, capture_output=True, text=True,
                              timeout=20).stdout
        return text.splitlines() if split else text


def _figures():
    """Every open matplotlib figure as PNG (base64), then closed."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return []
    images = []
    for number in pyplot.get_fignums()[:MAX_FIGURES]:
        buffer = io.BytesIO()
        try:
            pyplot.figure(number).savefig(buffer, format="png", dpi=72, bbox_inches="tight")
            images.append(base64.b64encode(buffer.getvalue()).decode("ascii"))
        except Exception:  # a figure that cannot be drawn is the student's; skip it
            continue
    pyplot.close("all")
    return images


class Session:
    def __init__(self, channel):
        self.channel = channel
        self.namespace = {"__name__": "__main__", "__builtins__": builtins}
        self.shell = Shell(self.namespace)
        self.namespace["get_ipython"] = lambda: self.shell
        self._install_hidden_tests_module()
        self.snapshot = Snapshot((*_WATCHED_MODULES, HIDDEN_TESTS_MODULE))

    def _install_hidden_tests_module(self):
        module = types.ModuleType(HIDDEN_TESTS_MODULE)
        vars(module).update(check=self.check,
                            use_reference_for=lambda name, namespace=None: None)
        sys.modules[HIDDEN_TESTS_MODULE] = module
        # As an import would: an attribute of its package too (`import a.b.c as m` reads it).
        parent, _, name = HIDDEN_TESTS_MODULE.rpartition(".")
        setattr(importlib.import_module(parent), name, module)

    def serve(self):
        while True:
            message = self.channel.recv()
            if message["op"] == Op.EXEC:
                self.channel.send(self.execute(message))

    def execute(self, message):
        tag = f"<cell {message['index']}>"
        source = message["source"]
        injected = self._inject(message.get("inject", ()))
        stdout, stderr = io.StringIO(), io.StringIO()
        reply = {"op": Op.DONE, "ok": True}
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = stdout, stderr
        self.snapshot.watch_loaded()
        try:
            code = compile(_transform(source), tag, "exec")
            if message.get("show_source"):  # a test cell's hidden lines stay unseen
                linecache.cache[tag] = (len(source), None, source.splitlines(True), tag)
            with warnings.catch_warnings():
                warnings.simplefilter("default")
                exec(code, self.namespace)
        except BaseException as error:  # everything a cell can raise is the cell's result
            reply.update(ok=False, ename=type(error).__name__, evalue=str(error)[:2000],
                         traceback=_short_traceback(error),
                         memory=isinstance(error, MemoryError))
        finally:
            sys.stdout, sys.stderr = saved
            for name, original in injected.items():
                if original is _MISSING:
                    self.namespace.pop(name, None)
                else:
                    self.namespace[name] = original
        reply["stdout"] = stdout.getvalue()[:MAX_STREAM]
        reply["stderr"] = stderr.getvalue()[:MAX_STREAM]
        reply["figures"] = _figures()
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
            channel.send({"op": Op.REF, "name": name, "args": boundary.encode(list(args))})
            answer = channel.recv()
            if answer["op"] != Op.REF_RESULT:
                raise TypeError(answer.get("message", "the reference could not run"))
            return boundary.decode(answer["value"])

        reference_version.__name__ = name
        return reference_version

    # -- the stand-in for autograder.hidden_tests.check ---------------------
    def check(self, name, fn, suite="main"):
        self.channel.send({"op": Op.CHECK, "name": name, "suite": suite,
                           "callable": callable(fn)})
        while True:
            message = self.channel.recv()
            if message["op"] == Op.CALL:
                self.channel.send(self._call(fn, message))
            elif message["op"] == Op.VERDICT:
                if message["status"] != "ok":
                    raise AssertionError(message["message"])
                return

    def _call(self, fn, message):
        args = boundary.decode(message["args"], build_functions=True)
        value, warned, error = call_watched(fn, args)
        if error:
            return {"op": Op.CALL_RESULT, "error": error[:500]}
        return {"op": Op.CALL_RESULT, "value": boundary.encode(value, strict=True),
                "args_after": boundary.encode(list(args)), "warnings": warned[:5]}


def _site_builtins():
    """`help`, `exit` and `quit`, which the site module (skipped: python -S) would add."""
    import _sitebuiltins

    builtins.help = _sitebuiltins._Helper()
    builtins.exit = _sitebuiltins.Quitter("exit", "Ctrl-D (i.e. EOF)")
    builtins.quit = _sitebuiltins.Quitter("quit", "Ctrl-D (i.e. EOF)")


def main(fd, processes, memory_mb, cpu_seconds):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _site_builtins()
    fd = os.dup(fd)  # away from the low numbers a submission might close or reuse
    devnull = os.open(os.devnull, os.O_RDWR)
    for standard in (0, 1, 2):
        os.dup2(devnull, standard)
    _limit(processes, memory_mb, cpu_seconds)
    channel = Channel(fd)
    channel.send({"op": Op.READY})
    Session(channel).serve()

