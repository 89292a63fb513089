# %% [markdown]
# # Exercise 4 · LSTM gates
#
# In this notebook you write, in NumPy, a numerically safe sigmoid, the forward pass of
# an LSTM cell and of a whole LSTM, and their backward passes. The notation is the book's
# (chapter 4). At every step the four gates are computed from one stacked pre-activation,
#
# $$a_t = x_t W_x^\top + h_{t-1} W_h^\top + b = [\, a_i \mid a_f \mid a_g \mid a_o \,],$$
# $$i_t = \sigma(a_i), \quad f_t = \sigma(a_f), \quad g_t = \tanh(a_g), \quad o_t = \sigma(a_o),$$
# $$c_t = f_t \odot c_{t-1} + i_t \odot g_t, \qquad h_t = o_t \odot \tanh(c_t).$$
#
# The cell state $c_t$ is the memory path: the forget gate $f_t$ decides how much of it is
# kept, the input gate $i_t$ how much of the candidate $g_t$ is written into it, and the
# output gate $o_t$ how much of it is shown as $h_t$.
#
# **Conventions.** Batches come first: a sequence batch `x` has shape `(N, T, D)`, a hidden
# or cell state `(N, H)`. The weights of the four gates are stacked, as PyTorch stores
# them, in the order **i, f, g, o**: `W_x` is `(4H, D)`, `W_h` is `(4H, H)`, `b` is
# `(4H,)`, so `a = x_t @ W_x.T + h_prev @ W_h.T + b` has shape `(N, 4H)` and
#
# | columns of `a` | gate |
# | --- | --- |
# | `a[:, 0:H]` | $a_i$, input gate $i_t$ (sigmoid) |
# | `a[:, H:2*H]` | $a_f$, forget gate $f_t$ (sigmoid) |
# | `a[:, 2*H:3*H]` | $a_g$, candidate $g_t$ (tanh) |
# | `a[:, 3*H:4*H]` | $a_o$, output gate $o_t$ (sigmoid) |
#
# A gradient has the shape of what it is the gradient of. Functions are pure: return new
# arrays, never modify an input.
#
# **How to work.** Replace each `raise NotImplementedError(...)` line with your code, then run the
# test cell below it. A failing test tells you which output, which index, the expected
# and the obtained value, and a likely cause. When all tests pass, run
# *Kernel → Restart & Run All* once before you submit. Your instructor's grader runs more
# tests than you see here (other shapes and seeds, N = T = H = 1, saturated gates).

# %%
import numpy as np

# %% helpers=true

# %% [markdown]
# ## 1. A sigmoid that does not overflow
#
# $\sigma(z) = 1 / (1 + e^{-z})$. For $z = -1000$, `np.exp(-z)` overflows (NumPy warns and
# returns `inf`). Use the form that only ever exponentiates a non-positive number:
#
# $$\sigma(z) = \frac{1}{1 + e^{-z}} \ \text{ for } z \ge 0, \qquad
#   \sigma(z) = \frac{e^{z}}{1 + e^{z}} \ \text{ for } z < 0 .$$
#
# Careful: `np.where(cond, A, B)` computes **both** `A` and `B` for every element, so each
# of them must be safe everywhere (for example, write both with `np.exp(-np.abs(z))`).
# The grader treats any overflow warning as a failure.
#
# `sigmoid(z)`: `z` is an array of any shape; return an array of the same shape.

# %% answer="sigmoid"

# %% tests="sigmoid"
# A small case; the expected values were computed with PyTorch.
#: case sigmoid N=2 T=2 K=3 seed=401
before = inputs_snapshot(z)
s = sigmoid(z)
expect_array("sigmoid(z)", s, expected_s,
             hint="sigmoid(z) = 1 / (1 + exp(-z)), element by element.")
expect_unchanged("sigmoid (z)", before[0], z)

# Extreme inputs, with overflow turned into an error.
try:
    with np.errstate(over="raise"):
        s_big = sigmoid(np.array([-1000.0, 0.0, 1000.0]))
