# Helpers for the visible tests: they explain a failure in words you can act on.
import re
import traceback

import numpy as np

from autograder.contract import ATOL, RTOL  # the build writes the values in instead

# The functions whose visible tests passed since the kernel started, so that a later test
# can say when an earlier function it may call has not passed (its hint would mislead).
_passed = set()
_running = {"name": None, "relies_on": ()}


def begin_tests(name, relies_on=()):
    """Start the visible tests of `name`; `relies_on` names the earlier functions it may call."""
    _passed.discard(name)
    _running.update(name=name, relies_on=tuple(relies_on))


def tests_passed(name):
    """Record that every visible test of `name` passed."""
    _passed.add(name)
    print(f"{name}: every visible test passed.")


def not_passed(names):
    """Those of `names` whose visible tests have not passed since the kernel started."""
    return [name for name in names if name not in _passed]


def fail(message, hint=""):
    """Raise an AssertionError with the likely cause and any earlier function still failing."""
    if hint:
        message += f" Likely cause: {hint}"
    pending = [f"`{f}`" for f in not_passed(_running["relies_on"])]
    if pending:
        message += (f" NOTE: {_running['name']} may call {' and '.join(pending)}, whose "
                    "visible tests have not passed yet (they failed or were not run since "
                    "the kernel started). If you call it, make its own tests pass first: "
                    "the hint above assumes it is right.")
    raise AssertionError(message)


def _number(value):
    return f"{value:.6g}" if np.isfinite(value) else str(value)


def expect_array(name, got, expected, hint="", mistakes=()):
    """Check one output against its expected value; explain the first difference.
    `mistakes` holds pairs (what a known mistake returns here, its hint): when the output
    is one of them, that hint replaces the general one."""
    if got is None:
        fail(f"{name} is None: did you forget a `return`?")
    if isinstance(got, tuple):
        fail(f"{name} is a tuple of {len(got)} values; expected one array.", hint)
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        fail(f"{name} is a {type(got).__name__}, which is not an array of numbers.", hint)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        fail(f"{name} has shape {got.shape}, expected {expected.shape}.", hint)
    close = np.isclose(got, expected, rtol=RTOL, atol=ATOL)
    if close.all():
        return
    for value, mistake in mistakes:
        value = np.asarray(value, dtype=np.float64)
        if value.shape == got.shape and np.allclose(got, value, rtol=1e-6, atol=1e-8,
                                                    equal_nan=True):
            hint = mistake
            break
    index = tuple(int(i) for i in np.argwhere(~close)[0])
    at = f" at index {index} of an array of shape {got.shape}" if index else ""
    message = (f"{name} is wrong{at}: expected {_number(expected[index])}, got "
               f"{_number(got[index])} ({int((~close).sum())} of {close.size} entries differ).")
    value = got[index]
    if np.isnan(value):
        message += (" A nan comes from inf - inf, 0 * inf or 0 / 0, typically after np.exp "
                    "overflowed to inf.")
    elif np.isinf(value):
        message += (" An inf comes from np.exp of a large number, or from np.log(0), the log "
                    "of a probability that underflowed to 0.")
    fail(message, hint)


def expect_values(name, result, count):
    """Check that a function returned `count` values (a tuple)."""
    if not isinstance(result, (tuple, list)) or len(result) != count:
        got = f"{len(result)} values" if isinstance(result, (tuple, list)) else \
            type(result).__name__
        fail(f"{name} should return {count} values as a tuple, e.g. `return a, b`; got {got}.")
    return result


def inputs_snapshot(**inputs):
    """Remember the inputs of a call, and copies of them, to check later that none changed."""
    def copy(value):
        if isinstance(value, (list, tuple)):
            return [copy(v) for v in value]
        return np.array(value, copy=True)

    return {key: (value, copy(value)) for key, value in inputs.items()}


def _changed(now, before):
    """Where `now` differs from `before`, as (index, was, is), or None if equal."""
    if isinstance(before, list):
        for k, (n, b) in enumerate(zip(now, before)):
            found = _changed(n, b)
            if found:
                return (f"[{k}]" + found[0], *found[1:])
        return None if len(now) == len(before) else ("", f"{len(before)} items", f"{len(now)}")
    now = np.asarray(now)
    if now.shape != before.shape:
        return "", f"shape {before.shape}", f"shape {now.shape}"
    differ = ~((now == before) | (np.isnan(now) & np.isnan(before))
               if before.dtype.kind == "f" else now == before)
    if not differ.any():
        return None
    index = tuple(int(i) for i in np.argwhere(differ)[0])
    return str(list(index)) if index else "", _number(before[index]), _number(now[index])


