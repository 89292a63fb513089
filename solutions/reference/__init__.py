"""NumPy reference implementations of every graded exercise function (the graded
functions per assignment are the contract's, `autograder.contract.ASSIGNMENTS`)."""

from .bidirectional import bilstm_forward, reverse_sequences
from .bptt import (
    numerical_gradient,
    rnn_backward,
    rnn_cell_backward,
    softmax_cross_entropy,
)
from .language_model import (
    adam_step,
    embed,
    embed_backward,
    lm_loss_and_grads,
    masked_cross_entropy,
    output_backward,
    sample,
)
from .lstm import (
    gru_cell_forward,
    gru_forward,
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

# Ungraded code a notebook provides in a locked cell, which its answers may call.
PROVIDED = {"05_bidirectional": ("lstm_states",)}

__all__ = [
    "adam_step",
    "bilstm_forward",
    "clip_by_global_norm",
    "embed",
    "embed_backward",
    "feedforward_sequence",
    "gradient_norms",
    "gru_cell_forward",
    "gru_forward",
    "lm_loss_and_grads",
    "lstm_backward",
    "lstm_cell_backward",
    "lstm_cell_forward",
    "lstm_forward",
    "many_to_one",
    "masked_cross_entropy",
    "numerical_gradient",
    "output_backward",
    "reverse_sequences",
    "rnn_backward",
    "rnn_cell_backward",
    "rnn_cell_forward",
    "rnn_forward",
    "rnn_output",
    "sample",
    "sigmoid",
    "softmax",
    "softmax_cross_entropy",
    "tanh_jacobian",
]
