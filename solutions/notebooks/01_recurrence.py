# %% [markdown]
# # Exercise 1 · Feedforward vs recurrent networks
#
# In this notebook you write, in NumPy, the forward pass of a feedforward layer applied
# step by step, of a vanilla RNN cell and of a whole RNN, with the softmax output of
# many-to-many and many-to-one models. The notation is the book's (chapter 1):
#
# $$h_t = \tanh(x_t W_x^\top + h_{t-1} W_h^\top + b), \qquad y_t = \mathrm{softmax}(h_t W_y^\top + b_y)$$
#
# **Conventions.** Batches come first: a sequence batch `x` has shape `(N, T, D)`, a hidden
# state `(N, H)`. Weights have the shapes of the math, as PyTorch stores them: `W_x` is
# `(H, D)`, `W_h` is `(H, H)`, `W_y` is `(K, H)`, so the code computes `x_t @ W_x.T`.
# Functions are pure: return new arrays, never modify an input.
#
# **How to work.** Replace each `raise NotImplementedError(...)` line with your code, then run the
# test cell below it. A failing test tells you which output, which index, the expected
# and the obtained value, and a likely cause. When all tests pass, run
# *Kernel → Restart & Run All* once before you submit. Your instructor's grader runs more
# tests than you see here (other shapes and seeds, N = T = H = 1, saturated inputs).

# %%
import numpy as np

# %% helpers=true

# %% [markdown]
# ## 1. A feedforward layer sees one step at a time
#
# Apply the same layer to every time step on its own, with no state carried between
# steps: the output at step $t$ is $\tanh(x_t W^\top + b)$.
#
# `feedforward_sequence(x, W, b)`: `x` is `(N, T, D)`, `W` is `(H, D)`, `b` is `(H,)`;
# return an array of shape `(N, T, H)`.

# %% answer="feedforward_sequence"

# %% tests="feedforward_sequence"
# A small case; the expected values were computed with PyTorch.
#: case feedforward_sequence N=2 T=3 D=4 H=3 seed=101
before = inputs_snapshot(x, W, b)
hs = feedforward_sequence(x, W, b)
expect_array("feedforward_sequence(x, W, b)", hs, expected_hs,
             hint="the layer is tanh(x_t @ W.T + b) at every step; check the transpose "
                  "of W and that b is added before the tanh.")
expect_unchanged("feedforward_sequence", before[0], x)

# %% [markdown]
# ## 2. One step of a recurrent cell
#
# $$h_t = \tanh(x_t W_x^\top + h_{t-1} W_h^\top + b)$$
#
# `rnn_cell_forward(x_t, h_prev, W_x, W_h, b)`: `x_t` is `(N, D)`, `h_prev` is `(N, H)`;
# return `h_t` of shape `(N, H)`.

# %% answer="rnn_cell_forward"

# %% tests="rnn_cell_forward"
#: case rnn_cell_forward N=2 D=3 H=4 seed=102
before = inputs_snapshot(x_t, h_prev)
h_t = rnn_cell_forward(x_t, h_prev, W_x, W_h, b)
expect_array("h_t", h_t, expected_h_t,
             hint="h_t = tanh(x_t @ W_x.T + h_prev @ W_h.T + b); did you forget the "
                  "previous state, the bias or a transpose?")
expect_unchanged("rnn_cell_forward (x_t)", before[0], x_t)
expect_unchanged("rnn_cell_forward (h_prev)", before[1], h_prev)

# %% [markdown]
# ## 3. Unrolling the cell over a sequence
#
# Start from `h0` and apply the **same** cell (the same weights) at every step.
#
# `rnn_forward(x, h0, W_x, W_h, b)`: `x` is `(N, T, D)`, `h0` is `(N, H)`; return `hs`
# of shape `(N, T, H)` holding $h_1, \dots, h_T$ (not $h_0$).

# %% answer="rnn_forward"

# %% tests="rnn_forward"
#: case rnn_forward N=2 T=4 D=3 H=2 seed=103
hs = rnn_forward(x, h0, W_x, W_h, b)
expect_array("hs", hs, expected_hs,
             hint="each step must use the state of the step before, starting from h0; "
                  "hs[:, t] is the state after reading x[:, t] (h0 is not included).")

# %% [markdown]
# ## 4. A softmax that does not overflow
#
# $\mathrm{softmax}(z)_k = e^{z_k} / \sum_j e^{z_j}$ along the **last** axis. Subtracting the
# maximum of each row first changes nothing mathematically and keeps `np.exp` finite.

# %% answer="softmax"

# %% tests="softmax"
#: case softmax N=2 T=2 K=3 seed=104
p = softmax(z)
expect_array("softmax(z)", p, expected_probabilities,
             hint="normalise along the last axis (axis=-1, keepdims=True).")
big = softmax(np.array([[1000.0, 1001.0, 999.0]]))
expect_array("softmax of logits near 1000", big, np.array([[0.24472847, 0.66524096, 0.09003057]]),
             hint="np.exp(1000) overflows: subtract the row maximum first.")

# %% [markdown]
# ## 5. Many-to-many outputs
#
# At every step, $y_t = \mathrm{softmax}(h_t W_y^\top + b_y)$.
#
# `rnn_output(hs, W_y, b_y)`: `hs` is `(N, T, H)`, `W_y` is `(K, H)`, `b_y` is `(K,)`;
# return probabilities of shape `(N, T, K)`. You may call your `softmax`.

# %% answer="rnn_output"

# %% tests="rnn_output"
#: case rnn_output N=2 T=3 H=4 K=3 seed=105
probabilities = rnn_output(hs, W_y, b_y)
expect_array("rnn_output(hs, W_y, b_y)", probabilities, expected_probabilities,
             hint="logits are hs @ W_y.T + b_y, then a softmax over the K classes.")

# %% [markdown]
# ## 6. Many-to-one: one answer per sequence
#
# A sentiment or spam classifier reads the whole sequence and answers once, from the
# last hidden state: return $\mathrm{softmax}(h_T W_y^\top + b_y)$ of shape `(N, K)`.
# You may call your `rnn_forward` and `softmax`.

# %% answer="many_to_one"

# %% tests="many_to_one"
#: case many_to_one N=3 T=4 D=2 H=3 K=2 seed=106
probabilities = many_to_one(x, h0, W_x, W_h, b, W_y, b_y)
expect_array("many_to_one(...)", probabilities, expected_probabilities,
             hint="use the LAST hidden state hs[:, -1], not the first or the mean.")

# %% [markdown]
# ## Before you submit
#
# Run *Kernel → Restart & Run All*. Every test cell above should finish without an
# error. Then save the notebook and submit `01_recurrence.ipynb` as your instructor asks.