except FloatingPointError as error:
    raise AssertionError(
        f"sigmoid overflowed on z = [-1000, 0, 1000] ({error}). Likely cause: np.exp(-z) "
        "is exp(1000) = inf for z = -1000, even inside the branch of np.where that is not "
        "selected; only take exp of -|z|.") from None
expect_array("sigmoid([-1000, 0, 1000])", s_big, np.array([0.0, 0.5, 1.0]),
             hint="sigmoid(-1000) is 0 (up to rounding), sigmoid(0) is 0.5, "
                  "sigmoid(1000) is 1; check the two branches.")

# %% [markdown]
# ## 2. One LSTM step
#
# Compute the stacked pre-activation `a` of shape `(N, 4H)`, split it into the four
# gates **in the order i, f, g, o** (see the table at the top), then
#
# $$c_t = f_t \odot c_{t-1} + i_t \odot g_t, \qquad h_t = o_t \odot \tanh(c_t).$$
#
# `lstm_cell_forward(x_t, h_prev, c_prev, W_x, W_h, b)`: `x_t` is `(N, D)`, `h_prev` and
# `c_prev` are `(N, H)`; return `(h_t, c_t)`, both `(N, H)`. You may call your `sigmoid`.

# %% answer="lstm_cell_forward"

# %% tests="lstm_cell_forward"
# D = 3 and H = 2 differ, so a transposed weight fails loudly.
#: case lstm_cell_forward N=2 D=3 H=2 seed=402
before = inputs_snapshot(x_t, h_prev, c_prev, W_x, W_h, b)
h_t, c_t = expect_values("lstm_cell_forward(...)",
                         lstm_cell_forward(x_t, h_prev, c_prev, W_x, W_h, b), 2)
expect_array("c_t", c_t, expected_c_t,
             hint="the pre-activation is a_t = x_t W_x^T + h_{t-1} W_h^T + b, and the gate "
                  "order is i, f, g, o: "
                  "a[:, :H] is the input gate, a[:, H:2H] the forget gate, a[:, 2H:3H] the "
                  "candidate g (tanh, not sigmoid), a[:, 3H:] the output gate; then "
                  "c_t = f * c_prev + i * g.")
expect_array("h_t", h_t, expected_h_t,
             hint="h_t = o * tanh(c_t), with the NEW cell state c_t and the output gate "
                  "a[:, 3H:4H].")
for name, old, new in zip(["x_t", "h_prev", "c_prev", "W_x", "W_h", "b"], before,
                          [x_t, h_prev, c_prev, W_x, W_h, b]):
    expect_unchanged(f"lstm_cell_forward ({name})", old, new)

# By hand: zero weights and a bias that shuts the input gate (i = 0), opens the forget
# gate (f = 1) and half-opens the output gate (o = 1/2). The cell then copies its memory:
# c_t = c_prev and h_t = tanh(c_prev) / 2. Here H = 2 and D = 3.
b_memory = np.concatenate([np.full(2, -1000.0),   # i
                           np.full(2, 1000.0),    # f
                           np.zeros(2),           # g
                           np.zeros(2)])          # o
c_memory = np.array([[0.5, -2.0]])
h_t, c_t = lstm_cell_forward(np.ones((1, 3)), np.ones((1, 2)), c_memory,
                             np.zeros((8, 3)), np.zeros((8, 2)), b_memory)
expect_array("c_t with f = 1, i = 0", c_t, c_memory,
             hint="the forget gate is a[:, H:2H] and multiplies c_prev; the input gate is "
                  "a[:, :H] and multiplies g.")
expect_array("h_t with f = 1, i = 0, o = 1/2", h_t, 0.5 * np.tanh(c_memory),
             hint="h_t = o * tanh(c_t); the output gate is the LAST block a[:, 3H:4H].")

