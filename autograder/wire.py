"""Values that cross the sandbox boundary, encoded as JSON (never pickle).

The grader must not unpickle anything a submission produced: pickle runs
code. Arrays travel as dtype, shape and raw bytes; a handful of plain
Python types travel as themselves. Anything else is described, not sent,
so the grading side can say what the student returned.
"""

import base64
import json
import warnings

import numpy as np

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
_SIMPLE_DTYPES = {"f", "i", "u", "b", "c"}


class Fn:
    """A scalar test function the grader hands to `numerical_gradient`.

    Only its name crosses the boundary; both sides build it from FUNCTIONS.
    """

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"Fn({self.name!r})"


def _sin_times_x(x):
    return float(np.sum(np.sin(x) * x))


def _cubic(x):
    return float(np.sum(x**3) + 2.0 * np.sum(x**2) - np.sum(x))


def _log_sum_exp(x):
    return float(np.log(np.sum(np.exp(x))))


FUNCTIONS = {"sin_times_x": _sin_times_x, "cubic": _cubic, "log_sum_exp": _log_sum_exp}


def call_watched(fn, args):
    """Call a student's function as every hidden check does: (value, warnings, error).

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


def encode(value, strict=False):
    """Turn `value` into a JSON-able tree.

    With strict=True (a submission's output), only exact types are accepted:
    an ndarray subclass or an object that merely looks like an array is
    reported as `fake` so the grader can flag it.
    """
    t = type(value)
    if t is np.ndarray:
        if value.dtype.kind not in _SIMPLE_DTYPES:
            return {"t": "other", "type": f"ndarray of dtype {value.dtype}"}
        data = value if value.flags.c_contiguous else value.copy(order="C")  # keeps 0-d
        return {
            "t": "nd",
            "dtype": data.dtype.str,
            "shape": list(data.shape),
            "data": base64.b64encode(data.tobytes()).decode("ascii"),
        }
    if t in (float, int, bool) or value is None:
        return {"t": "py", "v": value if not (t is float and value != value) else "nan"}
    if isinstance(value, np.generic) and type(value).__module__ == "numpy":
        return encode(np.asarray(value))
    if t in (list, tuple):
        return {"t": t.__name__, "items": [encode(v, strict) for v in value]}
    if t is Fn:
        return {"t": "fn", "name": value.name}
    if isinstance(value, np.ndarray) or hasattr(t, "__array__") or hasattr(t, "__array_ufunc__"):
        return {"t": "fake", "type": f"{t.__module__}.{t.__qualname__}"}
    return {"t": "other", "type": f"{t.__module__}.{t.__qualname__}"}


class Foreign:
    """Stands for a value that could not be sent: what type it was."""

    def __init__(self, kind, type_name):
        self.kind = kind
        self.type_name = type_name

    def __repr__(self):
        return f"<{self.type_name}>"


def decode(tree, make_fn=None):
    t = tree["t"]
    if t == "nd":
        raw = base64.b64decode(tree["data"])
        dtype = np.dtype(tree["dtype"])
        return np.frombuffer(raw, dtype=dtype).reshape(tuple(tree["shape"])).copy()
    if t == "py":
        v = tree["v"]
        return float("nan") if v == "nan" else v
    if t == "list":
        return [decode(v, make_fn) for v in tree["items"]]
    if t == "tuple":
        return tuple(decode(v, make_fn) for v in tree["items"])
    if t == "fn":
        return make_fn(tree["name"]) if make_fn else Fn(tree["name"])
    return Foreign(t, tree.get("type", "?"))


def dumps(message):
    return json.dumps(message, separators=(",", ":")).encode()


def loads(raw):
    return json.loads(raw.decode())
