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
#
# Steps are numbered from 1 in the equations and from 0 in the code: $x_t$ is `x[:, t-1]`
# and $h_t$ is `hs[:, t-1]`; $h_0$ is the initial state `h0`.

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
begin_tests("feedforward_sequence")
# A small case; the expected values were computed with PyTorch.
#: case feedforward_sequence N=2 T=3 D=4 H=3 seed=101
before = inputs_snapshot(x=x, W=W, b=b)
hs = call(feedforward_sequence, x, W, b)
expect_array("feedforward_sequence(x, W, b)", hs, expected_hs,
             hint="the layer is tanh(x_t @ W.T + b) at every step; check the transpose "
                  "of W and that b is added before the tanh.")
expect_unchanged("feedforward_sequence", before)

# The edge sizes: one sequence of one step, one feature, one unit.
#: case feedforward_sequence N=1 T=1 D=1 H=1 seed=111
expect_array("feedforward_sequence(x, W, b) with N = T = D = H = 1",
             call(feedforward_sequence, x, W, b,
                  hint="with N = T = D = H = 1 every axis has one entry, and np.squeeze "
                       "removes them all: keep every axis."),
             expected_hs, hint="with N = T = D = H = K = 1 every axis has one entry: keep every axis (no np.squeeze, no .item(), no indexing that drops the batch or the time axis).")
tests_passed("feedforward_sequence")

# %% [markdown]
# ## 2. One step of a recurrent cell
#
# $$h_t = \tanh(x_t W_x^\top + h_{t-1} W_h^\top + b)$$
#
# `rnn_cell_forward(x_t, h_prev, W_x, W_h, b)`: `x_t` is `(N, D)`, `h_prev` is `(N, H)`;
# return `h_t` of shape `(N, H)`.

# %% answer="rnn_cell_forward"

# %% tests="rnn_cell_forward"
begin_tests("rnn_cell_forward")
#: case rnn_cell_forward N=2 D=3 H=4 seed=102
before = inputs_snapshot(x_t=x_t, h_prev=h_prev, W_x=W_x, W_h=W_h, b=b)
h_t = rnn_cell_forward(x_t, h_prev, W_x, W_h, b)
expect_array("h_t", h_t, expected_h_t,
             hint="h_t = tanh(x_t @ W_x.T + h_prev @ W_h.T + b); did you forget the "
                  "previous state, the bias or a transpose?")
expect_unchanged("rnn_cell_forward", before)

# The edge sizes.
#: case rnn_cell_forward N=1 D=1 H=1 seed=112
expect_array("h_t with N = D = H = 1", rnn_cell_forward(x_t, h_prev, W_x, W_h, b),
             expected_h_t, hint="with N = T = D = H = K = 1 every axis has one entry: keep every axis (no np.squeeze, no .item(), no indexing that drops the batch or the time axis).")
tests_passed("rnn_cell_forward")

# %% [markdown]
# ## 3. Unrolling the cell over a sequence
#
# Start from `h0` and apply the **same** cell (the same weights) at every step.
#
# `rnn_forward(x, h0, W_x, W_h, b)`: `x` is `(N, T, D)`, `h0` is `(N, H)`; return `hs`
# of shape `(N, T, H)` holding $h_1, \dots, h_T$ (not $h_0$).

# %% answer="rnn_forward"

# %% tests="rnn_forward"
begin_tests("rnn_forward", relies_on=["rnn_cell_forward"])
#: case rnn_forward N=2 T=4 D=3 H=2 seed=103
before = inputs_snapshot(x=x, h0=h0, W_x=W_x, W_h=W_h, b=b)
hs = rnn_forward(x, h0, W_x, W_h, b)
expect_array("hs", hs, expected_hs,
             hint="each step must use the state of the step before, starting from h0; "
                  "hs[:, t-1] is h_t, the state after reading x[:, t-1] (h0 is not included).")
expect_unchanged("rnn_forward", before)

# The edge sizes: a single step gives a single state.
#: case rnn_forward N=1 T=1 D=1 H=1 seed=113
expect_array("hs with N = T = D = H = 1", rnn_forward(x, h0, W_x, W_h, b), expected_hs,
             hint="with N = T = D = H = K = 1 every axis has one entry: keep every axis (no np.squeeze, no .item(), no indexing that drops the batch or the time axis).")
tests_passed("rnn_forward")

# %% [markdown]
# ## 4. A softmax that does not overflow
#
# $\mathrm{softmax}(z)_k = e^{z_k} / \sum_j e^{z_j}$ along the **last** axis. Subtracting the
# maximum of each row first changes nothing mathematically and keeps `np.exp` finite.

# %% answer="softmax"

