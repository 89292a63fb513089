"""The NumPy reference implementations against the torch oracle (and hand math).

Inputs come from the contract's makers, the same that feed the hidden tests,
over several shapes (the edge sizes N = T = D = H = K = 1 among them), seeds
and weight scales up to saturation; every reference output must equal its
oracle (`solutions.oracle`: nn.RNN, nn.LSTM, packed bidirectional LSTMs,
nn.GRU, F.embedding, autograd, cross_entropy with ignore_index,
torch.optim.Adam, a torch sampler) to 1e-10, leave its inputs untouched and
return new float64 arrays. Then what no random case pins down (hand math,
Adam over a whole run, masks, the oracle itself), and the layout the
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
    bidirectional,
    bptt,
    language_model,
    lstm,
    recurrence,
    vanishing_gradients,
)

# (N, T, D, H, K): the edge sizes first, then ordinary ones with D, H and K all different.
SHAPES = [(1, 1, 1, 1, 1), (1, 1, 1, 1, 2), (2, 3, 4, 5, 3), (3, 6, 2, 3, 4), (4, 5, 3, 2, 6)]
SEEDS = [0, 1]
# Weight scale: 1 is ordinary; 10 and 300 saturate tanh / sigmoid (|pre-activation| of
# roughly 20 .. 1000).
SCALES = [1.0, 10.0, 300.0]
# The GRU and chapter 6: the makers' scale 6 and 30 saturate tanh, sigmoid and softmax
# (the logits grow with its cube); one more seed, and K = 7.
GRU_LM = ("gru_cell_forward", "gru_forward", *ASSIGNMENTS["06_language_model"])
GRU_LM_SHAPES = [*SHAPES[:-1], (4, 5, 3, 2, 7)]
GRU_LM_SCALES = [1.0, 6.0, 30.0]
GRU_LM_SEEDS = [0, 1, 2]
# numerical_gradient takes a function: it is checked against calculus below.
ORACLE_CASES = [
    (name, shape, scale, seed)
    for names in ASSIGNMENTS.values() for name in names if name != "numerical_gradient"
    for shape, scales, seeds in ([(s, GRU_LM_SCALES, GRU_LM_SEEDS) for s in GRU_LM_SHAPES]
                                 if name in GRU_LM else [(s, SCALES, SEEDS) for s in SHAPES])
    for scale in scales for seed in seeds]


def make(name, shape, scale=1.0, seed=0, rng=None):
    """Positional arguments for `name`: the contract's maker (the hidden tests' own), with
    garbage written into the padding of a padded batch (it must not leak)."""
    N, T, D, H, K = shape
    rng = rng or np.random.default_rng([seed, *shape, int(scale)])
    args = GRADED[name].make(rng, Case("reference test", seed, N=N, T=T, D=D, H=H, K=K,
                                       scale=scale))
    if "lengths" in inspect.signature(getattr(ref, name)).parameters:
        x, lengths = args[0], args[1]
        for n, L in enumerate(lengths):
            x[n, L:] = 1e3 * rng.standard_normal(x[n, L:].shape)
    return args


# ---------------------------------------------------------------------------
# Reference == oracle, purity, float64
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name,shape,scale,seed", ORACLE_CASES,
                         ids=lambda v: "N{}T{}D{}H{}K{}".format(*v) if isinstance(v, tuple)
                         else str(v))
def test_reference_matches_oracle(name, shape, scale, seed):
    args = make(name, shape, scale, seed)
    before = copy.deepcopy(args)

    got = call_reference(name, args)
    assert_same(got, getattr(oracle, name)(*args), name)

    # Pure: inputs unchanged, outputs are new arrays.
    for a, b in zip(arrays(args), arrays(before)):
        np.testing.assert_array_equal(a, b, err_msg=f"{name} modified an input")
    # reverse_sequences keeps the dtype of x; sample returns ids.
    dtype = args[0].dtype if name == "reverse_sequences" else (
        np.int64 if name == "sample" else np.float64)
    for out in arrays(got):
        assert not any(np.shares_memory(out, a) for a in arrays(args)), f"{name}: a view"
        assert out.dtype == dtype, f"{name} returned {out.dtype}"


def test_saturating_cases_really_saturate():
    """The largest scales drive the pre-activations, the GRU gates and the logits far
    into saturation."""
    x_t, h_prev, W_x, W_h, b = make("rnn_cell_forward", SHAPES[2], SCALES[-1])
    a = np.abs(x_t @ W_x.T + h_prev @ W_h.T + b)
    assert np.median(a) > 20 and a.max() > 300
    x_t, h_prev, W_x, W_h, b_x, b_h = make("gru_cell_forward", SHAPES[2], GRU_LM_SCALES[-1])
    assert np.median(np.abs(x_t @ W_x.T + b_x)) > 20
    logits = make("masked_cross_entropy", SHAPES[2], GRU_LM_SCALES[-1])[0]
    assert np.ptp(logits, axis=-1).min() > 1000


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
    x, lengths, fwd, bwd = make("bilstm_forward", (N, T, D, H, 1), rng=rng)
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
    args = list(make("bilstm_forward", (N, T, D, H, 1), rng=rng))
    args[1] = np.array(lengths)
    x = args[0]
    for n, L in enumerate(lengths):
        x[n, L:] = 1e3 * rng.standard_normal((T - L, D))
    outputs, final = call_reference("bilstm_forward", args)
    assert_same((outputs, final), oracle.bilstm_forward(*args), "bilstm_forward")
    for n, L in enumerate(lengths):
        assert np.all(outputs[n, L:] == 0), "padded steps must be exactly zero"


# ---------------------------------------------------------------------------
# The GRU and the language model: what no random case pins down
# ---------------------------------------------------------------------------


def test_makers_give_repeated_ids_and_masks_with_a_silent_row():
    dx, ids, V = make("embed_backward", GRU_LM_SHAPES[3], 1.0, 0)
    assert len(np.unique(ids)) < ids.size and V == GRU_LM_SHAPES[3][4] + 1
    for shape in GRU_LM_SHAPES:
        for seed in GRU_LM_SEEDS:
            mask = make("masked_cross_entropy", shape, 1.0, seed)[2]
            assert mask.dtype == bool and mask.any()
            if shape[0] > 2:
                assert not mask.all(axis=1).all() and (~mask).all(axis=1).any()


# --- the GRU ------------------------------------------------------------------------------


def _sigmoid(v):
    return 1 / (1 + math.exp(-v))


def test_gru_cell_hand_math():
    """One unit: r, z, n from distinct pre-activations; b_h's n entry sits inside r *."""
    x, h = 0.5, -0.3
    wx, wh = np.array([0.1, 0.2, 0.3]), np.array([-0.5, 0.6, -0.7])
    bx, bh = np.array([0.05, -0.1, 0.2]), np.array([0.3, 0.1, -0.4])
    r = _sigmoid(wx[0] * x + bx[0] + wh[0] * h + bh[0])
    u = _sigmoid(wx[1] * x + bx[1] + wh[1] * h + bh[1])
    n = math.tanh(wx[2] * x + bx[2] + r * (wh[2] * h + bh[2]))
    want = (1 - u) * n + u * h
    args = (np.array([[x]]), np.array([[h]]), wx[:, None], wh[:, None], bx, bh)
    assert call_reference("gru_cell_forward", args)[0, 0] == pytest.approx(want, rel=1e-14)
    assert oracle.gru_cell_forward(*args)[0, 0] == pytest.approx(want, rel=1e-14)


