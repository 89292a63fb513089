# %% [markdown]
# # Exercise 5 · Bidirectional LSTMs
#
# In this notebook you build, in NumPy, a bidirectional LSTM over a padded batch of
# sequences of different lengths: a forward LSTM reads each sequence from left to right,
# a backward LSTM reads it from right to left, and their hidden states are concatenated
# step by step. The notation is the book's (chapter 5): with $\overrightarrow{h}_t$ the
# forward state and $\overleftarrow{h}_t$ the backward state at step $t$ of sequence $n$,
# whose length is $\ell_n$ (`lengths[n]`),
#
# $$\overrightarrow{h}_t = \mathrm{LSTM}_{\rightarrow}(x_t, \overrightarrow{h}_{t-1}),
#   \qquad \overleftarrow{h}_t = \mathrm{LSTM}_{\leftarrow}(x_t, \overleftarrow{h}_{t+1}),
#   \qquad \text{output}_t = [\overrightarrow{h}_t, \overleftarrow{h}_t],$$
#
# for $t = 1, \dots, \ell_n$, both directions starting from zero states
# ($\overrightarrow{h}_0 = \overleftarrow{h}_{\ell_n + 1} = 0$, and the same for the cell
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
# **How to work.** Paste your chapter-4 functions in the first answer cell. Then replace
# each `raise NotImplementedError(...)` line with your code and run the test cell below it. A
# failing test tells you which output, which index, the expected and the obtained value,
# and a likely cause. When all tests pass, run *Kernel → Restart & Run All* once before
# you submit. Your instructor's grader runs more tests than you see here (other shapes,
# seeds and lengths, N = T = H = 1, saturated gates).

# %%
import numpy as np

# %% helpers=true

# %% [markdown]
# ## 0. Your LSTM from exercise 4
#
# `bilstm_forward` runs two LSTMs. Paste your `sigmoid`, `lstm_cell_forward` and
# `lstm_forward` from exercise 4 (`04_lstm.ipynb`) in the cell below, as they passed
# their tests there. They are not graded again here.

# %% answer="chapter4_lstm" functions="sigmoid,lstm_cell_forward,lstm_forward"
# Paste your chapter-4 `sigmoid`, `lstm_cell_forward` and `lstm_forward` here
# (replace the two lines below); `bilstm_forward` calls `lstm_forward`.

# %% [markdown]
# ## 1. Reversing each sequence within its own length
#
# To read a padded sequence backwards, reverse only its valid steps and leave the
# padding where it is. In code indices (from 0), with `L = lengths[n]`:
#
# $$\texttt{out}[n, t] = \texttt{x}[n, L - 1 - t] \ \text{ for } t < L, \qquad
#   \texttt{out}[n, t] = \texttt{x}[n, t] \ \text{ for } t \ge L.$$
#
# For a row `[a, b, c, pad]` of length 3 that gives `[c, b, a, pad]`, not
# `[pad, c, b, a]`. Applying the function twice gives the batch back.
#
# `reverse_sequences(x, lengths)`: `x` is `(N, T, ...)` (any number of trailing axes),
# `lengths` an integer array `(N,)`; return a new array shaped like `x`.

# %% answer="reverse_sequences"

# %% tests="reverse_sequences"
# By hand: two rows of length 4 and 2 (one feature per step; 7 and 8 are padding).
x_hand = np.array([[1.0, 2.0, 3.0, 4.0],
                   [5.0, 6.0, 7.0, 8.0]])[:, :, None]
out = reverse_sequences(x_hand, np.array([4, 2]))
expect_array("reverse_sequences(x_hand, [4, 2])[..., 0]", np.asarray(out)[..., 0],
             np.array([[4.0, 3.0, 2.0, 1.0],
                       [6.0, 5.0, 7.0, 8.0]]),
             hint="reverse only the first lengths[n] steps; padding stays where it was.")

# A random case with uneven lengths; the expected values were computed with PyTorch.
#: case reverse_sequences N=3 T=4 D=2 seed=515
before = inputs_snapshot(x, lengths)
out = reverse_sequences(x, lengths)
expect_array("reverse_sequences(x, lengths)", out, expected_reversed,
             hint="reverse only the first lengths[n] steps; padding stays where it was.")
expect_unchanged("reverse_sequences (x)", before[0], x)
expect_unchanged("reverse_sequences (lengths)", before[1], lengths)
expect_array("reverse_sequences applied twice", reverse_sequences(out, lengths), x,
             hint="reversing twice must give x back; write into a new array (x.copy()), "
                  "not into x itself while reading from it.")

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
# 3. `outputs[n, t] = [forward h_t, backward h_t]` for `t < lengths[n]`, and **zeros** at
#    the padded steps;
# 4. `final[n] = [forward h at step lengths[n] - 1, backward h at step 0]` (code indices): each
#    direction's state after it has read the whole sequence.
#
# `bilstm_forward(x, lengths, fwd, bwd)`: `x` is `(N, T, D)`, `lengths` `(N,)`, `fwd` and
# `bwd` are tuples `(W_x, W_h, b)`; return `(outputs, final)` of shapes `(N, T, 2H)` and
# `(N, 2H)`. You may call your `lstm_forward` and `reverse_sequences`.

# %% answer="bilstm_forward"

# %% tests="bilstm_forward"
# Three sequences of different lengths, D = 3 and H = 2; the expected values are
# torch.nn.LSTM(bidirectional=True) on the packed batch.
#: case bilstm_forward N=3 T=4 D=3 H=2 seed=534
before = inputs_snapshot(x, lengths, *fwd, *bwd)
outputs, final = expect_values("bilstm_forward(x, lengths, fwd, bwd)",
                               bilstm_forward(x, lengths, fwd, bwd), 2)
if np.shape(outputs) != expected_outputs.shape:
    raise AssertionError(f"outputs has shape {np.shape(outputs)}, expected "
                         f"{expected_outputs.shape} = (N, T, 2H): the forward and the "
                         "backward state side by side at every step.")
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
    raise AssertionError(f"final has shape {np.shape(final)}, expected "
                         f"{expected_final.shape} = (N, 2H).")
expect_array("final[:, :H] (forward direction)", final[:, :2], expected_final[:, :2],
             hint="the final forward state is at step lengths[n]-1, not T-1.")
expect_array("final[:, H:] (backward direction)", final[:, 2:], expected_final[:, 2:],
             hint="the backward LSTM finishes at step 0: its final state is the backward "
                  "state at t = 0, not at t = lengths[n]-1.")
for name, old, new in zip(["x", "lengths", "fwd[0]", "fwd[1]", "fwd[2]", "bwd[0]", "bwd[1]",
                           "bwd[2]"], before, [x, lengths, *fwd, *bwd]):
    expect_unchanged(f"bilstm_forward ({name})", old, new)

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

# %% [markdown]
# ## Before you submit
#
# Run *Kernel → Restart & Run All*. Every test cell above should finish without an
# error. Then save the notebook and submit `05_bidirectional.ipynb` as your instructor
# asks.