# %% [markdown]
# ## 3. An LSTM over whole sequences
#
# Start from `h0` and `c0` and apply the same cell at every step, carrying **both** states.
#
# `lstm_forward(x, h0, c0, W_x, W_h, b)`: `x` is `(N, T, D)`, `h0` and `c0` are `(N, H)`;
# return `(hs, cs)`, both `(N, T, H)`: `hs[:, t]` and `cs[:, t]` are the states after
# reading `x[:, t]` (the initial states are not included). You may call your
# `lstm_cell_forward`.

# %% answer="lstm_forward"

# %% tests="lstm_forward"
#: case lstm_forward N=2 T=3 D=3 H=2 seed=403
before = inputs_snapshot(x, h0, c0, W_x, W_h, b)
hs, cs = expect_values("lstm_forward(...)", lstm_forward(x, h0, c0, W_x, W_h, b), 2)
expect_array("hs", hs, expected_hs,
             hint="carry BOTH h and c from one step to the next, starting from h0 and c0; "
                  "hs[:, t] is the state after reading x[:, t].")
expect_array("cs", cs, expected_cs,
             hint="cs[:, t] is the cell state c_t after step t (store c, not h).")
for name, old, new in zip(["x", "h0", "c0", "W_x", "W_h", "b"], before,
                          [x, h0, c0, W_x, W_h, b]):
    expect_unchanged(f"lstm_forward ({name})", old, new)

# %% [markdown]
# ## 4. One LSTM step backwards
#
# The step receives two upstream gradients: `dh_t` $= \partial L/\partial h_t$ and
# `dc_t`, the gradient that reaches $c_t$ from the **next** step (not including the path
# through $h_t$). Recompute the gates from the inputs (that is why `b` is passed), then go
# back through the equations in reverse:
#
# $$dc = dc_t + dh_t \odot o_t \odot (1 - \tanh^2(c_t)), \qquad do = dh_t \odot \tanh(c_t),$$
# $$di = dc \odot g_t, \quad df = dc \odot c_{t-1}, \quad dg = dc \odot i_t, \quad
#   dc_{t-1} = dc \odot f_t,$$
# $$da_i = di \odot i_t (1 - i_t), \quad da_f = df \odot f_t (1 - f_t), \quad
#   da_g = dg \odot (1 - g_t^2), \quad da_o = do \odot o_t (1 - o_t).$$
#
# Stack $da = [da_i, da_f, da_g, da_o]$ (shape `(N, 4H)`, same order as the weights) and
# finish as for the vanilla RNN:
#
# $$dx_t = da\, W_x, \quad dh_{t-1} = da\, W_h, \quad dW_x = da^\top x_t, \quad
#   dW_h = da^\top h_{t-1}, \quad db = \textstyle\sum_n da[n].$$
#
# `lstm_cell_backward(dh_t, dc_t, x_t, h_prev, c_prev, W_x, W_h, b)`: return
# `(dx_t, dh_prev, dc_prev, dW_x, dW_h, db)` with the shapes of `x_t`, `h_prev`, `c_prev`,
# `W_x`, `W_h`, `b`. You may call your `sigmoid`.

# %% answer="lstm_cell_backward"

# %% tests="lstm_cell_backward"
# The expected values are PyTorch's autograd through torch.nn.LSTM.
#: case lstm_cell_backward N=2 D=3 H=2 seed=407
before = inputs_snapshot(dh_t, dc_t, x_t, h_prev, c_prev, W_x, W_h, b)
dx_t, dh_prev, dc_prev, dW_x, dW_h, db = expect_values(
    "lstm_cell_backward(...)",
    lstm_cell_backward(dh_t, dc_t, x_t, h_prev, c_prev, W_x, W_h, b), 6)
expect_array("dc_prev", dc_prev, expected_dc_prev,
             hint="dc_prev is the total gradient of c_t times f_t; that total adds to the "
                  "dc_t you were given the path through h_t, dh_t o_t (1 - tanh(c_t)^2).")
expect_array("db", db, expected_db,
             hint="db = da summed over the batch, with da stacked in the order i, f, g, o; "
                  "sigmoid gates carry s * (1 - s), the candidate g carries 1 - g**2.")
