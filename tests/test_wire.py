"""What crosses the sandbox boundary: plain data only, impostors named."""

import numpy as np

from autograder import wire
from autograder.checking import Reply, run_check
from solutions import reference


def test_arrays_round_trip_exactly():
    for value in (np.arange(6.0).reshape(2, 3), np.array(3.5), np.array([1, 2], np.int64)):
        back = wire.decode(wire.loads(wire.dumps(wire.encode(value))))
        assert back.dtype == value.dtype and np.array_equal(back, value)


def test_impostors_and_objects_are_described_not_sent():
    class Fake(np.ndarray):
        pass

    class LooksLikeAnArray:
        def __array__(self, dtype=None, copy=None):
            return np.zeros(2)

    assert wire.encode(np.zeros(2).view(Fake), strict=True)["t"] == "fake"
    assert wire.encode(LooksLikeAnArray(), strict=True)["t"] == "fake"
    assert wire.encode(np.array([object()]), strict=True)["t"] == "other"
    assert isinstance(wire.decode({"t": "fake", "type": "x.Fake"}), wire.Foreign)


def test_a_fake_array_is_flagged_as_tampering():
    def call(args):
        return Reply(value=wire.Foreign("fake", "x.Always"), args_after=args)

    verdict = run_check("softmax", "main", call, reference.softmax)
    assert verdict.status == "tampered" and "imitates an array" in verdict.message


def test_float32_results_are_wrong():
    def call(args):
        return Reply(value=reference.softmax(*args).astype(np.float32), args_after=args)

    verdict = run_check("softmax", "main", call, reference.softmax)
    assert verdict.status == "wrong" and "float32" in verdict.message
