"""The NumPy reference implementations against the torch oracle (and hand math).

Every reference function must equal its oracle to 1e-10 on random shapes and
seeds, the edge sizes N = T = D = H = 1 and saturating inputs, must leave its
inputs untouched and return new float64 arrays, and must follow the layout the
nbgrader notebooks are spliced from (### BEGIN/END SOLUTION around the body,
no module-level helpers, calls only to earlier functions of its chapter).
"""
import ast
import copy
import inspect
import math
import warnings

import numpy as np
import pytest
import torch
from reference_helpers import TOL, arrays, assert_same, call_reference

from autograder.contract import ASSIGNMENTS, GRADED, Case
from solutions import oracle
from solutions import reference as ref
from solutions.reference import (
    FUNCTIONS,
    bidirectional,
    bptt,
    lstm,
    recurrence,
    vanishing_gradients,
)

# (N, T, D, H, K): the edge sizes first, then a few ordinary ones.
SHAPES = [(1, 1, 1, 1, 1), (1, 1, 1, 1, 2), (2, 3, 4, 5, 3), (3, 6, 2, 3, 4), (4, 5, 3, 2, 6)]
# Weight scale: 1 is ordinary; 10 and 300 saturate tanh / sigmoid
# (|pre-activation| of roughly 20 .. 1000).
SCALES = [1.0, 10.0, 300.0]
SEEDS = [0, 1]

# Chapters 1-5 without the GRU; the GRU and chapter 6 are in test_reference_gru_lm.py.
NOT_HERE = {"numerical_gradient", "gru_cell_forward", "gru_forward",
            *ASSIGNMENTS["06_language_model"]}
ORACLE_CHECKED = [name for names in ASSIGNMENTS.values() for name in names
                  if name not in NOT_HERE]


def make_args(name, rng, N, T, D, H, K, s, seed=0):
    """Positional arguments for `name`: the contract's maker (the hidden tests' own), with
    garbage written into the padding of a padded batch (it must not leak)."""
    case = Case("reference test", seed, N=N, T=T, D=D, H=H, K=K, scale=s)
    args = GRADED[name].make(rng, case)
    if "lengths" in inspect.signature(getattr(ref, name)).parameters:
        x, lengths = args[0], args[1]
        for n, L in enumerate(lengths):
            x[n, L:] = 1e3 * rng.standard_normal(x[n, L:].shape)
    return args


# ---------------------------------------------------------------------------
# Reference == oracle, purity, float64
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "N{}T{}D{}H{}K{}".format(*s))
@pytest.mark.parametrize("name", ORACLE_CHECKED)
def test_reference_matches_oracle(name, shape, scale, seed):
    rng = np.random.default_rng([seed, *shape, int(scale)])
    args = make_args(name, rng, *shape, scale, seed=seed)
    before = copy.deepcopy(args)

    got = call_reference(name, args)
    want = getattr(oracle, name)(*args)
    assert_same(got, want, name)

    # Pure: inputs unchanged, outputs are new arrays.
    for a, b in zip(arrays(args), arrays(before)):
        np.testing.assert_array_equal(a, b, err_msg=f"{name} modified an input")
    for out in arrays(got):
        for inp in arrays(args):
            assert not np.shares_memory(out, inp), f"{name} returned a view of an input"
        if name != "reverse_sequences":  # keeps the dtype of x
            assert out.dtype == np.float64, f"{name} returned {out.dtype}"


def test_saturating_cases_really_saturate():
    """The largest scale drives the pre-activations into 20 .. 1000 and beyond."""
    N, T, D, H, K = SHAPES[2]
    rng = np.random.default_rng(0)
    x_t, h_prev, W_x, W_h, b = make_args("rnn_cell_forward", rng, N, T, D, H, K, SCALES[-1])
    a = np.abs(x_t @ W_x.T + h_prev @ W_h.T + b)
    assert np.median(a) > 20 and a.max() > 300


# ---------------------------------------------------------------------------
# The oracle itself
# ---------------------------------------------------------------------------