# %% tests="softmax"
begin_tests("softmax")
#: case softmax N=2 T=2 K=3 seed=104
before = inputs_snapshot(z=z)
p = softmax(z)
expect_array("softmax(z)", p, expected_probabilities,
             hint="normalise along the last axis (axis=-1, keepdims=True).")
expect_unchanged("softmax", before)

# Rows at very different scales (by hand: softmax(z + c) = softmax(z) for any c): each
# row must be shifted by ITS OWN maximum.
z_rows = np.array([[1000.0, 1001.0, 999.0],
                   [-1000.0, -999.0, -1001.0],
                   [0.001, 0.002, 0.0]])
expect_array("softmax of rows near 1000, near -1000 and near 0", softmax(z_rows),
             np.array([[0.2447284711, 0.6652409558, 0.0900305732],
                       [0.2447284711, 0.6652409558, 0.0900305732],
                       [0.3333332222, 0.3336667222, 0.3330000556]]),
             hint="subtract the maximum of each ROW (z.max(axis=-1, keepdims=True)), not the "
                  "maximum of the whole array: a row far below the global maximum "
                  "underflows to 0 / 0.")

# Any number of leading axes, and the edge size K = 1 (one class: probability 1).
expect_array("softmax of a 1-d vector", softmax(np.array([0.0, np.log(3.0)])),
             np.array([0.25, 0.75]), hint="normalise along the LAST axis, whatever ndim is.")
expect_array("softmax with K = 1", softmax(np.array([[[2.5]]])), np.array([[[1.0]]]),
             hint="with N = T = D = H = K = 1 every axis has one entry: keep every axis (no np.squeeze, no .item(), no indexing that drops the batch or the time axis).")
tests_passed("softmax")

# %% [markdown]
# ## 5. Many-to-many outputs
#
# At every step, $y_t = \mathrm{softmax}(h_t W_y^\top + b_y)$.
#
# `rnn_output(hs, W_y, b_y)`: `hs` is `(N, T, H)`, `W_y` is `(K, H)`, `b_y` is `(K,)`;
# return probabilities of shape `(N, T, K)`. You may call your `softmax`.

# %% answer="rnn_output"

# %% tests="rnn_output"
begin_tests("rnn_output", relies_on=["softmax"])
#: case rnn_output N=2 T=3 H=4 K=3 seed=105
before = inputs_snapshot(hs=hs, W_y=W_y, b_y=b_y)
probabilities = rnn_output(hs, W_y, b_y)
expect_array("rnn_output(hs, W_y, b_y)", probabilities, expected_probabilities,
             hint="logits are hs @ W_y.T + b_y, then a softmax over the K classes.")
expect_unchanged("rnn_output", before)

# The edge sizes.
#: case rnn_output N=1 T=1 H=1 K=1 seed=115
expect_array("rnn_output(hs, W_y, b_y) with N = T = H = K = 1", rnn_output(hs, W_y, b_y),
             expected_probabilities, hint="with N = T = D = H = K = 1 every axis has one entry: keep every axis (no np.squeeze, no .item(), no indexing that drops the batch or the time axis).")
tests_passed("rnn_output")

# %% [markdown]
# ## 6. Many-to-one: one answer per sequence
#
# A sentiment or spam classifier reads the whole sequence and answers once, from the
# last hidden state: return $\mathrm{softmax}(h_T W_y^\top + b_y)$ of shape `(N, K)`.
# You may call your `rnn_forward` and `softmax`.

# %% answer="many_to_one"

# %% tests="many_to_one"
begin_tests("many_to_one", relies_on=["rnn_forward", "softmax"])
#: case many_to_one N=3 T=4 D=2 H=3 K=2 seed=106
before = inputs_snapshot(x=x, h0=h0, W_x=W_x, W_h=W_h, b=b, W_y=W_y, b_y=b_y)
probabilities = many_to_one(x, h0, W_x, W_h, b, W_y, b_y)
expect_array("many_to_one(...)", probabilities, expected_probabilities,
             hint="use the LAST hidden state h_T = hs[:, -1], not the first or the mean.")
expect_unchanged("many_to_one", before)

# The edge sizes: the result keeps its batch axis, shape (1, 1).
#: case many_to_one N=1 T=1 D=1 H=1 K=1 seed=116
expect_array("many_to_one(...) with N = T = D = H = K = 1",
             many_to_one(x, h0, W_x, W_h, b, W_y, b_y), expected_probabilities, hint="with N = T = D = H = K = 1 every axis has one entry: keep every axis (no np.squeeze, no .item(), no indexing that drops the batch or the time axis).")
tests_passed("many_to_one")

# %% [markdown]
# ## Before you submit
#
# Restart the kernel and run every cell (*Kernel → Restart Kernel and Run All Cells*;
# *Kernel → Restart & Run All* in the classic notebook). Every test cell above should
# finish without an error. Then save the notebook and submit `01_recurrence.ipynb` as your instructor asks.
