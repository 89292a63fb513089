"""Values that cross the sandbox boundary, encoded as JSON-able trees (never pickle).

The grader must not unpickle anything a submission produced: pickle runs
code. Arrays travel as dtype, shape and raw bytes; a handful of plain
Python types travel as themselves. Anything else is described, not sent,
so the grading side can say what the student returned.
"""

import base64

import numpy as np

from ..contract import ScalarFunction

_SIMPLE_DTYPES = {"f", "i", "u", "b", "c"}


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
    if t is dict and all(type(k) is str for k in value):
        return {"t": "dict", "items": {k: encode(v, strict) for k, v in value.items()}}
    if t is ScalarFunction:
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


def decode(tree, build_functions=False):
    """The value of an encoded tree; with build_functions=True (the sandbox side) a
    ScalarFunction arrives as the function itself, ready to call."""
    t = tree["t"]
    if t == "nd":
        raw = base64.b64decode(tree["data"])
        dtype = np.dtype(tree["dtype"])
        return np.frombuffer(raw, dtype=dtype).reshape(tuple(tree["shape"])).copy()
    if t == "py":
        v = tree["v"]
        return float("nan") if v == "nan" else v
    if t == "list":
        return [decode(v, build_functions) for v in tree["items"]]
    if t == "tuple":
        return tuple(decode(v, build_functions) for v in tree["items"])
    if t == "dict":
        return {k: decode(v, build_functions) for k, v in tree["items"].items()}
    if t == "fn":
        function = ScalarFunction(tree["name"])
        return function.build() if build_functions else function
    return Foreign(t, tree.get("type", "?"))