def expect_unchanged(function, snapshot):
    """Check that `function` left every input of the snapshot as it found it."""
    for key, (value, before) in snapshot.items():
        found = _changed(value, before)
        if found:
            where, was, now = found
            fail(f"{function} changed its input `{key}` in place: {key}{where} was {was} "
                 f"and is now {now}. Functions must be pure.",
                 f"an assignment into an input (`{key}[...] = ...`, `{key} += ...`, "
                 f"`{key} *= ...`); work on a copy (`{key} = {key}.copy()`) or build new "
                 "arrays.")


# The shapes that some functions take and return, in the letters of the course, so that a
# function stopped by a shape error can be told which argument had which shape.
SHAPES = {
    "feedforward_sequence": (["x (N, T, D)", "W (H, D)", "b (H,)"], "(N, T, H)"),
    "gru_cell_forward": (["x_t (N, D)", "h_prev (N, H)", "W_x (3H, D)", "W_h (3H, H)",
                          "b_x (3H,)", "b_h (3H,)"], "(N, H)"),
    "gru_forward": (["x (N, T, D)", "h0 (N, H)", "W_x (3H, D)", "W_h (3H, H)", "b_x (3H,)",
                     "b_h (3H,)"], "(N, T, H)"),
    "reverse_sequences": (["x (N, T) or (N, T, ...)", "lengths (N,)"], "the shape of x"),
    "embed": (["ids (N, T)", "E (V, D)"], "(N, T, D)"),
    "embed_backward": (["dx (N, T, D)", "ids (N, T)", "V"], "(V, D)"),
    "output_backward": (["dz (N, T, K)", "hs (N, T, H)", "W_y (K, H)"],
                        "dhs (N, T, H), dW_y (K, H) and db_y (K,)"),
    "masked_cross_entropy": (["logits (N, T, K)", "targets (N, T)", "mask (N, T)"],
                             "a float and dlogits (N, T, K)"),
    "lm_loss_and_grads": (["params", "ids (N, T)", "targets (N, T)", "mask (N, T)",
                           "h0 (N, H)"], "a float, grads like params and h_last (N, H)"),
    "adam_step": (["param", "grad", "m", "v", "t", "lr"], "param, m and v of one shape"),
    "sample": (["params", "h0 (H,)", "first_id", "length", "temperature", "u (length,)"],
               "ids (length,)"),
}
_DIM = re.compile(r"(\d*)([A-Z])")


def _describe(value):
    if isinstance(value, dict):
        return "a dict of " + ", ".join(f"{k} {np.shape(v)}" for k, v in value.items())
    if isinstance(value, np.ndarray):
        return f"of shape {value.shape}"
    return f"the {type(value).__name__} {value!r}"


def _sizes(specs, args):
    """The sizes that the arguments' shapes give the letters of `specs`, e.g. {"H": 2}."""
    sizes = {}
    for spec, arg in zip(specs, args):
        inside = spec.partition("(")[2].partition(")")[0]
        dims = [dim.strip() for dim in inside.split(",") if dim.strip()]
        if not isinstance(arg, np.ndarray) or len(dims) != arg.ndim:
            continue
        for dim, size in zip(dims, arg.shape):
            found = _DIM.fullmatch(dim)
            if found:
                sizes.setdefault(found[2], size // int(found[1] or 1))
    return sizes


def call(function, *args, hint=""):
    """Call a function under test. If NumPy stops it on a shape (IndexError, ValueError,
    TypeError), say where, which argument had which shape and which shapes are expected;
    `hint` names the likely cause, if the test knows one."""
    try:
        return function(*args)
    except (IndexError, ValueError, TypeError) as error:
        stopped = error
    name = getattr(function, "__name__", "the function")
    lines = [frame.line for frame in traceback.extract_tb(stopped.__traceback__)[1:]
             if frame.line and "site-packages" not in frame.filename]
    where = f" at the line `{lines[-1]}`" if lines else ""
    message = f"{name} stopped with {type(stopped).__name__}: {stopped}{where}."
    specs, returns = SHAPES.get(name, ([], ""))
    if specs:
        given = ", ".join(f"{spec.split()[0]} {_describe(arg)}"
                          for spec, arg in zip(specs, args))
        sizes = _sizes(specs, args)
        here = ", ".join(f"{k} = {v}" for k, v in sizes.items())
        message += (f" It was given {given}. It takes {', '.join(specs)} and returns "
                    f"{returns}" + (f", with {here} here." if here else "."))
    fail(message, hint or "a shape that the code assumes but the input does not have: "
                          "compare the shapes above with the line that failed (a missing or "
                          "extra axis, a transpose, np.squeeze, or x[t] where x[:, t] is "
                          "meant).")