def test_gru_is_not_the_original_papers_formulation():
    """Cho et al. reset h before the product, (r * h) W_hn^T; PyTorch resets after it,
    r * (h W_hn^T + b_hn). The two differ, and the reference is PyTorch's."""
    x_t, h_prev, W_x, W_h, b_x, b_h = make("gru_cell_forward", SHAPES[2], 1.0, 0)
    H = h_prev.shape[1]
    a_x = x_t @ W_x.T + b_x
    r = 1 / (1 + np.exp(-(a_x[:, :H] + h_prev @ W_h[:H].T + b_h[:H])))
    u = 1 / (1 + np.exp(-(a_x[:, H:2 * H] + h_prev @ W_h[H:2 * H].T + b_h[H:2 * H])))
    n = np.tanh(a_x[:, 2 * H:] + (r * h_prev) @ W_h[2 * H:].T + b_h[2 * H:])
    paper = (1 - u) * n + u * h_prev
    got = ref.gru_cell_forward(x_t, h_prev, W_x, W_h, b_x, b_h)
    assert np.max(np.abs(paper - got)) > 1e-3


def test_gru_forward_is_the_cell_repeated():
    x, h0, *weights = make("gru_forward", SHAPES[3], 1.0, 1)
    h, states = h0, []
    for t in range(x.shape[1]):
        h = oracle.gru_cell_forward(x[:, t], h, *weights)
        states.append(h)
    np.testing.assert_allclose(ref.gru_forward(x, h0, *weights), np.stack(states, 1), **TOL)


# --- the language model -------------------------------------------------------------------