def test_oracle_rnn_cell_hand_math():
    x, h, W_x, W_h, b = 0.5, -0.3, 0.7, 1.2, 0.1
    got = oracle.rnn_cell_forward(np.array([[x]]), np.array([[h]]), np.array([[W_x]]),
                                  np.array([[W_h]]), np.array([b]))
    assert got.shape == (1, 1)
    assert got[0, 0] == pytest.approx(math.tanh(W_x * x + W_h * h + b), rel=1e-14)


def test_oracle_lstm_cell_hand_math():
    """One unit, gates i, f, g, o with distinct pre-activations."""
    x, h, c = 0.5, -0.3, 0.8
    wx, wh, b = np.array([0.1, 0.2, 0.3, 0.4]), np.array([-0.5, 0.6, -0.7, 0.8]), np.zeros(4)
    a = wx * x + wh * h + b

    def sig(z):
        return 1 / (1 + math.exp(-z))

    i, f, g, o = sig(a[0]), sig(a[1]), math.tanh(a[2]), sig(a[3])
    c_t = f * c + i * g
    h_t = o * math.tanh(c_t)
    got_h, got_c = oracle.lstm_cell_forward(np.array([[x]]), np.array([[h]]), np.array([[c]]),
                                            wx[:, None], wh[:, None], b)
    assert got_h[0, 0] == pytest.approx(h_t, rel=1e-14)
    assert got_c[0, 0] == pytest.approx(c_t, rel=1e-14)


@pytest.mark.parametrize("scale", SCALES)
def test_oracle_rnn_cell_backward_matches_full_autograd(scale):
    """The b-free cell oracle (atanh trick) agrees with nn.RNN autograd on one step."""
    rng = np.random.default_rng(7)
    N, D, H = 3, 4, 5
    dh, x_t, h_prev = rng.standard_normal((N, H)), rng.standard_normal((N, D)), np.tanh(
        rng.standard_normal((N, H)))
    W_x, W_h, b = (scale * rng.standard_normal(s) for s in [(H, D), (H, H), (H,)])
    h_t = oracle.rnn_cell_forward(x_t, h_prev, W_x, W_h, b)
    got = oracle.rnn_cell_backward(dh, x_t, h_prev, h_t, W_x, W_h)
    dx, dh0, dW_x, dW_h, db = oracle.rnn_backward(dh[:, None], x_t[:, None], h_prev, W_x, W_h, b)
    assert_same(got, (dx[:, 0], dh0, dW_x, dW_h, db), "rnn_cell_backward oracle")


def test_oracle_lstm_cell_backward_matches_sequence_autograd():
    rng = np.random.default_rng(8)
    N, D, H = 3, 2, 4
    dh, x_t, h_prev, c_prev = (rng.standard_normal(s) for s in [(N, H), (N, D), (N, H), (N, H)])
    W = (rng.standard_normal((4 * H, D)), rng.standard_normal((4 * H, H)),
         rng.standard_normal(4 * H))
    got = oracle.lstm_cell_backward(dh, np.zeros((N, H)), x_t, h_prev, c_prev, *W)
    dx, dh0, dc0, dW_x, dW_h, db = oracle.lstm_backward(dh[:, None], x_t[:, None], h_prev,
                                                         c_prev, *W)
    assert_same(got, (dx[:, 0], dh0, dc0, dW_x, dW_h, db), "lstm_cell_backward oracle")


def test_oracle_bilstm_final_is_consistent_with_outputs():
    rng = np.random.default_rng(9)
    N, T, D, H = 4, 5, 3, 2
    x, lengths, fwd, bwd = make_args("bilstm_forward", rng, N, T, D, H, 1, 1.0)
    outputs, final = oracle.bilstm_forward(x, lengths, fwd, bwd)
    for n, L in enumerate(lengths):
        np.testing.assert_allclose(final[n, :H], outputs[n, L - 1, :H], **TOL)
        np.testing.assert_allclose(final[n, H:], outputs[n, 0, H:], **TOL)


def test_oracle_numerical_gradient_is_not_implemented():
    with pytest.raises(NotImplementedError):
        oracle.numerical_gradient(np.sum, np.zeros(3))


