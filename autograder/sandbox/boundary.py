"""Values that cross the sandbox boundary, encoded as JSON-able trees (never pickle).

The grader must not unpickle anything a submission produced: pickle runs
code. Arrays travel as dtype, shape and raw bytes; a handful of plain
Python types travel as themselves. Anything else is described, not sent,
so the grading side can say what the student returned.
"""

import base64
import math

import numpy as np

from ..contract import SCALAR_FUNCTIONS, ScalarFunction

_SIMPLE_DTYPES = {"f", "i", "u", "b", "c"}
MAX_DEPTH = 16  # nesting of lists, tuples and dicts (the contract's values need 3)
MAX_DIMS = 32  # NumPy's own limit is 64
INT64 = (-(1 << 63), (1 << 63) - 1)


def encode(value, depth=0):
    """Turn `value` into a JSON-able tree.

    An object that merely looks like an array is reported as `fake`, so the
    grader can flag it. NumPy's own kinds
    of array (a matrix, a masked array, a memory map, an array of the other
    byte order) travel as the plain array of the values they hold, as
    `np.asarray` gives them (a masked entry is nan): the values are what is graded.
    """
    t = type(value)
    if depth > MAX_DEPTH:
        return {"t": "other", "type": f"{t.__qualname__} nested more than {MAX_DEPTH} deep"}
    if isinstance(value, np.ndarray) and t.__module__.split(".")[0] == "numpy":
        return _encode_array(value)
    if t is int and not INT64[0] <= value <= INT64[1]:
        return {"t": "other", "type": "int beyond 64 bits"}
    if t in (float, int, bool) or value is None:
        return {"t": "py", "v": value if not (t is float and value != value) else "nan"}
    if isinstance(value, np.generic) and type(value).__module__ == "numpy":
        return encode(np.asarray(value))
    if t in (list, tuple):
        return {"t": t.__name__, "items": [encode(v, depth + 1) for v in value]}
    if t is dict and all(type(k) is str for k in value):
        return {"t": "dict", "items": {k: encode(v, depth + 1)
                                       for k, v in value.items()}}
    if t is ScalarFunction:
        return {"t": "fn", "name": value.name}
    if hasattr(t, "__array__") or hasattr(t, "__array_ufunc__"):
        return {"t": "fake", "type": f"{t.__module__}.{t.__qualname__}"}
    return {"t": "other", "type": f"{t.__module__}.{t.__qualname__}"}


def _encode_array(value):
    if isinstance(value, np.ma.MaskedArray):
        value = value.filled(np.nan) if value.dtype.kind in "fc" else value.filled()
    data = np.asarray(value)  # a subclass's own values, from its memory
    if data.dtype.kind not in _SIMPLE_DTYPES:
        return {"t": "other", "type": f"ndarray of dtype {data.dtype}"}
    if not data.dtype.isnative:
        data = data.astype(data.dtype.newbyteorder("="))
    data = data if data.flags.c_contiguous else data.copy(order="C")  # keeps 0-d
    return {
        "t": "nd",
        "dtype": data.dtype.str,
        "shape": list(data.shape),
        "data": base64.b64encode(data.tobytes()).decode("ascii"),
    }


class Foreign:
    """Stands for a value that could not be sent: what type it was."""

    def __init__(self, kind, type_name):
        self.kind = kind
        self.type_name = type_name

    def __repr__(self):
        return f"<{self.type_name}>"


def decode(tree, build_functions=False, depth=0):
    """The value of an encoded tree; with build_functions=True (the sandbox side) a
    ScalarFunction arrives as the function itself, ready to call. ValueError when the
    tree is not one that `encode` makes."""
    if not isinstance(tree, dict) or depth > MAX_DEPTH + 1:
        raise ValueError("not an encoded value" if depth <= MAX_DEPTH + 1 else "too deep")
    t = tree.get("t")
    if t == "nd":
        return _decode_array(tree)
    if t == "py":
        v = tree.get("v")
        if v == "nan":
            return float("nan")
        if v is not None and type(v) not in (bool, int, float):
            raise ValueError("not a plain number")
        return v
    items = tree.get("items")
    if t in ("list", "tuple") and isinstance(items, list):
        values = [decode(v, build_functions, depth + 1) for v in items]
        return values if t == "list" else tuple(values)
    if t == "dict" and isinstance(items, dict):
        return {k: decode(v, build_functions, depth + 1) for k, v in items.items()}
    if t == "fn" and tree.get("name") in SCALAR_FUNCTIONS:
        function = ScalarFunction(tree["name"])
        return function.build() if build_functions else function
    if t in ("fake", "other"):
        return Foreign(t, str(tree.get("type", "?"))[:200])
    raise ValueError(f"an unknown kind of value {str(t)[:20]!r}")


def _decode_array(tree):
    shape, data = tree.get("shape"), tree.get("data")
    try:
        dtype = np.dtype(str(tree.get("dtype")))
    except TypeError:
        raise ValueError("not a dtype") from None
    if dtype.kind not in _SIMPLE_DTYPES or dtype.itemsize > 16:
        raise ValueError(f"an array of dtype {dtype}")
    if not (isinstance(shape, list) and len(shape) <= MAX_DIMS
            and all(type(n) is int and n >= 0 for n in shape) and isinstance(data, str)):
        raise ValueError("a malformed array")
    raw = base64.b64decode(data, validate=True)
    if math.prod(shape) * dtype.itemsize != len(raw):
        raise ValueError("an array whose bytes do not fill its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(tuple(shape)).copy()
