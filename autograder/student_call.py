"""One call of a student's function, as every hidden check makes it."""

import warnings

import numpy as np


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
