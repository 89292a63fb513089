"""The inputs of every hidden test: one maker per graded function.

`make_<function>(rng, case)` returns the function's positional arguments for
one `Case`, drawn from `rng`. The visible tests' small cases and the
reference tests use the same makers.
"""

import numpy as np

from .scalar_functions import ScalarFunction


def _normal(rng, *shape, scale=1.0):
    return scale * rng.standard_normal(shape)


def _lengths(rng, c):
    """Lengths in 1..T, unsorted, with a full and (when N > 1) a short one."""
    lengths = rng.integers(1, c.T + 1, size=c.N)
    lengths[0] = c.T
    if c.N > 1:
        lengths[-1] = max(1, c.T // 2)
    rng.shuffle(lengths)
    return lengths.astype(np.int64)


def _rnn_weights(rng, c, gates=1):
    s = c.scale
    return (_normal(rng, gates * c.H, c.D, scale=s / np.sqrt(c.D)),
            _normal(rng, gates * c.H, c.H, scale=s / np.sqrt(c.H)),
            _normal(rng, gates * c.H, scale=0.5 * s))


def _x(rng, c, *shape):
    return _normal(rng, *shape, scale=max(1.0, c.scale))


def _tanh_state(rng, c, *shape):
    return np.tanh(_normal(rng, *shape, scale=c.scale))


def make_feedforward_sequence(rng, c):
    W = _normal(rng, c.H, c.D, scale=c.scale / np.sqrt(c.D))
    return (_x(rng, c, c.N, c.T, c.D), W, _normal(rng, c.H, scale=0.5 * c.scale))


def make_rnn_cell_forward(rng, c):
    return (_x(rng, c, c.N, c.D), _tanh_state(rng, c, c.N, c.H), *_rnn_weights(rng, c))


def make_rnn_forward(rng, c):
    return (_x(rng, c, c.N, c.T, c.D), _tanh_state(rng, c, c.N, c.H), *_rnn_weights(rng, c))


def make_softmax(rng, c):
    # Logits in the hundreds overflow exp() unless the maximum is subtracted; 1-d and
    # 2-d inputs catch a hard-coded axis.
    ndim = 3 if c.scale > 1 or c.seed % 3 == 2 else 1 + c.seed % 3
    shape = (c.N, c.T, c.K)[3 - ndim:]
    return (_normal(rng, *shape, scale=3.0 * c.scale ** 3),)


def make_rnn_output(rng, c):
    return (_tanh_state(rng, c, c.N, c.T, c.H), _normal(rng, c.K, c.H, scale=c.scale),
            _normal(rng, c.K, scale=c.scale))


def make_many_to_one(rng, c):
    return (*make_rnn_forward(rng, c), _normal(rng, c.K, c.H, scale=c.scale),
            _normal(rng, c.K, scale=c.scale))


def make_softmax_cross_entropy(rng, c):
    return (_normal(rng, c.N, c.T, c.K, scale=3.0 * c.scale ** 3),
            rng.integers(0, c.K, size=(c.N, c.T)).astype(np.int64))


def make_rnn_cell_backward(rng, c):
    x_t = _x(rng, c, c.N, c.D)
    h_prev = _tanh_state(rng, c, c.N, c.H)
    W_x, W_h, b = _rnn_weights(rng, c)
    h_t = np.tanh(x_t @ W_x.T + h_prev @ W_h.T + b)
    return (_normal(rng, c.N, c.H), x_t, h_prev, h_t, W_x, W_h)


def make_rnn_backward(rng, c):
    return (_normal(rng, c.N, c.T, c.H), *make_rnn_forward(rng, c))


def make_numerical_gradient(rng, c):
    name = ("sin_times_x", "cubic", "log_sum_exp")[c.seed % 3]
    shape = ((c.N, c.H, c.D), (c.H * c.D,), (c.N, c.D))[(c.seed // 10 + c.seed) % 3]
    x = _normal(rng, *shape, scale=min(c.scale, 2.0))
    if c.seed % 2:
        return (ScalarFunction(name), x)
    return (ScalarFunction(name), x, 1e-3)


def make_tanh_jacobian(rng, c):
    return (_tanh_state(rng, c, c.H), _normal(rng, c.H, c.H, scale=c.scale))


def make_gradient_norms(rng, c):
    W_x, W_h, b = _rnn_weights(rng, c)
    return (_x(rng, c, c.T, c.D), _tanh_state(rng, c, c.H), W_x, 1.5 * W_h, b,
            _normal(rng, c.H))


def make_clip_by_global_norm(rng, c):
    grads = [_normal(rng, c.H, c.D), _normal(rng, c.H), _normal(rng, c.N, c.T, c.K)]
    total = np.sqrt(sum(float(np.sum(g * g)) for g in grads))
    # Odd seeds clip, even seeds leave the gradients alone.
    max_norm = total * (0.3 if c.seed % 2 else 1.7)
    return (grads[: 1 + c.seed % 3], float(max_norm))


def make_sigmoid(rng, c):
    z = _normal(rng, c.N, c.T, c.K, scale=4.0 * c.scale)
    if c.scale > 1:
        z = z * 40.0
        z.flat[0], z.flat[-1] = 1000.0, -1000.0
    return (z,)


def make_lstm_cell_forward(rng, c):
    return (_x(rng, c, c.N, c.D), _tanh_state(rng, c, c.N, c.H),
            _normal(rng, c.N, c.H, scale=c.scale), *_rnn_weights(rng, c, gates=4))


def make_lstm_forward(rng, c):
    return (_x(rng, c, c.N, c.T, c.D), _tanh_state(rng, c, c.N, c.H),
            _normal(rng, c.N, c.H, scale=c.scale), *_rnn_weights(rng, c, gates=4))


def make_lstm_cell_backward(rng, c):
    return (_normal(rng, c.N, c.H), _normal(rng, c.N, c.H), *make_lstm_cell_forward(rng, c))


def make_lstm_backward(rng, c):
    return (_normal(rng, c.N, c.T, c.H), *make_lstm_forward(rng, c))


def make_reverse_sequences(rng, c):
    return (_normal(rng, c.N, c.T, c.D), _lengths(rng, c))


def make_bilstm_forward(rng, c):
    x = _x(rng, c, c.N, c.T, c.D)
    return (x, _lengths(rng, c), _rnn_weights(rng, c, gates=4), _rnn_weights(rng, c, gates=4))


def make_gru_cell_forward(rng, c):
    return (_x(rng, c, c.N, c.D), _tanh_state(rng, c, c.N, c.H), *_rnn_weights(rng, c, gates=3),
            _normal(rng, 3 * c.H, scale=0.5 * c.scale))


def make_gru_forward(rng, c):
    return (_x(rng, c, c.N, c.T, c.D), _tanh_state(rng, c, c.N, c.H),
            *_rnn_weights(rng, c, gates=3), _normal(rng, 3 * c.H, scale=0.5 * c.scale))


# 6 · language_model: K is the vocabulary size V.


def _ids(rng, c):
    """Ids in 0..V-1 with at least one repeat (when N*T > 1), so gradients must add up."""
    ids = rng.integers(0, c.K, size=(c.N, c.T))
    ids.flat[-1] = ids.flat[0]
    return ids.astype(np.int64)


def _mask(rng, c):
    """Padding-like masks: each row true up to its length; with N > 2 one row is all
    false (a sequence with nothing to predict), and never the whole batch."""
    lengths = _lengths(rng, c)
    mask = np.arange(c.T)[None, :] < lengths[:, None]
    if c.N > 2:
        mask[int(np.argmin(lengths))] = False
    return mask


def _lm_params(rng, c):
    s = c.scale
    return {"E": _normal(rng, c.K, c.D),
            "W_x": _normal(rng, c.H, c.D, scale=s / np.sqrt(c.D)),
            "W_h": _normal(rng, c.H, c.H, scale=s / np.sqrt(c.H)),
            "b": _normal(rng, c.H, scale=0.5 * s),
            "W_y": _normal(rng, c.K, c.H, scale=s),
            "b_y": _normal(rng, c.K, scale=0.5 * s)}


def make_embed(rng, c):
    return (_ids(rng, c), _normal(rng, c.K, c.D))


def make_embed_backward(rng, c):
    # The ids come from 0..K-1 and V = K + 1: the last row of dE gets no gradient, and a
    # V read off the largest id falls short.
    return (_normal(rng, c.N, c.T, c.D), _ids(rng, c), c.K + 1)


def make_output_backward(rng, c):
    return (_normal(rng, c.N, c.T, c.K), _tanh_state(rng, c, c.N, c.T, c.H),
            _normal(rng, c.K, c.H, scale=c.scale))


def make_masked_cross_entropy(rng, c):
    logits = _normal(rng, c.N, c.T, c.K, scale=3.0 * c.scale ** 3)
    return (logits, rng.integers(0, c.K, size=(c.N, c.T)).astype(np.int64), _mask(rng, c))


def make_lm_loss_and_grads(rng, c):
    params = _lm_params(rng, c)
    ids, targets = _ids(rng, c), rng.integers(0, c.K, size=(c.N, c.T)).astype(np.int64)
    return (params, ids, targets, _mask(rng, c), _tanh_state(rng, c, c.N, c.H))


def make_adam_step(rng, c):
    """A step t > 1 of a run (moments already built up), gradients whose sizes span
    1e-9 .. 1 so that eps matters for some entries; odd seeds pass their own betas and
    eps (a hard-coded default then fails)."""
    shape = (c.H, c.D) if c.seed % 2 else (c.K,)
    magnitude = 10.0 ** rng.uniform(-9, 0, size=shape)
    grad = magnitude * rng.standard_normal(shape)
    m = 0.5 * magnitude * rng.standard_normal(shape)
    v = (magnitude * rng.standard_normal(shape)) ** 2
    t = 1 + c.seed % 7
    args = (_normal(rng, *shape), grad, m, v, t, 0.01 * c.scale)
    return args + ((0.8, 0.99, 1e-6) if c.seed % 2 else ())


def make_sample(rng, c):
    temperature = (0.5, 1.0, 2.0)[c.seed % 3]
    return (_lm_params(rng, c), _tanh_state(rng, c, c.H), int(rng.integers(0, c.K)), c.T,
            temperature, rng.uniform(size=c.T))
