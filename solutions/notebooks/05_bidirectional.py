# %% [markdown]
# # Exercise 5 · Bidirectional LSTMs
#
# In this notebook you build, in NumPy, a bidirectional LSTM over a padded batch of
# sequences of different lengths: a forward LSTM reads each sequence from left to right,
# a backward LSTM reads it from right to left, and their hidden states are concatenated
# step by step. The notation is the book's (chapter 5): with $\overset{\rightarrow}{h}_t$ the
# forward state and $\overset{\leftarrow}{h}_t$ the backward state at step $t$ of sequence $n$,
# whose length is $\ell_n$ (`lengths[n]`),
#
# $$\overset{\rightarrow}{h}_t = \mathrm{LSTM}_{\rightarrow}(x_t, \overset{\rightarrow}{h}_{t-1}),
#   \qquad \overset{\leftarrow}{h}_t = \mathrm{LSTM}_{\leftarrow}(x_t, \overset{\leftarrow}{h}_{t+1}),
#   \qquad \overset{\leftrightarrow}{h}_t = [\overset{\rightarrow}{h}_t, \overset{\leftarrow}{h}_t],$$
#
# for $t = 1, \dots, \ell_n$, both directions starting from zero states
# ($\overset{\rightarrow}{h}_0 = \overset{\leftarrow}{h}_{\ell_n + 1} = 0$, and the same for the cell
# states). As everywhere in the course, steps are numbered from 1 in the equations and
# from 0 in the code: step $t$ is `x[:, t - 1]`. Each LSTM is the one of exercise 4,
# with its own weights stacked in the gate order **i, f, g, o**: `W_x` is `(4H, D)`,
# `W_h` is `(4H, H)`, `b` is `(4H,)`.
#
# **Padded batches.** Sequences of different lengths share one array `x` of shape
# `(N, T, D)`: row `n` holds a sequence of length `lengths[n]` (between 1 and `T`) in its
# first `lengths[n]` steps, followed by padding. The padding must never influence a
# result. This gives the same results as `torch.nn.LSTM(bidirectional=True)` on a packed
# batch (`pack_padded_sequence`).
#
# **Conventions.** Batches come first; functions are pure: return new arrays, never
# modify an input.
#
# **How to work.** Under each function's heading, replace the line
# `raise NotImplementedError(...)` that follows `# YOUR CODE HERE` with your code, then run
# the test cell below it. A failing test tells you which output, which index, the expected
# and the obtained value, and a likely cause. When all tests pass, restart the kernel and
# run every cell once before you submit (*Kernel → Restart Kernel and Run All Cells* in
# JupyterLab, *Kernel → Restart & Run All* in the classic notebook). Your instructor's
# grader runs more tests than you see here (other shapes and seeds, saturated inputs).
#
# **In your browser** (a chapter's *Open in your browser* button), this notebook is kept in
# the browser's storage for the course site only: clearing the browser's data for the site
# deletes your work. *File → Download* saves the notebook and downloads it: keep that file,
# and submit it.

# %%
import numpy as np

# %% helpers=true

# %% [markdown]
# ## 0. An LSTM to build on (provided)
#
# `bilstm_forward` runs two LSTMs. So that this notebook does not depend on your exercise 4,
# the cell below provides `lstm_states`, an LSTM forward pass from zero initial states (it
# is not graded, and you do not need to change it). It computes what your `lstm_forward`
# of exercise 4 computes for `h0 = c0 = 0`, returning the hidden states only.

# %%
# Provided (not graded): an LSTM over whole sequences, from zero initial states.
def lstm_states(x, W_x, W_h, b):
    """Hidden states of an LSTM (gate order i, f, g, o): hs[:, t-1] is h_t, shape (N, T, H)."""
    H = W_h.shape[1]
    h_t = c_t = np.zeros((x.shape[0], H))
    states = []
    for x_t in np.moveaxis(x, 1, 0):      # x_t is x[:, t-1], of shape (N, D)
        a_t = x_t @ W_x.T + h_t @ W_h.T + b
        # 1 / (1 + exp(-a)) written with tanh, which never overflows.
        i_t, f_t, o_t = (0.5 + 0.5 * np.tanh(0.5 * a_t[:, k * H:(k + 1) * H]) for k in (0, 1, 3))
        g_t = np.tanh(a_t[:, 2 * H:3 * H])
        c_t = f_t * c_t + i_t * g_t
        h_t = o_t * np.tanh(c_t)
        states.append(h_t)
    return np.stack(states, axis=1)


