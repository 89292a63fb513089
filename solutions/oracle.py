"""Torch (float64) oracle for the NumPy reference implementations.

Every function has the signature of its namesake in ``solutions.reference``,
takes NumPy arrays and returns NumPy arrays, but computes its answer the
independent way: ``torch.nn.RNN`` / ``torch.nn.LSTM`` (also bidirectional on a
packed batch) / ``torch.nn.GRU`` for forward passes, autograd for every
gradient, ``F.cross_entropy(ignore_index=...)`` for the masked loss and
``torch.optim.Adam`` for the Adam update. Nothing
here sets torch's default dtype; every tensor is created as float64.

``numerical_gradient`` has no oracle (it takes an arbitrary Python function of
a NumPy array); its tests compare it with analytic derivatives instead.
"""
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

DTYPE = torch.float64


def _t(a, requires_grad=False):
    """A float64 tensor holding a copy of the array ``a``."""
    return torch.tensor(np.asarray(a), dtype=DTYPE, requires_grad=requires_grad)


def _np(t):
    """A NumPy copy of the tensor ``t``."""
    return t.detach().cpu().numpy().copy()


def _rnn(W_x, W_h, b):
    """``nn.RNN`` (tanh, batch_first) with weight_ih=W_x, weight_hh=W_h, b_ih=b, b_hh=0."""
    H, D = np.shape(W_x)
    rnn = nn.RNN(D, H, nonlinearity="tanh", batch_first=True, dtype=DTYPE)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(_t(W_x))
        rnn.weight_hh_l0.copy_(_t(W_h))
        rnn.bias_ih_l0.copy_(_t(b))
        rnn.bias_hh_l0.zero_()
    return rnn


def _set_lstm_direction(lstm, W_x, W_h, b, suffix=""):
    with torch.no_grad():
        getattr(lstm, "weight_ih_l0" + suffix).copy_(_t(W_x))
        getattr(lstm, "weight_hh_l0" + suffix).copy_(_t(W_h))
        getattr(lstm, "bias_ih_l0" + suffix).copy_(_t(b))
        getattr(lstm, "bias_hh_l0" + suffix).zero_()


