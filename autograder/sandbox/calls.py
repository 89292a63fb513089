"""One call of a student's function, as every hidden check makes it, and what it gave."""

import warnings
from dataclasses import dataclass, field

import numpy as np


@dataclass
class CallResult:
    """What came back from one call of the student's function."""

    value: object = None
    args_after: tuple = ()  # the arguments after the call, to see what it changed
    warnings: list[str] = field(default_factory=list)
    error: str = ""  # "NameError: name 'W' is not defined", when the call raised


def call_watched(fn, args):
    """Call `fn(*args)`: (value, warnings, error).

    Warnings are recorded rather than printed (a correct answer that warns keeps
    its marks); overflow, invalid and divide are reported, underflow is not
    (exp(-1000) rightly underflows to 0). `error` is "Type: message" when the
    call raised, else "".
    """
    with warnings.catch_warnings(record=True) as caught, \
            np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
        warnings.simplefilter("always")
        try:
            value = fn(*args)
        except Exception as error:  # the student's bug, reported as a failed check
            text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            return None, [], text
    return value, [f"{w.category.__name__}: {w.message}" for w in caught], ""
