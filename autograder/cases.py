"""The inputs every hidden test feeds to a student's function.

A case is fixed by a seed and a set of sizes, so grading is deterministic:
the same submission always meets the same inputs. The main suite uses
random moderate sizes with D, H and K all different (a transposed weight
then fails loudly); the edge suite holds N = T = D = H = K = 1, inputs large
enough to saturate tanh and sigmoid, and uneven sequence lengths.
"""

from dataclasses import dataclass, field

import numpy as np

from .wire import Fn


@dataclass(frozen=True)
class Case:
    label: str
    seed: int
    N: int = 3
    T: int = 4
    D: int = 5
    H: int = 2
    K: int = 6
    scale: float = 1.0


MAIN = (
    Case("a small batch", 11, N=3, T=4, D=5, H=2, K=6),
    Case("a wider batch", 12, N=4, T=3, D=2, H=6, K=3),
    Case("a longer sequence", 13, N=2, T=7, D=3, H=4, K=5, scale=0.7),
)
EDGE = (
    Case("N = T = D = H = K = 1", 21, N=1, T=1, D=1, H=1, K=1),
    Case("H = 1 over a long sequence", 22, N=2, T=6, D=3, H=1, K=2),
    Case("saturating inputs (|pre-activations| in the tens)", 23, N=3, T=3, D=4, H=3, K=4,
         scale=6.0),
)
SUITES = {"main": MAIN, "edge": EDGE}


@dataclass(frozen=True)
class Spec:
    """What a graded function takes and returns, and whom it may call."""

    make: object
    outputs: tuple
    deps: tuple = ()
    no_warnings: bool = False
    extra_edge: tuple = field(default_factory=tuple)


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
        return (Fn(name), x)
    return (Fn(name), x, 1e-3)


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


LSTM_DEPS = ("sigmoid", "lstm_cell_forward")
SPECS = {
    "feedforward_sequence": Spec(make_feedforward_sequence, ("hs",)),
    "rnn_cell_forward": Spec(make_rnn_cell_forward, ("h_t",)),
    "rnn_forward": Spec(make_rnn_forward, ("hs",), deps=("rnn_cell_forward",)),
    "softmax": Spec(make_softmax, ("probabilities",)),
    "rnn_output": Spec(make_rnn_output, ("probabilities",), deps=("softmax",)),
    "many_to_one": Spec(make_many_to_one, ("probabilities",),
                        deps=("rnn_cell_forward", "rnn_forward", "softmax", "rnn_output")),
    "softmax_cross_entropy": Spec(make_softmax_cross_entropy, ("loss", "dlogits")),
    "rnn_cell_backward": Spec(make_rnn_cell_backward, ("dx_t", "dh_prev", "dW_x", "dW_h", "db")),
    "rnn_backward": Spec(make_rnn_backward, ("dx", "dh0", "dW_x", "dW_h", "db"),
                         deps=("rnn_cell_backward",)),
    "numerical_gradient": Spec(make_numerical_gradient, ("gradient",)),
    "tanh_jacobian": Spec(make_tanh_jacobian, ("jacobian",)),
    "gradient_norms": Spec(make_gradient_norms, ("norms",), deps=("tanh_jacobian",)),
    "clip_by_global_norm": Spec(make_clip_by_global_norm, ("clipped", "total_norm")),
    "sigmoid": Spec(make_sigmoid, ("s",), no_warnings=True),
    "lstm_cell_forward": Spec(make_lstm_cell_forward, ("h_t", "c_t"), deps=("sigmoid",)),
    "lstm_forward": Spec(make_lstm_forward, ("hs", "cs"), deps=LSTM_DEPS),
    "lstm_cell_backward": Spec(make_lstm_cell_backward,
                               ("dx_t", "dh_prev", "dc_prev", "dW_x", "dW_h", "db"),
                               deps=LSTM_DEPS),
    "lstm_backward": Spec(make_lstm_backward, ("dx", "dh0", "dc0", "dW_x", "dW_h", "db"),
                          deps=(*LSTM_DEPS, "lstm_forward", "lstm_cell_backward")),
    "reverse_sequences": Spec(make_reverse_sequences, ("reversed",)),
    "bilstm_forward": Spec(make_bilstm_forward, ("outputs", "final"),
                           deps=(*LSTM_DEPS, "lstm_forward", "reverse_sequences")),
}


def cases(name, suite):
    """Yield (case, args) for function `name` in `suite` ('main' or 'edge')."""
    spec = SPECS[name]
    for case in SUITES[suite]:
        rng = np.random.default_rng(case.seed)
        yield case, spec.make(rng, case)