def _lstm(W_x, W_h, b):
    """``nn.LSTM`` (batch_first; gates i, f, g, o) with the given weights and b_hh=0."""
    H4, D = np.shape(W_x)
    lstm = nn.LSTM(D, H4 // 4, batch_first=True, dtype=DTYPE)
    _set_lstm_direction(lstm, W_x, W_h, b)
    return lstm


# 1 · recurrence ------------------------------------------------------------


def feedforward_sequence(x, W, b):
    with torch.no_grad():
        return _np(torch.tanh(F.linear(_t(x), _t(W), _t(b))))


def rnn_cell_forward(x_t, h_prev, W_x, W_h, b):
    with torch.no_grad():
        _, h_n = _rnn(W_x, W_h, b)(_t(x_t)[:, None, :], _t(h_prev)[None])
    return _np(h_n[0])


def rnn_forward(x, h0, W_x, W_h, b):
    with torch.no_grad():
        out, _ = _rnn(W_x, W_h, b)(_t(x), _t(h0)[None])
    return _np(out)


def softmax(z):
    return _np(torch.softmax(_t(z), dim=-1))


def rnn_output(hs, W_y, b_y):
    return _np(torch.softmax(F.linear(_t(hs), _t(W_y), _t(b_y)), dim=-1))


def many_to_one(x, h0, W_x, W_h, b, W_y, b_y):
    with torch.no_grad():
        _, h_n = _rnn(W_x, W_h, b)(_t(x), _t(h0)[None])
        return _np(torch.softmax(F.linear(h_n[0], _t(W_y), _t(b_y)), dim=-1))


# 2 · bptt ------------------------------------------------------------------


def softmax_cross_entropy(logits, targets):
    N, T, K = np.shape(logits)
    z = _t(logits, requires_grad=True)
    tgt = torch.tensor(np.asarray(targets), dtype=torch.long).reshape(N * T)
    loss = F.cross_entropy(z.reshape(N * T, K), tgt, reduction="mean")
    loss.backward()
    return float(loss.item()), _np(z.grad)


def rnn_cell_backward(dh_t, x_t, h_prev, h_t, W_x, W_h):
    """Autograd through h = tanh(x_t W_x^T + h_prev W_h^T + beta).

    The function is not given b, so beta (N, H) is a per-example bias chosen
    so that the pre-activation is atanh(h_t), i.e. tanh of it reproduces h_t
    (up to rounding; exactly +-inf when h_t is exactly +-1). The bias gradient
    is beta's gradient summed over the batch.
    """
    x = _t(x_t, requires_grad=True)
    hp = _t(h_prev, requires_grad=True)
    Wx = _t(W_x, requires_grad=True)
    Wh = _t(W_h, requires_grad=True)
    with torch.no_grad():
        linear = F.linear(x, Wx) + F.linear(hp, Wh)
        beta0 = torch.atanh(_t(h_t)) - linear
    beta = beta0.clone().requires_grad_(True)
    h = torch.tanh(F.linear(x, Wx) + F.linear(hp, Wh) + beta)
    h.backward(_t(dh_t))
    return _np(x.grad), _np(hp.grad), _np(Wx.grad), _np(Wh.grad), _np(beta.grad.sum(0))


def rnn_backward(dhs, x, h0, W_x, W_h, b):
    rnn = _rnn(W_x, W_h, b)
    xt = _t(x, requires_grad=True)
    h0t = _t(h0, requires_grad=True)
    out, _ = rnn(xt, h0t[None])
    out.backward(_t(dhs))
    return (
        _np(xt.grad),
        _np(h0t.grad),
        _np(rnn.weight_ih_l0.grad),
        _np(rnn.weight_hh_l0.grad),
        _np(rnn.bias_ih_l0.grad),
    )


def numerical_gradient(f, x, eps=1e-5):
    """No oracle: tests compare the reference with analytic derivatives."""
    raise NotImplementedError(
        "numerical_gradient has no torch oracle; test it against analytic derivatives"
    )


# 3 · vanishing_gradients ---------------------------------------------------


def tanh_jacobian(h_t, W_h):
    """torch.autograd.functional.jacobian of v -> tanh(atanh(h_t) + W_h v) at v = 0.

    The pre-activation of the step is atanh(h_t); how it splits between the
    input, the previous state and the bias does not change dh_t/dh_{t-1}.
    """
    a_t = torch.atanh(_t(h_t))
    Wh = _t(W_h)

    def step(v):
        return torch.tanh(a_t + Wh @ v)

    J = torch.autograd.functional.jacobian(step, torch.zeros(Wh.shape[1], dtype=DTYPE))
    return _np(J)


def gradient_norms(x, h0, W_x, W_h, b, dh_T):
    """nn.RNNCell unrolled by hand, retain_grad on every state, one backward."""
    H, D = np.shape(W_x)
    cell = nn.RNNCell(D, H, nonlinearity="tanh", dtype=DTYPE)
    with torch.no_grad():
        cell.weight_ih.copy_(_t(W_x))
        cell.weight_hh.copy_(_t(W_h))
        cell.bias_ih.copy_(_t(b))
        cell.bias_hh.zero_()
    h = _t(h0, requires_grad=True)
    states = [h]
    for x_t in _t(x):
        h = cell(x_t[None], h[None])[0]
        h.retain_grad()
        states.append(h)
    states[-1].backward(_t(dh_T))
    return np.array([torch.linalg.vector_norm(s.grad).item() for s in states])


def clip_by_global_norm(grads, max_norm):
    """Total norm from torch.nn.utils.clip_grad_norm_, then the exact ratio.

    clip_grad_norm_ itself scales by max_norm / (total_norm + 1e-6); the course
    convention is the exact max_norm / total_norm, applied here to the originals.
    """
    params = []
    for g in grads:
        p = torch.zeros(np.shape(g), dtype=DTYPE, requires_grad=True)
        p.grad = _t(g)
        params.append(p)
    total = float(torch.nn.utils.clip_grad_norm_(params, max_norm))
    if total > max_norm:
        clipped = [_np(_t(g) * (max_norm / total)) for g in grads]
    else:
        clipped = [_np(_t(g)) for g in grads]
    return clipped, total


# 4 · lstm ------------------------------------------------------------------


def sigmoid(z):
    return _np(torch.sigmoid(_t(z)))


def lstm_cell_forward(x_t, h_prev, c_prev, W_x, W_h, b):
    with torch.no_grad():
        _, (h_n, c_n) = _lstm(W_x, W_h, b)(
            _t(x_t)[:, None, :], (_t(h_prev)[None], _t(c_prev)[None])
        )
    return _np(h_n[0]), _np(c_n[0])


def lstm_forward(x, h0, c0, W_x, W_h, b):
    """hs from one nn.LSTM call; cs[:, t] is c_n of nn.LSTM run on the prefix x[:, :t+1]."""
    lstm = _lstm(W_x, W_h, b)
    xt, state = _t(x), (_t(h0)[None], _t(c0)[None])
    with torch.no_grad():
        out, _ = lstm(xt, state)
        cs = torch.stack([lstm(xt[:, : t + 1], state)[1][1][0] for t in range(xt.shape[1])], 1)
    return _np(out), _np(cs)


def lstm_cell_backward(dh_t, dc_t, x_t, h_prev, c_prev, W_x, W_h, b):
    """Autograd through nn.LSTM on one step, with upstream gradients on h_n and c_n."""
    lstm = _lstm(W_x, W_h, b)
    xt = _t(x_t, requires_grad=True)
    hp = _t(h_prev, requires_grad=True)
    cp = _t(c_prev, requires_grad=True)
    _, (h_n, c_n) = lstm(xt[:, None, :], (hp[None], cp[None]))
    torch.autograd.backward([h_n[0], c_n[0]], [_t(dh_t), _t(dc_t)])
    return (
        _np(xt.grad),
        _np(hp.grad),
        _np(cp.grad),
        _np(lstm.weight_ih_l0.grad),
        _np(lstm.weight_hh_l0.grad),
        _np(lstm.bias_ih_l0.grad),
    )


def lstm_backward(dhs, x, h0, c0, W_x, W_h, b):
    lstm = _lstm(W_x, W_h, b)
    xt = _t(x, requires_grad=True)
    h0t = _t(h0, requires_grad=True)
    c0t = _t(c0, requires_grad=True)
    out, _ = lstm(xt, (h0t[None], c0t[None]))
    out.backward(_t(dhs))
    return (
        _np(xt.grad),
        _np(h0t.grad),
        _np(c0t.grad),
        _np(lstm.weight_ih_l0.grad),
        _np(lstm.weight_hh_l0.grad),
        _np(lstm.bias_ih_l0.grad),
    )


def _gru(W_x, W_h, b_x, b_h):
    """``nn.GRU`` (batch_first; gates r, z, n) with weight_ih=W_x, weight_hh=W_h."""
    H3, D = np.shape(W_x)
    gru = nn.GRU(D, H3 // 3, batch_first=True, dtype=DTYPE)
    with torch.no_grad():
        gru.weight_ih_l0.copy_(_t(W_x))
        gru.weight_hh_l0.copy_(_t(W_h))
        gru.bias_ih_l0.copy_(_t(b_x))
        gru.bias_hh_l0.copy_(_t(b_h))
    return gru


def gru_cell_forward(x_t, h_prev, W_x, W_h, b_x, b_h):
    with torch.no_grad():
        _, h_n = _gru(W_x, W_h, b_x, b_h)(_t(x_t)[:, None, :], _t(h_prev)[None])
    return _np(h_n[0])


def gru_forward(x, h0, W_x, W_h, b_x, b_h):
    with torch.no_grad():
        out, _ = _gru(W_x, W_h, b_x, b_h)(_t(x), _t(h0)[None])
    return _np(out)


# 5 · bidirectional ---------------------------------------------------------


def reverse_sequences(x, lengths):
    xt = torch.tensor(np.asarray(x))
    out = xt.clone()
    for n, L in enumerate(np.asarray(lengths).tolist()):
        out[n, :L] = torch.flip(xt[n, :L], dims=[0])
    return out.numpy().copy()


def bilstm_forward(x, lengths, fwd, bwd):
    """nn.LSTM(bidirectional=True) on pack_padded_sequence(enforce_sorted=False)."""
    _, T, D = np.shape(x)
    H = np.shape(fwd[1])[1]
    lstm = nn.LSTM(D, H, batch_first=True, bidirectional=True, dtype=DTYPE)
    _set_lstm_direction(lstm, *fwd)
    _set_lstm_direction(lstm, *bwd, suffix="_reverse")
    lens = torch.tensor(np.asarray(lengths), dtype=torch.long)
    with torch.no_grad():
        packed = pack_padded_sequence(_t(x), lens, batch_first=True, enforce_sorted=False)
        out_packed, (h_n, _) = lstm(packed)
        outputs, _ = pad_packed_sequence(out_packed, batch_first=True, total_length=T)
    final = torch.cat([h_n[0], h_n[1]], dim=1)
    return _np(outputs), _np(final)


# 6 · language_model --------------------------------------------------------

# The target torch ignores: where the mask is false.
_IGNORE = -100


def embed(ids, E):
    with torch.no_grad():
        return _np(F.embedding(torch.tensor(np.asarray(ids), dtype=torch.long), _t(E)))


def embed_backward(dx, ids, V):
    """Autograd through F.embedding of a (V, D) table."""
    table = torch.zeros((V, np.shape(dx)[-1]), dtype=DTYPE, requires_grad=True)
    F.embedding(torch.tensor(np.asarray(ids), dtype=torch.long), table).backward(_t(dx))
    return _np(table.grad)


def output_backward(dz, hs, W_y):
    """Autograd through nn.Linear (bias b_y set to zeros: its value does not matter)."""
    K, H = np.shape(W_y)
    linear = nn.Linear(H, K, dtype=DTYPE)
    with torch.no_grad():
        linear.weight.copy_(_t(W_y))
        linear.bias.zero_()
    h = _t(hs, requires_grad=True)
    linear(h).backward(_t(dz))
    return _np(h.grad), _np(linear.weight.grad), _np(linear.bias.grad)


def _masked_targets(targets, mask):
    tgt = torch.tensor(np.asarray(targets), dtype=torch.long).clone()
    tgt[~torch.tensor(np.asarray(mask), dtype=torch.bool)] = _IGNORE
    return tgt.reshape(-1)


def masked_cross_entropy(logits, targets, mask):
    K = np.shape(logits)[-1]
    z = _t(logits, requires_grad=True)
    loss = F.cross_entropy(z.reshape(-1, K), _masked_targets(targets, mask),
                           ignore_index=_IGNORE)
    loss.backward()
    return float(loss.item()), _np(z.grad)


class _LanguageModel(nn.Module):
    """nn.Embedding -> nn.RNN (tanh, batch_first) -> nn.Linear, holding ``params``."""

    def __init__(self, params):
        super().__init__()
        V, D = np.shape(params["E"])
        H = np.shape(params["W_h"])[0]
        self.embedding = nn.Embedding(V, D, dtype=DTYPE)
        self.rnn = _rnn(params["W_x"], params["W_h"], params["b"])
        self.rnn.bias_hh_l0.requires_grad_(False)  # b is bias_ih_l0 alone
        self.output = nn.Linear(H, V, dtype=DTYPE)
        with torch.no_grad():
            self.embedding.weight.copy_(_t(params["E"]))
            self.output.weight.copy_(_t(params["W_y"]))
            self.output.bias.copy_(_t(params["b_y"]))

    def parameter_dict(self):
        return {"E": self.embedding.weight, "W_x": self.rnn.weight_ih_l0,
                "W_h": self.rnn.weight_hh_l0, "b": self.rnn.bias_ih_l0,
                "W_y": self.output.weight, "b_y": self.output.bias}

    def forward(self, ids, h0):
        hs, h_n = self.rnn(self.embedding(ids), h0[None])
        return self.output(hs), h_n[0]


def lm_loss_and_grads(params, ids, targets, mask, h0):
    model = _LanguageModel(params)
    logits, h_last = model(torch.tensor(np.asarray(ids), dtype=torch.long), _t(h0))
    V = logits.shape[-1]
    loss = F.cross_entropy(logits.reshape(-1, V), _masked_targets(targets, mask),
                           ignore_index=_IGNORE)
    loss.backward()
    grads = {k: _np(p.grad) for k, p in model.parameter_dict().items()}
    return float(loss.item()), grads, _np(h_last)


def adam_step(param, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """torch.optim.Adam, its state loaded with the moments after step t - 1."""
    p = _t(param, requires_grad=True)
    optimizer = torch.optim.Adam([p], lr=lr, betas=(beta1, beta2), eps=eps)
    optimizer.state[p] = {"step": torch.tensor(float(t - 1)), "exp_avg": _t(m),
                          "exp_avg_sq": _t(v)}
    p.grad = _t(grad)
    optimizer.step()
    state = optimizer.state[p]
    return _np(p), _np(state["exp_avg"]), _np(state["exp_avg_sq"])


def sample(params, h0, first_id, length, temperature, u):
    """nn.RNNCell step by step; torch.searchsorted(right=True) on the cumulative
    softmax finds the smallest id whose cumulative probability exceeds u[i]."""
    H, D = np.shape(params["W_x"])
    V = np.shape(params["E"])[0]
    cell = nn.RNNCell(D, H, nonlinearity="tanh", dtype=DTYPE)
    with torch.no_grad():
        cell.weight_ih.copy_(_t(params["W_x"]))
        cell.weight_hh.copy_(_t(params["W_h"]))
        cell.bias_ih.copy_(_t(params["b"]))
        cell.bias_hh.zero_()
        E, W_y, b_y = _t(params["E"]), _t(params["W_y"]), _t(params["b_y"])
        h, current, ids = _t(h0)[None], int(first_id), []
        for u_i in _t(u):
            h = cell(F.embedding(torch.tensor([current]), E), h)
            p = torch.softmax(F.linear(h[0], W_y, b_y) / temperature, dim=-1)
            current = min(int(torch.searchsorted(torch.cumsum(p, 0), u_i, right=True)),
                          V - 1)
            ids.append(current)
    return np.array(ids, dtype=np.int64)
