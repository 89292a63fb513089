"""NumPy reference implementations of every graded exercise function.

``FUNCTIONS`` maps each assignment (chapter notebook name) to its graded
functions, in the order of the course specification (`autograder.contract`).
"""
from autograder.contract import ASSIGNMENTS

from .bidirectional import bilstm_forward, reverse_sequences
from .bptt import (
    numerical_gradient,
    rnn_backward,
    rnn_cell_backward,
    softmax_cross_entropy,
)
from .lstm import (
    lstm_backward,
    lstm_cell_backward,
    lstm_cell_forward,
    lstm_forward,
    sigmoid,
)
from .recurrence import (
    feedforward_sequence,
    many_to_one,
    rnn_cell_forward,
    rnn_forward,
    rnn_output,
    softmax,
)
from .vanishing_gradients import clip_by_global_norm, gradient_norms, tanh_jacobian

# The graded functions per assignment, as the course contract lists them.
FUNCTIONS = ASSIGNMENTS

__all__ = [
    "FUNCTIONS",
    "bilstm_forward",
    "clip_by_global_norm",
    "feedforward_sequence",
    "gradient_norms",
    "lstm_backward",
    "lstm_cell_backward",
    "lstm_cell_forward",
    "lstm_forward",
    "many_to_one",
    "numerical_gradient",
    "reverse_sequences",
    "rnn_backward",
    "rnn_cell_backward",
    "rnn_cell_forward",
    "rnn_forward",
    "rnn_output",
    "sigmoid",
    "softmax",
    "softmax_cross_entropy",
    "tanh_jacobian",
]
