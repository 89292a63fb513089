"""Every graded function of the course, in the order of the course specification.

A graded function is one nbgrader answer cell whose grade id is its name,
followed by two graded test cells: `test_<name>` (the visible tests and the
main hidden suite) and `test_<name>_edge` (the edge suite). `deps` are the
earlier functions it may call: while its tests run they are the reference
versions, so a wrong earlier answer never costs a later function.
"""

from dataclasses import dataclass

from . import inputs
from .cases import Suite

# Where the build records what a cell is for, in the source notebook's cell
# metadata (the instructor's copy, never the student's upload).
METADATA_KEY = "rnn_course"
# The module the hidden tests import; the sandbox serves its own stand-in.
HIDDEN_TESTS_MODULE = "autograder.grading.hidden_tests"
# What a student finds in place of each answer (nbgrader's ClearSolutions.code_stub): the
# release writes it and the grader's gradebook registers it; the message is what a test
# shows until the function is written.
ANSWER_STUB = ('# YOUR CODE HERE\n'
               'raise NotImplementedError("not written yet: replace this line with your code")')
# How close an answer must be to the reference (numpy.isclose), unless a function says
# otherwise; the visible tests use the same (the build writes these values into them).
RTOL = 1e-6
ATOL = 1e-8
MAIN_POINTS = 2
EDGE_POINTS = 1


@dataclass(frozen=True)
class TestCell:
    grade_id: str
    suite: Suite
    points: int


@dataclass(frozen=True)
class GradedFunction:
    name: str
    assignment: str
    outputs: tuple
    deps: tuple = ()
    rtol: float = RTOL
    atol: float = ATOL
    no_warnings: bool = False  # e.g. sigmoid must not overflow for |z| up to 1000

    @property
    def make(self):
        """The hidden tests' input maker: (rng, case) -> positional arguments."""
        return getattr(inputs, f"make_{self.name}")

    @property
    def test_cells(self):
        return (TestCell(f"test_{self.name}", Suite.MAIN, MAIN_POINTS),
                TestCell(f"test_{self.name}_edge", Suite.EDGE, EDGE_POINTS))

    @property
    def max_score(self):
        return sum(cell.points for cell in self.test_cells)


_LSTM = ("sigmoid", "lstm_cell_forward")
# What one pass of the language model may call: this chapter's pieces and the
# vanilla RNN and losses of chapters 1 and 2 (a student may paste their own).
_LM = ("embed", "embed_backward", "output_backward", "masked_cross_entropy", "softmax",
       "softmax_cross_entropy", "rnn_cell_forward", "rnn_forward", "rnn_cell_backward",
       "rnn_backward")


def _assignment(name, *functions):
    return [GradedFunction(f[0], name, *f[1:]) if isinstance(f, tuple) else f
            for f in functions]


_ALL = [
    *_assignment(
        "01_recurrence",
        ("feedforward_sequence", ("hs",)),
        ("rnn_cell_forward", ("h_t",)),
        ("rnn_forward", ("hs",), ("rnn_cell_forward",)),
        ("softmax", ("probabilities",)),
        ("rnn_output", ("probabilities",), ("softmax",)),
        ("many_to_one", ("probabilities",),
         ("rnn_cell_forward", "rnn_forward", "softmax", "rnn_output")),
    ),
    *_assignment(
        "02_bptt",
        ("softmax_cross_entropy", ("loss", "dlogits")),
        ("rnn_cell_backward", ("dx_t", "dh_prev", "dW_x", "dW_h", "db")),
        ("rnn_backward", ("dx", "dh0", "dW_x", "dW_h", "db"), ("rnn_cell_backward",)),
        ("numerical_gradient", ("gradient",)),
    ),
    *_assignment(
        "03_vanishing_gradients",
        ("tanh_jacobian", ("jacobian",)),
        ("gradient_norms", ("norms",), ("tanh_jacobian",)),
        ("clip_by_global_norm", ("clipped", "total_norm")),
    ),
    *_assignment(
        "04_lstm",
        GradedFunction("sigmoid", "04_lstm", ("s",), no_warnings=True),
        ("lstm_cell_forward", ("h_t", "c_t"), ("sigmoid",)),
        ("lstm_forward", ("hs", "cs"), _LSTM),
        ("lstm_cell_backward", ("dx_t", "dh_prev", "dc_prev", "dW_x", "dW_h", "db"), _LSTM),
        ("lstm_backward", ("dx", "dh0", "dc0", "dW_x", "dW_h", "db"),
         (*_LSTM, "lstm_forward", "lstm_cell_backward")),
        ("gru_cell_forward", ("h_t",), ("sigmoid",)),
        ("gru_forward", ("hs",), ("sigmoid", "gru_cell_forward")),
    ),
    *_assignment(
        "05_bidirectional",
        ("reverse_sequences", ("reversed",)),
        ("bilstm_forward", ("outputs", "final"), (*_LSTM, "lstm_forward", "reverse_sequences")),
    ),
    *_assignment(
        "06_language_model",
        ("embed", ("x",)),
        ("embed_backward", ("dE",)),
        ("output_backward", ("dhs", "dW_y", "db_y")),
        ("masked_cross_entropy", ("loss", "dlogits"), ("softmax", "softmax_cross_entropy")),
        ("lm_loss_and_grads", ("loss", "grads", "h_last"), _LM),
        # atol: the second moments of tiny gradients are ~1e-18; compare them relatively.
        GradedFunction("adam_step", "06_language_model", ("param", "m", "v"), atol=1e-30),
        ("sample", ("ids",), ("softmax", "rnn_cell_forward", "embed")),
    ),
]

GRADED = {f.name: f for f in _ALL}
ASSIGNMENTS: dict[str, tuple[str, ...]] = {}
for _f in _ALL:
    ASSIGNMENTS[_f.assignment] = (*ASSIGNMENTS.get(_f.assignment, ()), _f.name)


def assignment_of(name):
    return GRADED[name].assignment