# %% [markdown]
# ## 1. Reversing each sequence within its own length
#
# To read a padded sequence backwards, reverse only its valid steps and leave the
# padding where it is. In the math, step $t$ of the reversed sequence $n$ holds step
# $\ell_n + 1 - t$ of the original for $t \le \ell_n$; in code indices (from 0), with
# `l = lengths[n]`:
#
# $$\texttt{out}[n, t] = \texttt{x}[n, l - 1 - t] \ \text{ for } t < l, \qquad
#   \texttt{out}[n, t] = \texttt{x}[n, t] \ \text{ for } t \ge l.$$
#
# For a row `[a, b, c, pad]` of length 3 that gives `[c, b, a, pad]`, not
# `[pad, c, b, a]`. Applying the function twice gives the batch back.
#
# `reverse_sequences(x, lengths)`: `x` is `(N, T)` or `(N, T, ...)` with any number of
# trailing axes (token ids, or feature vectors), `lengths` an integer array `(N,)`; return a
# new array shaped like `x`.

# %% answer="reverse_sequences"

# %% tests="reverse_sequences"
begin_tests("reverse_sequences")
# By hand, on token ids of shape (N, T): two rows of length 4 and 2 (7 and 8 are padding).
ids = np.array([[1, 2, 3, 4],
                [5, 6, 7, 8]])
before = inputs_snapshot(x=ids)
expect_array("reverse_sequences(ids, [4, 2]) on an (N, T) array",
             call(reverse_sequences, ids, np.array([4, 2]),
                  hint="x may have no feature axis at all: index x[n, :l], which selects "
                       "every trailing axis there is, not x[n, :l, :]."),
             np.array([[4, 3, 2, 1], [6, 5, 7, 8]]),
             hint="reverse only the first lengths[n] steps of row n; padding stays where it "
                  "was; x may have no feature axis at all (index x[n, :l], not x[n, :l, :]).")
expect_unchanged("reverse_sequences", before)

# A random case with uneven lengths, shape (N, T, D); the expected values were computed with
# PyTorch.
#: case reverse_sequences N=3 T=4 D=2 seed=515
before = inputs_snapshot(x=x, lengths=lengths)
out = call(reverse_sequences, x, lengths)
expect_array("reverse_sequences(x, lengths)", out, expected_reversed,
             hint="reverse only the first lengths[n] steps; padding stays where it was.")
expect_unchanged("reverse_sequences", before)
expect_array("reverse_sequences applied twice", call(reverse_sequences, out, lengths), x,
             hint="reversing twice must give x back; write into a new array (x.copy()), "
                  "not into x itself while reading from it.")

# By hand, two trailing axes: x of shape (N, T, 2, 2), where x[n, t] is a 2 x 2 block that
# must move as a whole.
x4 = np.arange(2 * 3 * 4, dtype=float).reshape(2, 3, 2, 2)
expect_array("reverse_sequences on an (N, T, 2, 2) array, lengths [3, 2]",
             call(reverse_sequences, x4, np.array([3, 2])),
             x4[[[0, 0, 0], [1, 1, 1]], [[2, 1, 0], [1, 0, 2]]],
             hint="move each step x[n, t] as a whole, whatever its trailing shape (x[n, :l] "
                  "selects every trailing axis).")

# The edge sizes: N = T = 1, and rows of length 1 (nothing to reverse).
expect_array("reverse_sequences with N = T = 1", reverse_sequences(np.array([[[2.5]]]),
                                                                   np.array([1])),
             np.array([[[2.5]]]), hint="a sequence of length 1 is its own reverse.")
expect_array("reverse_sequences with lengths [1, 1]",
             reverse_sequences(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1, 1])),
             np.array([[1.0, 2.0], [3.0, 4.0]]),
             hint="a sequence of length 1 is its own reverse and its padding stays in place.")
tests_passed("reverse_sequences")

# %% [markdown]
# ## 2. A bidirectional LSTM over a padded batch
#
# With zero initial states for both directions:
#
# 1. run the **forward** LSTM (weights `fwd`) over `x`; padding comes after the valid
#    steps, so it cannot change them;
# 2. run the **backward** LSTM (weights `bwd`) over `reverse_sequences(x, lengths)`, then
#    reverse its hidden states back with `reverse_sequences`, so that the state at
#    position `t` belongs to step `t`;
# 3. $\overset{\leftrightarrow}{h}_t = [\overset{\rightarrow}{h}_t, \overset{\leftarrow}{h}_t]$ for
#    $t \le \ell_n$, stored in `outputs[n, t-1]`, and **zeros** at the padded steps;
# 4. `final[n]` $= [\overset{\rightarrow}{h}_{\ell_n}, \overset{\leftarrow}{h}_1]$: each direction's
#    state after it has read the whole sequence, at code positions `lengths[n] - 1` (forward)
#    and `0` (backward).
#
# `bilstm_forward(x, lengths, fwd, bwd)`: `x` is `(N, T, D)`, `lengths` `(N,)`, `fwd` and
# `bwd` are tuples `(W_x, W_h, b)`; return `(outputs, final)` of shapes `(N, T, 2H)` and
# `(N, 2H)`. You may call the provided `lstm_states` and your `reverse_sequences`.

