"""Shared helpers of the reference tests: compare nested results, call the reference."""

import warnings

import numpy as np

from solutions import reference

TOL = {"rtol": 1e-10, "atol": 1e-10}


def arrays(obj):
    """Every ndarray inside nested tuples, lists and dicts."""
    if isinstance(obj, np.ndarray):
        return [obj]
    if isinstance(obj, dict):
        return [a for key in sorted(obj) for a in arrays(obj[key])]
    if isinstance(obj, (tuple, list)):
        return [a for item in obj for a in arrays(item)]
    return []


def assert_same(got, want, where):
    """Compare nested dicts, tuples and lists of arrays and scalars to TOL."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and set(got) == set(want), f"{where}: keys {got}"
        for key in want:
            assert_same(got[key], want[key], f"{where}[{key!r}]")
    elif isinstance(want, (tuple, list)):
        assert isinstance(got, (tuple, list)), f"{where}: expected a tuple, got {type(got)}"
        assert len(got) == len(want), f"{where}: expected {len(want)} items, got {len(got)}"
        for k, (g, w) in enumerate(zip(got, want)):
            assert_same(g, w, f"{where}[{k}]")
    else:
        assert np.shape(got) == np.shape(want), f"{where}: {np.shape(got)} != {np.shape(want)}"
        np.testing.assert_allclose(got, want, err_msg=where, **TOL)


def call_reference(name, args):
    """Call the reference with warnings and floating-point errors (but underflow) raised."""
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        return getattr(reference, name)(*args)
