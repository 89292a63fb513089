"""One call of a student's function, as every hidden check makes it, and what it gave."""

import contextlib
import importlib
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class CallResult:
    """What came back from one call of the student's function."""

    value: object = None
    args_after: tuple = ()  # the arguments after the call, to see what it changed
    warnings: list[str] = field(default_factory=list)
    error: str = ""  # "NameError: name 'W' is not defined", when the call raised


def call_watched(fn, args, fp_watched=False):
    """Call `fn(*args)`: (value, warnings, error).

    Warnings are recorded rather than printed (a correct answer that warns keeps
    its marks); overflow, invalid and divide are reported, underflow is not
    (exp(-1000) rightly underflows to 0). With `fp_watched` (a function that must
    not overflow), NumPy's floating-point errors are reported whatever the
    function does to hide them (`np.errstate`, `np.seterr`, warning filters).
    `error` is "Type: message" when the call raised, else "".
    """
    fp_errors: list[str] = []
    with warnings.catch_warnings(record=True) as caught, \
            np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"), \
            (_numpy_errors_reported(fp_errors) if fp_watched else contextlib.nullcontext()):
        warnings.simplefilter("always")
        try:
            value = fn(*args)
        except Exception as error:  # the student's bug, reported as a failed check
            text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            return None, [], text
    return value, fp_errors + [f"{w.category.__name__}: {w.message}" for w in caught], ""


@contextlib.contextmanager
def _numpy_errors_reported(errors):
    """NumPy's error handling stays the grader's while the function runs: errstate and
    seterr build their settings with `_ufunc_config._make_extobj`, looked up when they
    are used, which hands back the grader's settings (every overflow, invalid value and
    division by zero reported to `errors`) whatever was asked."""
    config: Any = importlib.import_module("numpy._core._ufunc_config")

    def report(kind, _flag):
        errors.append(f"RuntimeWarning: {kind} encountered")

    made = config._make_extobj
    ours = made(over="call", invalid="call", divide="call", under="ignore", call=report)
    token = config._extobj_contextvar.set(ours)
    config._make_extobj = lambda *args, **kwargs: ours
    try:
        yield
    finally:
        config._make_extobj = made
        config._extobj_contextvar.reset(token)
