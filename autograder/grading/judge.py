"""The judge behind every hidden test: a student's function against the reference.

This is the judgement behind every hidden test. It runs on the grading
side: the student's code only ever sees the inputs of one call at a time,
never the expected values nor the code that makes them. `call` is how a
case reaches the student's function (in-process for stock nbgrader, over
the sandbox's channel for our grader); it returns a `CallResult`.
"""

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..contract import GRADED, GradedFunction, ScalarFunction, Status, cases
from ..sandbox.boundary import Foreign, decode, encode
from ..sandbox.calls import CallResult, call_watched


@dataclass
class Verdict:
    status: Status  # ok, wrong, error, tampered
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.status is Status.OK


class Mismatch(Exception):
    def __init__(self, message, status=Status.WRONG):
        super().__init__(message)
        self.status = status


def materialize(value):
    """The case's inputs, ready to call: scalar functions built from their names."""
    if isinstance(value, ScalarFunction):
        return value.build()
    if isinstance(value, (list, tuple)):
        return type(value)(materialize(v) for v in value)
    if isinstance(value, dict):
        return {k: materialize(v) for k, v in value.items()}
    return value


_expected_cache: dict[tuple[str, str, int], object] = {}


def expected_outputs(name, suite, index, args, reference):
    key = (name, suite, index)
    if key not in _expected_cache:
        _expected_cache[key] = reference(*materialize(copy.deepcopy(args)))
    return _expected_cache[key]


def run_check(name: str, suite: str, call: Callable[[Sequence], CallResult] | None,
              reference: Callable) -> Verdict:
    """Run every case of `suite` through `call`; return the first failure. `call` is
    None when the notebook's `name` is not a function."""
    if call is None:
        return Verdict(Status.ERROR, f"{name} is not defined as a function.")
    spec = GRADED[name]
    for index, (case, args) in enumerate(cases(spec, suite)):
        expected = expected_outputs(name, suite, index, args, reference)
        where = f"hidden test '{case.label}'"
        reply = call(copy.deepcopy(args))
        try:
            if reply.error:
                raise Mismatch(f"{name} raised {reply.error} on the {where}.", Status.ERROR)
            _compare_outputs(name, spec, reply.value, expected, where)
            _check_unchanged(name, args, reply.args_after, where)
            if spec.no_warnings and reply.warnings:
                raise Mismatch(f"{name} emitted a warning on the {where}: {reply.warnings[0]}. "
                               "Rewrite it so no exp() overflows (split on the sign of z).")
        except Mismatch as failure:
            return Verdict(failure.status, str(failure))
    return Verdict(Status.OK)


def _compare_outputs(name, spec, got, expected, where):
    if len(spec.outputs) == 1:
        _compare_value(name, spec.outputs[0], got, expected, where, spec)
        return
    if isinstance(got, Foreign):
        _reject_foreign(name, "its result", got, where)
    if not isinstance(got, (tuple, list)) or len(got) != len(spec.outputs):
        shown = f"{len(got)} values" if isinstance(got, (tuple, list)) else type(got).__name__
        raise Mismatch(f"{name} should return {len(spec.outputs)} values "
                       f"({', '.join(spec.outputs)}) but returned {shown} on the {where}.")
    for output, g, e in zip(spec.outputs, got, expected):
        _compare_value(name, output, g, e, where, spec)


def _reject_foreign(name, output, got, where):
    if got.kind == "fake":
        raise Mismatch(f"{name} returned an object of type {got.type_name} that imitates an "
                       f"array for {output} on the {where}; only real NumPy arrays are graded.",
                       Status.TAMPERED)
    raise Mismatch(f"{name} returned {got.type_name} for {output} on the {where}; "
                   "expected a NumPy array.")


def _compare_value(name, output, got, expected, where, spec: GradedFunction):
    if isinstance(got, Foreign):
        _reject_foreign(name, output, got, where)
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            keys = sorted(got) if isinstance(got, dict) else type(got).__name__
            raise Mismatch(f"{name} should return {output} as a dict with the keys "
                           f"{', '.join(sorted(expected))} on the {where}; got {keys}.")
        for key in expected:
            _compare_value(name, f"{output}[{key!r}]", got[key], expected[key], where, spec)
        return
    if isinstance(expected, list):
        if not isinstance(got, (list, tuple)) or len(got) != len(expected):
            raise Mismatch(f"{name} should return {output} as a list of {len(expected)} arrays "
                           f"on the {where}.")
        for k, (g, e) in enumerate(zip(got, expected)):
            _compare_value(name, f"{output}[{k}]", g, e, where, spec)
        return
    expected = np.asarray(expected, dtype=np.float64)
    if isinstance(got, (list, tuple)):
        raise Mismatch(f"{name} returned a {type(got).__name__} for {output} on the {where}; "
                       "return a NumPy array.")
    if got is None:
        raise Mismatch(f"{name} returned None for {output} on the {where} "
                       "(a missing `return`?).")
    if isinstance(got, bool) or not isinstance(got, (float, int, np.ndarray)):
        raise Mismatch(f"{name} returned {type(got).__name__} for {output} on the {where}.")
    if isinstance(got, np.ndarray) and got.dtype.kind == "f" and got.dtype != np.float64:
        raise Mismatch(f"{name}: {output} has dtype {got.dtype} on the {where}; every result "
                       "must be float64 (an array created with another dtype loses precision).")
    got = np.asarray(got)
    if expected.ndim == 0 and got.size == 1:
        got = got.reshape(())
    if got.shape != expected.shape:
        raise Mismatch(f"{name}: {output} has shape {got.shape} but should have shape "
                       f"{expected.shape} on the {where}.")
    if got.dtype.kind not in "fiu":
        raise Mismatch(f"{name}: {output} has dtype {got.dtype}; expected float64 "
                       f"on the {where}.")
    got = got.astype(np.float64)
    close = np.isclose(got, expected, rtol=spec.rtol, atol=spec.atol) & np.isfinite(got)
    if not close.all():
        bad = tuple(int(i) for i in np.argwhere(~close)[0])
        at = f" at index {bad}" if bad else ""
        raise Mismatch(f"{name}: {output} is wrong on the {where}{at}: expected "
                       f"{expected[bad]:.6g}, got {got[bad]:.6g} "
                       f"({int((~close).sum())} of {close.size} entries differ).")


def _same(before, after):
    if isinstance(before, (list, tuple)):
        return isinstance(after, (list, tuple)) and len(before) == len(after) and all(
            _same(b, a) for b, a in zip(before, after))
    if isinstance(before, np.ndarray):
        return (isinstance(after, np.ndarray) and after.shape == before.shape
                and bool(np.array_equal(after, before, equal_nan=True)))
    if isinstance(before, dict):
        return isinstance(after, dict) and set(before) == set(after) and all(
            _same(before[k], after[k]) for k in before)
    if isinstance(before, ScalarFunction):
        return True
    return before == after


def _check_unchanged(name, args, args_after, where):
    for position, (before, after) in enumerate(zip(args, args_after)):
        if not _same(before, after):
            raise Mismatch(f"{name} modified its input argument #{position + 1} in place on "
                           f"the {where}; functions must return new arrays and leave their "
                           "inputs unchanged (copy before you modify).")


def call_in_process(fn: Callable, args: Sequence) -> CallResult:
    """Call `fn` here, the way stock nbgrader's hidden tests run."""
    work = materialize(args)
    value, warned, error = call_watched(fn, work)
    if error:
        return CallResult(error=error)
    return CallResult(value=decode(encode(value, strict=True)), args_after=tuple(work),
                      warnings=warned)
