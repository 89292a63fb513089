# Helpers for the visible tests: they explain a failure in words you can act on.
import numpy as np


def expect_array(name, got, expected, hint=""):
    """Check one output against its expected value; explain the first difference."""
    cause = f" Likely cause: {hint}" if hint else ""
    if got is None:
        raise AssertionError(f"{name} is None: did you forget a `return`?")
    if isinstance(got, tuple):
        raise AssertionError(f"{name} is a tuple of {len(got)} values; expected one array.")
    got = np.asarray(got)
    expected = np.asarray(expected)
    if got.shape != expected.shape:
        raise AssertionError(f"{name} has shape {got.shape}, expected {expected.shape}.{cause}")
    close = np.isclose(got, expected, rtol=1e-6, atol=1e-8)
    if not close.all():
        index = tuple(int(i) for i in np.argwhere(~close)[0])
        at = f" at index {index}" if index else ""
        raise AssertionError(
            f"{name} is wrong{at}: expected {expected[index]:.6f}, got {got[index]:.6f} "
            f"({int((~close).sum())} of {close.size} entries differ).{cause}")


def expect_values(name, result, count):
    """Check that a function returned `count` values (a tuple)."""
    if not isinstance(result, (tuple, list)) or len(result) != count:
        raise AssertionError(f"{name} should return {count} values as a tuple; "
                             f"got {type(result).__name__}.")
    return result


def expect_unchanged(name, before, after):
    """Check that a function left an input as it found it."""
    if not np.array_equal(before, after):
        raise AssertionError(f"{name} changed its input in place. Work on a copy "
                             "(e.g. `x = x.copy()`) or build new arrays.")


def inputs_snapshot(*arrays):
    """Copies of the inputs, to check afterwards that they were not modified."""
    return [np.array(a, copy=True) for a in arrays]
