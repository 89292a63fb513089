# Helpers for the visible tests: they explain a failure in words you can act on.
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


def expect_array(name, got, expected, hint=""):
    """Check one output against its expected value; explain the first difference."""
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
