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