def test_embed_backward_adds_repeated_ids():
    ids = np.array([[2, 2, 0], [2, 1, 2]])
    dx = np.arange(18.0).reshape(2, 3, 3)
    got = ref.embed_backward(dx, ids, 4)
    want = np.zeros((4, 3))
    want[2] = dx[0, 0] + dx[0, 1] + dx[1, 0] + dx[1, 2]
    want[0], want[1] = dx[0, 2], dx[1, 1]
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got, oracle.embed_backward(dx, ids, 4))


def test_masked_cross_entropy_hand_math():
    """Only (0, 0) and (1, 1) count: the mean of -log 3/4 and -log 1/2."""
    logits = np.array([[[0.0, np.log(3.0)], [50.0, -50.0]], [[7.0, 1.0], [2.0, 2.0]]])
    targets = np.array([[1, 1], [1, 0]])
    mask = np.array([[True, False], [False, True]])
    loss, dlogits = ref.masked_cross_entropy(logits, targets, mask)
    assert loss == pytest.approx((-np.log(0.75) - np.log(0.5)) / 2, rel=1e-14)
    want = np.zeros((2, 2, 2))
    want[0, 0], want[1, 1] = [0.125, -0.125], [-0.25, 0.25]
    np.testing.assert_allclose(dlogits, want, rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize("seed", GRU_LM_SEEDS)
def test_masked_cross_entropy_any_mask(seed):
    """Scattered masks (not only padding) and, with every entry true, chapter 2's loss."""
    rng = np.random.default_rng(seed)
    logits, targets = 5 * rng.standard_normal((4, 6, 5)), rng.integers(0, 5, (4, 6))
    mask = rng.random((4, 6)) < 0.4
    mask[0, 0] = True
    assert_same(ref.masked_cross_entropy(logits, targets, mask),
                oracle.masked_cross_entropy(logits, targets, mask), "scattered mask")
    assert_same(ref.masked_cross_entropy(logits, targets, np.ones((4, 6), bool)),
                ref.softmax_cross_entropy(logits, targets), "mask of ones")


def test_lm_chunks_carry_the_state():
    """Two chunks with h_last carried forward give nn.RNN's states over the whole text,
    and each chunk's h_last is the last hidden state of its forward pass."""
    params, ids, targets, mask, h0 = make("lm_loss_and_grads", (2, 8, 3, 4, 5), 1.0, 0)
    _, _, h_mid = ref.lm_loss_and_grads(params, ids[:, :4], targets[:, :4], mask[:, :4], h0)
    _, _, h_end = ref.lm_loss_and_grads(params, ids[:, 4:], targets[:, 4:], mask[:, 4:], h_mid)
    x = ref.embed(ids, params["E"])
    hs = oracle.rnn_forward(x, h0, params["W_x"], params["W_h"], params["b"])
    np.testing.assert_allclose(h_mid, hs[:, 3], **TOL)
    np.testing.assert_allclose(h_end, hs[:, 7], **TOL)


def test_lm_gradient_matches_finite_differences():
    """The whole backward pass against central differences of the loss (hand math)."""
    params, ids, targets, mask, h0 = make("lm_loss_and_grads", (2, 4, 3, 3, 5), 1.0, 1)
    _, grads, _ = ref.lm_loss_and_grads(params, ids, targets, mask, h0)
    eps = 1e-6
    for key, value in params.items():
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            shifted = [{**params, key: value.copy()} for _ in range(2)]
            shifted[0][key][index] += eps
            shifted[1][key][index] -= eps
            plus, minus = (ref.lm_loss_and_grads(p, ids, targets, mask, h0)[0] for p in shifted)
            numeric[index] = (plus - minus) / (2 * eps)
        np.testing.assert_allclose(grads[key], numeric, rtol=1e-6, atol=1e-9, err_msg=key)


@pytest.mark.parametrize("hyper", [{}, {"beta1": 0.5, "beta2": 0.9, "eps": 1e-6}],
                         ids=["defaults", "own betas and eps"])
@pytest.mark.parametrize("size", [1.0, 1e-7], ids=["ordinary gradients", "tiny gradients"])
def test_adam_run_matches_torch_optim_adam(hyper, size):
    """Twelve steps from m = v = 0, t = 1, 2, ...: the reference's run equals
    torch.optim.Adam's. With gradients of 1e-7, sqrt(v_hat) is ~eps: eps matters."""
    rng = np.random.default_rng(4)
    start = rng.standard_normal((3, 4))
    grads = [size * rng.standard_normal((3, 4)) for _ in range(12)]
    lr = 0.05
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([p], lr=lr, betas=(hyper.get("beta1", 0.9),
                                                    hyper.get("beta2", 0.999)),
                                 eps=hyper.get("eps", 1e-8))
    param, m, v = start, np.zeros_like(start), np.zeros_like(start)
    for t, g in enumerate(grads, start=1):
        param, m, v = ref.adam_step(param, g, m, v, t, lr, **hyper)
        p.grad = torch.tensor(g, dtype=torch.float64)
        optimizer.step()
        np.testing.assert_allclose(param, p.detach().numpy(), **TOL)
        np.testing.assert_allclose(m, optimizer.state[p]["exp_avg"].numpy(), rtol=1e-10)
        np.testing.assert_allclose(v, optimizer.state[p]["exp_avg_sq"].numpy(), rtol=1e-10)
    if size < 1:  # the same run with eps = 0 ends elsewhere
        param0, m0, v0 = start, np.zeros_like(start), np.zeros_like(start)
        for t, g in enumerate(grads, start=1):
            param0, m0, v0 = ref.adam_step(param0, g, m0, v0, t, lr, **{**hyper, "eps": 0.0})
        assert np.max(np.abs(param0 - param)) > 1e-3


def test_adam_first_step_moves_every_entry_by_lr():
    """At t = 1 the bias correction makes m_hat / sqrt(v_hat) = sign(grad)."""
    grad = np.array([3.0, -0.02, 500.0])
    param, _, _ = ref.adam_step(np.zeros(3), grad, np.zeros(3), np.zeros(3), 1, 0.1, eps=0.0)
    np.testing.assert_allclose(param, [-0.1, 0.1, -0.1], rtol=1e-15)


def test_sample_inverse_cdf_by_hand():
    """V = 3 and zero weights: p = softmax(b_y / temperature) at every step."""
    params = {"E": np.zeros((3, 1)), "W_x": np.zeros((1, 1)), "W_h": np.zeros((1, 1)),
              "b": np.zeros(1), "W_y": np.zeros((3, 1)), "b_y": np.log([0.2, 0.3, 0.5])}
    u = np.array([0.0, 0.19, 0.2, 0.49, 0.51, 0.999])
    got = ref.sample(params, np.zeros(1), 0, 6, 1.0, u)
    np.testing.assert_array_equal(got, [0, 0, 1, 1, 2, 2])
    # Temperature 1/2 squares the probabilities (0.04, 0.09, 0.25) / 0.38.
    hot = ref.sample(params, np.zeros(1), 0, 2, 0.5, np.array([0.1, 0.35]))
    np.testing.assert_array_equal(hot, [0, 2])
    np.testing.assert_array_equal(oracle.sample(params, np.zeros(1), 0, 6, 1.0, u), got)


def test_sample_feeds_back_its_own_ids():
    """A model that copies its input: E and W_y map each id to itself, so at a low
    temperature the sample repeats first_id; a sampler that fed back first_id would too,
    so the weights also make id v predict v + 1 and the chain must climb."""
    V = 4
    params = {"E": 10 * np.eye(V), "W_x": np.eye(V), "W_h": np.zeros((V, V)),
              "b": np.zeros(V), "W_y": 10 * np.roll(np.eye(V), 1, axis=0), "b_y": np.zeros(V)}
    got = ref.sample(params, np.zeros(V), 0, 6, 0.1, np.full(6, 0.5))
    np.testing.assert_array_equal(got, [1, 2, 3, 0, 1, 2])
    np.testing.assert_array_equal(oracle.sample(params, np.zeros(V), 0, 6, 0.1,
                                                np.full(6, 0.5)), got)


# ---------------------------------------------------------------------------
# Layout of the reference modules (they are spliced into nbgrader notebooks)
# ---------------------------------------------------------------------------

MODULES = {
    "01_recurrence": recurrence,
    "02_bptt": bptt,
    "03_vanishing_gradients": vanishing_gradients,
    "04_lstm": lstm,
    "05_bidirectional": bidirectional,
    "06_language_model": language_model,
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
    """The contract lists the spec's functions in its order; reference and oracle have
    each of them, with the same signature."""
    assert ASSIGNMENTS == {a: tuple(names) for a, names in SPEC_ORDER.items()}
    for names in ASSIGNMENTS.values():
        for name in names:
            assert callable(getattr(ref, name)) and callable(getattr(oracle, name))
            assert (inspect.signature(getattr(ref, name))
                    == inspect.signature(getattr(oracle, name))), name


@pytest.mark.parametrize("assignment", list(MODULES))
def test_module_layout(assignment):
    """Only the graded functions, in the contract's order; one solution block each, right
    after the docstring; calls only to earlier functions of the same chapter."""
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
        if isinstance(node, ast.Import):
            assert [a.name for a in node.names] == ["numpy"]
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