# %% answer="bilstm_forward"

# %% tests="bilstm_forward"
begin_tests("bilstm_forward", relies_on=["reverse_sequences"])
# Three sequences of different lengths, D = 3 and H = 2; the expected values are
# torch.nn.LSTM(bidirectional=True) on the packed batch.
#: case bilstm_forward N=3 T=4 D=3 H=2 seed=534
before = inputs_snapshot(x=x, lengths=lengths, fwd=fwd, bwd=bwd)
outputs, final = expect_values("bilstm_forward(x, lengths, fwd, bwd)",
                               bilstm_forward(x, lengths, fwd, bwd), 2)
if np.shape(outputs) != expected_outputs.shape:
    fail(f"outputs has shape {np.shape(outputs)}, expected {expected_outputs.shape} = "
         "(N, T, 2H).", "the forward and the backward states go side by side at every "
         "step: concatenate them along the LAST axis.")
for n, L in enumerate(lengths):
    expect_array(f"outputs[{n}, {L}:] (padded steps of sequence {n})", outputs[n, L:],
                 expected_outputs[n, L:], hint="padded steps of outputs must be zero.")
expect_array("outputs[:, :, :H] (forward direction)", outputs[:, :, :2],
             expected_outputs[:, :, :2],
             hint="the forward LSTM reads x from left to right from zero states, and its "
                  "states come FIRST in each output row.")
expect_array("outputs[:, :, H:] (backward direction)", outputs[:, :, 2:],
             expected_outputs[:, :, 2:],
             hint="the backward LSTM reads each sequence reversed within its own length, "
                  "and its states must be reversed back so that outputs[n, t, H:] belongs "
                  "to step t.")
if np.shape(final) != expected_final.shape:
    fail(f"final has shape {np.shape(final)}, expected {expected_final.shape} = (N, 2H).",
         "one row per sequence: [forward state at its last valid step, backward state at "
         "its first step].")
expect_array("final[:, :H] (forward direction)", final[:, :2], expected_final[:, :2],
             hint="the final forward state is at step lengths[n]-1, not T-1.")
expect_array("final[:, H:] (backward direction)", final[:, 2:], expected_final[:, 2:],
             hint="the backward LSTM finishes at step 0: its final state is the backward "
                  "state at t = 0, not at t = lengths[n]-1.")
expect_unchanged("bilstm_forward", before)

# Whatever the padding holds, the results are the same.
x_noisy = x.copy()
for n, L in enumerate(lengths):
    x_noisy[n, L:] = 100.0
outputs_noisy, final_noisy = bilstm_forward(x_noisy, lengths, fwd, bwd)
expect_array("outputs with the padding filled with 100", outputs_noisy, expected_outputs,
             hint="the padding must not influence anything: the backward LSTM must start "
                  "at step lengths[n]-1 (reverse within the length), not at T-1.")
expect_array("final with the padding filled with 100", final_noisy, expected_final,
             hint="the padding must not influence the final states.")

# The edge sizes: one sequence of one step, one feature, one unit.
#: case bilstm_forward N=1 T=1 D=1 H=1 seed=535
outputs_1, final_1 = expect_values("bilstm_forward(...) with N = T = D = H = 1",
                                   bilstm_forward(x, lengths, fwd, bwd), 2)
EDGE = ("with N = T = D = H = 1 every axis has one entry: keep every axis (no np.squeeze, "
        "no .item(), no indexing that drops the batch or the time axis).")
expect_array("outputs with N = T = D = H = 1", outputs_1, expected_outputs, hint=EDGE)
expect_array("final with N = T = D = H = 1", final_1, expected_final, hint=EDGE)
tests_passed("bilstm_forward")

# %% [markdown]
# ## Before you submit
#
# Restart the kernel and run every cell (*Kernel → Restart Kernel and Run All Cells*;
# *Kernel → Restart & Run All* in the classic notebook). Every test cell above should
# finish without an error. Then save the notebook and submit `05_bidirectional.ipynb` as your instructor
# asks.