# ---------------------------------------------------------------------------
# Extra cases for single functions
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(7,), (1,), (2, 3), (2, 1, 3, 4)])
def test_softmax_any_shape_and_large_inputs(shape):
    z = 1000 * np.random.default_rng(1).standard_normal(shape)
    got = call_reference("softmax", (z,))
    np.testing.assert_allclose(got, oracle.softmax(z), **TOL)
    np.testing.assert_allclose(got.sum(-1), 1.0, rtol=0, atol=1e-12)


def test_softmax_cross_entropy_hand_math():
    logits = np.array([[[0.0, np.log(3.0)]]])  # probabilities 1/4, 3/4
    loss, dlogits = ref.softmax_cross_entropy(logits, np.array([[1]]))
    assert loss == pytest.approx(-np.log(0.75), rel=1e-14)
    np.testing.assert_allclose(dlogits, [[[0.25, -0.25]]], rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("z", [1000.0, -1000.0, 745.0, -745.0, 0.0])
def test_sigmoid_no_warning_at_extremes(z):
    arr = np.array([z, -z, 3.0])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        got = ref.sigmoid(arr)
    # atol: at z = -745 NumPy gives the subnormal exp(-745) = 5e-324, torch gives 0.
    np.testing.assert_allclose(got, oracle.sigmoid(arr), rtol=1e-15, atol=1e-300)
    assert np.all((got >= 0) & (got <= 1))


def test_sigmoid_exact_in_float64():
    z = np.linspace(-40, 40, 801)
    exact = np.array([1 / (1 + math.exp(-v)) for v in z])
    np.testing.assert_allclose(ref.sigmoid(z), exact, rtol=1e-15, atol=0)
    assert ref.sigmoid(np.array([-1000.0]))[0] == 0.0
    assert ref.sigmoid(np.array([1000.0]))[0] == 1.0


def test_numerical_gradient_matches_analytic_derivative():
    x = np.random.default_rng(2).standard_normal((2, 3, 4))
    before = x.copy()
    got = ref.numerical_gradient(lambda v: np.sum(np.sin(v) * v), x)
    assert got.shape == x.shape and got.dtype == np.float64
    np.testing.assert_allclose(got, np.sin(x) + x * np.cos(x), rtol=0, atol=1e-8)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_of_rnn_loss():
    """Gradient check of a small RNN loss with respect to W_h, against the oracle's autograd."""
    rng = np.random.default_rng(3)
    N, T, D, H = 2, 3, 2, 3
    x, h0 = rng.standard_normal((N, T, D)), np.tanh(rng.standard_normal((N, H)))
    W_x, W_h, b = rng.standard_normal((H, D)), rng.standard_normal((H, H)), rng.standard_normal(H)
    dhs = rng.standard_normal((N, T, H))  # loss = sum(dhs * hs)
    W_h_before = W_h.copy()
    num = ref.numerical_gradient(lambda W: np.sum(dhs * ref.rnn_forward(x, h0, W_x, W, b)), W_h)
    np.testing.assert_allclose(num, oracle.rnn_backward(dhs, x, h0, W_x, W_h, b)[3],
                               rtol=1e-7, atol=1e-8)
    np.testing.assert_array_equal(W_h, W_h_before)


@pytest.mark.parametrize("eps", [1e-2, 1e-3])
def test_numerical_gradient_uses_central_differences(eps):
    """For sum(x^3) the central difference is exactly 3x^2 + eps^2.

    A forward difference would be off by 3x eps + eps^2.
    """
    x = np.random.default_rng(4).uniform(0.5, 1.5, size=(5,))
    before = x.copy()
    got = ref.numerical_gradient(lambda v: np.sum(v ** 3), x, eps=eps)
    np.testing.assert_allclose(got - 3 * x ** 2, eps ** 2, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_scalar_shape():
    got = ref.numerical_gradient(lambda v: float(v) ** 2, np.array(1.5))
    assert got.shape == () and got == pytest.approx(3.0, rel=1e-9)


def test_tanh_jacobian_hand_math():
    h, W = np.array([0.5, -0.2]), np.array([[1.0, 2.0], [3.0, 4.0]])
    want = np.array([[0.75 * 1.0, 0.75 * 2.0], [0.96 * 3.0, 0.96 * 4.0]])
    np.testing.assert_allclose(ref.tanh_jacobian(h, W), want, rtol=1e-15)


def test_gradient_norms_last_entry_is_norm_of_dh_T():
    rng = np.random.default_rng(5)
    T, D, H = 4, 2, 3
    x, h0 = rng.standard_normal((T, D)), np.zeros(H)
    W_x, W_h, b = rng.standard_normal((H, D)), rng.standard_normal((H, H)), np.zeros(H)
    dh_T = np.array([3.0, 0.0, 4.0])
    norms = ref.gradient_norms(x, h0, W_x, W_h, b, dh_T)
    assert norms.shape == (T + 1,) and norms[T] == pytest.approx(5.0, rel=1e-15)


def _torch_clip(grads, max_norm):
    params = []
    for g in grads:
        p = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
        p.grad = torch.tensor(g, dtype=torch.float64)
        params.append(p)
    total = float(torch.nn.utils.clip_grad_norm_(params, max_norm))
    return [p.grad.numpy().copy() for p in params], total


@pytest.mark.parametrize("ratio", [0.1, 0.5, 0.99, 1.01, 2.0, 10.0])
def test_clip_by_global_norm_against_clip_grad_norm_(ratio):
    """max_norm = ratio * total norm: clips below 1, leaves the gradients alone above."""
    rng = np.random.default_rng(6)
    grads = [rng.standard_normal((3, 4)), rng.standard_normal(5), rng.standard_normal((2, 2, 2))]
    before = copy.deepcopy(grads)
    total = math.sqrt(sum(float(np.sum(g ** 2)) for g in grads))
    max_norm = ratio * total

    clipped, got_total = call_reference("clip_by_global_norm", (grads, max_norm))
    torch_clipped, torch_total = _torch_clip(grads, max_norm)

    assert isinstance(got_total, float)
    assert got_total == pytest.approx(torch_total, rel=1e-12)
    for c, t, g, g0 in zip(clipped, torch_clipped, grads, before):
        np.testing.assert_allclose(c, t, rtol=1e-5)  # torch divides by total + 1e-6
        np.testing.assert_array_equal(g, g0)
        assert c is not g and not np.shares_memory(c, g)
    new_norm = math.sqrt(sum(float(np.sum(c ** 2)) for c in clipped))
    if ratio < 1:
        assert new_norm == pytest.approx(max_norm, rel=1e-12)  # exact ratio
    else:
        for c, g in zip(clipped, grads):
            np.testing.assert_array_equal(c, g)


def test_reverse_sequences_hand_example():
    x = np.arange(2 * 4).reshape(2, 4)[:, :, None] * 1.0
    got = ref.reverse_sequences(x, np.array([2, 4]))
    np.testing.assert_array_equal(got[:, :, 0], [[1, 0, 2, 3], [7, 6, 5, 4]])
    np.testing.assert_array_equal(x[:, :, 0], [[0, 1, 2, 3], [4, 5, 6, 7]])


@pytest.mark.parametrize("trailing", [(), (3,), (2, 3)])
def test_reverse_sequences_any_trailing_shape(trailing):
    rng = np.random.default_rng(10)
    x = rng.standard_normal((4, 5, *trailing))
    lengths = np.array([5, 1, 3, 2])
    got = ref.reverse_sequences(x, lengths)
    np.testing.assert_array_equal(got, oracle.reverse_sequences(x, lengths))
    np.testing.assert_array_equal(ref.reverse_sequences(got, lengths), x)


@pytest.mark.parametrize("lengths", [[6, 1, 3, 6], [1, 1, 1, 1], [6, 6, 6, 6], [2, 5, 1, 4]])
def test_bilstm_variable_lengths(lengths):
    rng = np.random.default_rng(sum(lengths))
    N, T, D, H = 4, 6, 3, 2
    args = list(make_args("bilstm_forward", rng, N, T, D, H, 1, 1.0))
    args[1] = np.array(lengths)
    x = args[0]
    for n, L in enumerate(lengths):
        x[n, L:] = 1e3 * rng.standard_normal((T - L, D))
    outputs, final = call_reference("bilstm_forward", args)
    assert_same((outputs, final), oracle.bilstm_forward(*args), "bilstm_forward")
    for n, L in enumerate(lengths):
        assert np.all(outputs[n, L:] == 0), "padded steps must be exactly zero"


# ---------------------------------------------------------------------------
# Layout of the reference modules (they are spliced into nbgrader notebooks)
# ---------------------------------------------------------------------------

MODULES = {
    "01_recurrence": recurrence,
    "02_bptt": bptt,
    "03_vanishing_gradients": vanishing_gradients,
    "04_lstm": lstm,
    "05_bidirectional": bidirectional,
}
SPEC_ORDER = {
    "01_recurrence": ["feedforward_sequence", "rnn_cell_forward", "rnn_forward", "softmax",
                      "rnn_output", "many_to_one"],
    "02_bptt": ["softmax_cross_entropy", "rnn_cell_backward", "rnn_backward",
                "numerical_gradient"],
    "03_vanishing_gradients": ["tanh_jacobian", "gradient_norms", "clip_by_global_norm"],
    "04_lstm": ["sigmoid", "lstm_cell_forward", "lstm_forward", "lstm_cell_backward",
                "lstm_backward", "gru_cell_forward", "gru_forward"],
    "05_bidirectional": ["reverse_sequences", "bilstm_forward"],
    "06_language_model": ["embed", "embed_backward", "output_backward", "masked_cross_entropy",
                          "lm_loss_and_grads", "adam_step", "sample"],
}
EXTRA_ALLOWED = {"bilstm_forward": {"lstm_forward"}}
FORBIDDEN = {"lstm_backward": {"lstm_forward"}}
ALL_NAMES = {name for names in SPEC_ORDER.values() for name in names}


def test_functions_table_follows_the_spec():
    """The contract lists the spec's functions in its order; the reference reads it."""
    assert ASSIGNMENTS == {a: tuple(names) for a, names in SPEC_ORDER.items()}
    assert FUNCTIONS is ASSIGNMENTS
    for names in FUNCTIONS.values():
        for name in names:
            assert callable(getattr(ref, name)) and callable(getattr(oracle, name))
            assert (inspect.signature(getattr(ref, name))
                    == inspect.signature(getattr(oracle, name))), name


@pytest.mark.parametrize("assignment", list(MODULES))
def test_module_layout(assignment):
    """(The chapter 6 module's layout is checked in test_reference_gru_lm.py.)"""
    module = MODULES[assignment]
    tree = ast.parse(inspect.getsource(module))
    # Besides the graded functions, only what the chapter's notebook itself provides.
    defs = [node for node in tree.body if isinstance(node, ast.FunctionDef)
            and node.name not in ref.PROVIDED.get(assignment, ())]
    assert [d.name for d in defs] == SPEC_ORDER[assignment], "only the graded functions"
    for node in tree.body:  # imports, the module docstring and the functions, nothing else
        assert isinstance(node, (ast.FunctionDef, ast.Import, ast.ImportFrom, ast.Expr)), node
        if isinstance(node, ast.Expr):
            assert node is tree.body[0] and isinstance(node.value, ast.Constant)
        if isinstance(node, ast.ImportFrom):
            assert node.module == "lstm" and [a.name for a in node.names] == ["lstm_forward"]
    for position, fn in enumerate(defs):
        src = inspect.getsource(getattr(module, fn.name)).splitlines()
        assert ast.get_docstring(fn), f"{fn.name} has no docstring"
        doc_end = fn.body[0].end_lineno - fn.lineno + 1  # lines up to the docstring's end
        assert src[doc_end] == "    ### BEGIN SOLUTION", fn.name
        assert src[-1] == "    ### END SOLUTION", fn.name
        assert src.count("    ### BEGIN SOLUTION") == 1 and src.count("    ### END SOLUTION") == 1
        allowed = set(SPEC_ORDER[assignment][:position]) | EXTRA_ALLOWED.get(fn.name, set())
        allowed -= FORBIDDEN.get(fn.name, set())
        used = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)} & (ALL_NAMES - {fn.name})
        assert used <= allowed, f"{fn.name} uses {sorted(used - allowed)}"
