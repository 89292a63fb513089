"""The GRU (chapter 4) and language-model (chapter 6) references against torch.

Inputs come from the contract's makers, the same that feed the hidden tests,
over several shapes (the edge sizes N = T = D = H = K = 1 among them), seeds
and weight scales up to saturation; every reference output must equal its
oracle (`solutions.oracle`: nn.GRU, F.embedding, autograd, cross_entropy with
ignore_index, torch.optim.Adam, a torch sampler) to 1e-10, leave its inputs
untouched and return new arrays. Then a few properties no random case pins
down: Adam over a whole run, masks, hand-computed values, the module layout.
"""
import ast
import copy
import inspect
import math

import numpy as np
import pytest
import torch
from reference_helpers import TOL, arrays, assert_same, call_reference

from autograder.contract import ASSIGNMENTS, GRADED, Case
from solutions import oracle
from solutions import reference as ref
from solutions.reference import language_model, lstm

GRU = ["gru_cell_forward", "gru_forward"]
LM = list(ASSIGNMENTS["06_language_model"])

# (N, T, D, H, K): the edge sizes first, then ordinary ones with D, H and K all different.
SHAPES = [(1, 1, 1, 1, 1), (1, 1, 1, 1, 2), (2, 3, 4, 5, 3), (3, 6, 2, 3, 4), (4, 5, 3, 2, 7)]
# The makers' weight scale: 1 is ordinary, 6 and 30 saturate tanh, sigmoid and softmax.
SCALES = [1.0, 6.0, 30.0]
SEEDS = [0, 1, 2]


def make(name, shape, scale, seed):
    N, T, D, H, K = shape
    case = Case("test", seed, N=N, T=T, D=D, H=H, K=K, scale=scale)
    return GRADED[name].make(np.random.default_rng([seed, *shape, int(scale)]), case)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "N{}T{}D{}H{}K{}".format(*s))
@pytest.mark.parametrize("name", GRU + LM)
def test_reference_matches_oracle(name, shape, scale, seed):
    args = make(name, shape, scale, seed)
    before = copy.deepcopy(args)

    got = call_reference(name, args)
    assert_same(got, getattr(oracle, name)(*args), name)

    for a, b in zip(arrays(args), arrays(before)):
        np.testing.assert_array_equal(a, b, err_msg=f"{name} modified an input")
    for out in arrays(got):
        assert not any(np.shares_memory(out, a) for a in arrays(args)), f"{name}: a view"
        assert out.dtype == (np.int64 if name == "sample" else np.float64), (name, out.dtype)


def test_saturating_cases_really_saturate():
    """Scale 30 drives the GRU gates and the logits far into saturation."""
    x_t, h_prev, W_x, W_h, b_x, b_h = make("gru_cell_forward", SHAPES[2], 30.0, 0)
    assert np.median(np.abs(x_t @ W_x.T + b_x)) > 20
    logits = make("masked_cross_entropy", SHAPES[2], 30.0, 0)[0]
    assert np.ptp(logits, axis=-1).min() > 1000


def test_makers_give_repeated_ids_and_masks_with_a_silent_row():
    dx, ids, V = make("embed_backward", SHAPES[3], 1.0, 0)
    assert len(np.unique(ids)) < ids.size and V == SHAPES[3][4] + 1
    for shape in SHAPES:
        for seed in SEEDS:
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


@pytest.mark.parametrize("seed", SEEDS)
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


# --- layout (the modules are spliced into nbgrader notebooks) ------------------------------


@pytest.mark.parametrize("module,names", [(lstm, ASSIGNMENTS["04_lstm"]),
                                          (language_model, LM)])
def test_module_layout(module, names):
    """Only the graded functions, in the contract's order; one solution block each, right
    after the docstring; calls only to earlier functions of the same chapter."""
    tree = ast.parse(inspect.getsource(module))
    assert [n.name for n in tree.body if isinstance(n, ast.FunctionDef)] == list(names)
    assert isinstance(tree.body[0], ast.Expr)
    for node in tree.body[1:]:
        assert isinstance(node, (ast.FunctionDef, ast.Import)), node
        if isinstance(node, ast.Import):
            assert [a.name for a in node.names] == ["numpy"]
    graded = set(GRADED)
    for position, name in enumerate(names):
        fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
        src = inspect.getsource(getattr(module, name)).splitlines()
        assert ast.get_docstring(fn), name
        assert src[fn.body[0].end_lineno - fn.lineno + 1] == "    ### BEGIN SOLUTION", name
        assert src[-1] == "    ### END SOLUTION", name
        assert src.count("    ### BEGIN SOLUTION") == 1, name
        used = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)} & (graded - {name})
        assert used <= set(names[:position]), f"{name} uses {sorted(used)}"


def test_oracle_signatures_match():
    for name in GRU + LM:
        assert (inspect.signature(getattr(ref, name))
                == inspect.signature(getattr(oracle, name))), name
