"""The reference run in the grading process for a student's function: bounded.

While a function's tests run, the earlier functions it may call are the
reference versions, computed here (the reference never enters the sandbox).
Their arguments come from the student's code, so their size sets the grading
process's work: they must look like what the contract's functions take
(arrays of float64, int64 or bool; plain numbers), with at most
MAX_ELEMENTS numbers in all and integers that could be a size no larger.
Every hidden and visible case is far smaller; each call then costs at most
a fraction of a second, and the sandbox's cell deadline bounds how many.
"""

import numpy as np

MAX_ELEMENTS = 1 << 15  # numbers in the arguments of one call, arrays and scalars together
MAX_DIMS = 4  # (N, T, D) batches are the largest the contract passes


def check_arguments(name: str, args: list) -> None:
    """ValueError saying why `args` are not what reference `name` may be run on."""
    count = _count(name, args, 0)
    if count > MAX_ELEMENTS:
        raise ValueError(f"the reference {name} takes at most {MAX_ELEMENTS} numbers in all "
                         f"while grading; these arguments hold {count}")


def _count(name, value, depth):
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "fib" or value.dtype.itemsize > 8 or (
                value.dtype.kind == "f" and value.dtype != np.float64):
            raise ValueError(f"the reference {name} takes arrays of float64 (or integer ids, "
                             f"lengths and boolean masks), not {value.dtype}")
        if value.ndim > MAX_DIMS:
            raise ValueError(f"the reference {name} takes arrays of at most {MAX_DIMS} "
                             f"dimensions, not {value.ndim}")
        return value.size
    if isinstance(value, bool | float) or value is None:
        return 1
    if isinstance(value, int):
        if abs(value) > MAX_ELEMENTS:
            raise ValueError(f"the reference {name} takes integers up to {MAX_ELEMENTS} "
                             f"while grading, not {value}")
        return 1
    if isinstance(value, list | tuple) and depth < 3:
        return sum(_count(name, v, depth + 1) for v in value)
    if isinstance(value, dict) and depth < 3:
        return sum(_count(name, v, depth + 1) for v in value.values())
    raise ValueError(f"the reference {name} cannot take a {type(value).__name__} here")
