"""What crosses the sandbox boundary: plain data only, impostors named."""

import numpy as np
import pytest

from autograder.contract import ScalarFunction, Status
from autograder.grading.judge import run_check
from autograder.sandbox import boundary
from autograder.sandbox.calls import CallResult
from autograder.sandbox.protocol import Op, dumps, loads, loads_bounded
from solutions import reference


def round_trip(value, build_functions=False):
    message = {"op": Op.CALL_RESULT.value, "value": boundary.encode(value)}
    return boundary.decode(loads(dumps(message))["value"], build_functions)


def test_arrays_round_trip_exactly():
    for value in (np.arange(6.0).reshape(2, 3), np.array(3.5), np.array([1, 2], np.int64),
                  np.asfortranarray(np.arange(6.0).reshape(2, 3)), np.array([True, False])):
        back = round_trip(value)
        assert type(back) is np.ndarray and back.dtype == value.dtype
        assert back.shape == value.shape and np.array_equal(back, value)


def test_containers_and_plain_values_round_trip():
    value = {"E": np.ones((2, 3)), "pair": (1, 2.5), "items": [np.zeros(1), None, True],
             "nan": float("nan")}
    back = round_trip(value)
    assert set(back) == set(value) and isinstance(back["pair"], tuple)
    assert back["pair"] == (1, 2.5) and isinstance(back["items"], list)
    assert back["items"][1] is None and back["items"][2] is True and back["nan"] != back["nan"]
    np.testing.assert_array_equal(back["E"], value["E"])


def test_scalar_functions_travel_by_name():
    fn = ScalarFunction("cubic")
    assert round_trip(fn) == fn
    built = round_trip(fn, build_functions=True)
    assert built is fn.build() and built(np.array([1.0])) == 2.0


def test_impostors_and_objects_are_described_not_sent():
    class Fake(np.ndarray):
        pass

    class LooksLikeAnArray:
        def __array__(self, dtype=None, copy=None):
            return np.zeros(2)

    assert boundary.encode(np.zeros(2).view(Fake))["t"] == "fake"
    assert boundary.encode(LooksLikeAnArray())["t"] == "fake"
    assert boundary.encode(np.array([object()]))["t"] == "other"
    assert boundary.encode({1: np.zeros(1)})["t"] == "other"  # only string keys travel
    assert boundary.encode(10**30)["t"] == "other"  # no number beyond 64 bits
    nested = []
    for _ in range(40):
        nested = [nested]
    assert "nested" in str(boundary.encode(nested))
    foreign = boundary.decode({"t": "fake", "type": "x.Fake"})
    assert isinstance(foreign, boundary.Foreign) and foreign.type_name == "x.Fake"


def test_protocol_refuses_what_is_not_a_grader_message():
    for raw in (b"[]", b'{"op": "bye"}', b'{"no": "op"}'):
        with pytest.raises(ValueError):
            loads(raw)
    with pytest.raises(ValueError):
        loads(b"\x80 not json")
    assert loads(dumps({"op": Op.DONE})) == {"op": "done"}


def test_a_fake_array_is_flagged_as_tampering():
    def call(args, fp_watched=False):
        return CallResult(value=boundary.Foreign("fake", "x.Always"), args_after=args)

    verdict = run_check("softmax", "main", call, reference.softmax)
    assert verdict.status is Status.TAMPERED and "imitates an array" in verdict.message


def test_float32_results_are_wrong():
    def call(args, fp_watched=False):
        return CallResult(value=reference.softmax(*args).astype(np.float32), args_after=args)

    verdict = run_check("softmax", "main", call, reference.softmax)
    assert verdict.status is Status.WRONG and "float32" in verdict.message


def test_numpys_own_kinds_of_array_travel_as_their_values(tmp_path):
    """A matrix, a masked array, a memory map or an array of another byte order hold the
    right values: they are graded as those values (a masked entry is nan)."""
    values = np.arange(6.0).reshape(2, 3)
    mapped = np.memmap(tmp_path / "m", dtype=np.float64, mode="w+", shape=(2, 3))
    mapped[:] = values
    for value in (np.asmatrix(values), np.ma.masked_array(values),
                  values.astype(">f8"), mapped):
        back = round_trip(value)
        assert type(back) is np.ndarray and back.dtype == np.float64
        np.testing.assert_array_equal(back, values)
    masked = round_trip(np.ma.masked_array(values, mask=values > 4))
    assert np.isnan(masked[1, 2]) and masked[0, 0] == 0


@pytest.mark.parametrize("tree", [
    {"t": "nd", "dtype": "|O", "shape": [1], "data": ""},
    {"t": "nd", "dtype": "<f8", "shape": [1000000], "data": ""},
    {"t": "nd", "dtype": "<f8", "shape": [-1], "data": ""},
    {"t": "nd", "dtype": "<f8", "shape": [1], "data": "!!!!"},
    {"t": "nd", "dtype": "V100", "shape": [1], "data": ""},
    {"t": "list", "items": {"a": 1}},
    {"t": "py", "v": [1, 2]},
    {"t": "fn", "name": "os.system"},
    {"t": "mystery"},
    "not a tree",
], ids=str)
def test_what_does_not_decode_is_refused(tree):
    with pytest.raises(ValueError):
        boundary.decode(tree)


def test_a_message_of_many_containers_or_deep_nesting_is_refused_before_decoding():
    with pytest.raises(ValueError, match="arrays and objects"):
        loads_bounded(b'{"op": "done", "x": [' + b"[]," * 50_000 + b"[]]}")
    with pytest.raises(ValueError, match="nested too deeply|arrays and objects"):
        loads_bounded(b'{"op": "done", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    with pytest.raises(ValueError, match="nested too deeply"):  # under the count, too deep
        loads_bounded(b'{"op": "done", "x": ' + b"[" * 5_000 + b"]" * 5_000 + b"}")
    # Brackets inside strings (a printed array, a list literal in a cell) are text.
    text = dumps({"op": "done", "stdout": "[" * 100_000})
    assert loads_bounded(text)["stdout"] == "[" * 100_000


def test_big_endian_results_are_right():
    def call(args, fp_watched=False):
        value = boundary.decode(boundary.encode(reference.softmax(*args).astype(">f8")))
        return CallResult(value=value, args_after=args)

    assert run_check("softmax", "main", call, reference.softmax).status is Status.OK