expect_array("dx_t", dx_t, expected_dx_t,
             hint="dx_t has shape (N, D): multiply da_t by W_x (which is (4H, D)) on the "
                  "right, without a transpose.")
expect_array("dh_prev", dh_prev, expected_dh_prev,
             hint="dh_prev gets da @ W_h (not W_h.T).")
expect_array("dW_x", dW_x, expected_dW_x,
             hint="dW_x sums da_t^T x_t over the batch: shape (4H, D).")
expect_array("dW_h", dW_h, expected_dW_h,
             hint="dW_h sums da_t^T h_{t-1} over the batch, with the PREVIOUS hidden state.")
for name, old, new in zip(["dh_t", "dc_t", "x_t", "h_prev", "c_prev", "W_x", "W_h", "b"],
                          before, [dh_t, dc_t, x_t, h_prev, c_prev, W_x, W_h, b]):
    expect_unchanged(f"lstm_cell_backward ({name})", old, new)

# %% [markdown]
# ## 5. Backpropagation through time for the LSTM
#
# As for the vanilla RNN: run the forward pass keeping every `h` and `c`, then walk the
# steps backwards. At step $t$ the cell receives
#
# - `dh` $=$ `dhs[:, t]` plus the `dh_prev` carried back from step $t+1$,
# - `dc` $=$ the `dc_prev` carried back from step $t+1$ (zero at the last step: no loss
#   reads the cell state directly),
#
# and one call of your `lstm_cell_backward` gives the gradients of $x_t$, of the previous
# states (carried on to step $t-1$) and of the weights, which **add up** over the steps.
# What is carried out of the first step is the gradient of `h0` and `c0`.
#
# `lstm_backward(dhs, x, h0, c0, W_x, W_h, b)`: `dhs` is `(N, T, H)`; return
# `(dx, dh0, dc0, dW_x, dW_h, db)` with the shapes of `x`, `h0`, `c0`, `W_x`, `W_h`, `b`.
# You may call your `lstm_forward` and `lstm_cell_backward`.

# %% answer="lstm_backward"

# %% tests="lstm_backward"
#: case lstm_backward N=2 T=3 D=3 H=2 seed=405
before = inputs_snapshot(dhs, x, h0, c0, W_x, W_h, b)
dx, dh0, dc0, dW_x, dW_h, db = expect_values(
    "lstm_backward(...)", lstm_backward(dhs, x, h0, c0, W_x, W_h, b), 6)
expect_array("dx", dx, expected_dx,
             hint="at step t the cell gets dh = dhs[:, t] + the dh_prev carried back from "
                  "t+1 and dc = the dc_prev carried back from t+1 (zero at the last step), "
                  "for t from T-1 down to 0; the forward pass starts from h0 and c0, which "
                  "are also the previous states of step 0.")
expect_array("dh0", dh0, expected_dh0,
             hint="dh0 is the dh_prev that comes out of step 0.")
expect_array("dc0", dc0, expected_dc0,
             hint="dc0 is the dc_prev that comes out of step 0; the cell gradient must be "
                  "carried from step to step too, not reset to zero.")
expect_array("dW_x", dW_x, expected_dW_x,
             hint="the weights are shared by all steps: add up every step's dW_x.")
expect_array("dW_h", dW_h, expected_dW_h,
             hint="add up every step's dW_h; at t = 0 the previous states are h0 and c0.")
expect_array("db", db, expected_db,
             hint="add up every step's db.")
for name, old, new in zip(["dhs", "x", "h0", "c0", "W_x", "W_h", "b"], before,
                          [dhs, x, h0, c0, W_x, W_h, b]):
    expect_unchanged(f"lstm_backward ({name})", old, new)

# %% [markdown]
# ## Before you submit
#
# Run *Kernel → Restart & Run All*. Every test cell above should finish without an
# error. Then save the notebook and submit `04_lstm.ipynb` as your instructor asks.
