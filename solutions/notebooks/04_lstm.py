# %% [markdown]
# # Exercise 4 · LSTM gates
#
# In this notebook you write, in NumPy, a numerically safe sigmoid, the forward pass of
# an LSTM cell and of a whole LSTM, and their backward passes; the last two sections add the
# lighter gated unit of the chapter, the GRU, forward over one step and over a sequence.
# The notation is the book's (chapter 4). At every step the four gates are computed from one stacked pre-activation,
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
begin_tests("sigmoid")
# A small case; the expected values were computed with PyTorch.
#: case sigmoid N=2 T=2 K=3 seed=401
before = inputs_snapshot(z=z)
s = sigmoid(z)
expect_array("sigmoid(z)", s, expected_s,
             hint="sigmoid(z) = 1 / (1 + exp(-z)), element by element.")
expect_unchanged("sigmoid", before)

# Extreme inputs, with overflow turned into an error.
try:
    with np.errstate(over="raise"):
        s_big = sigmoid(np.array([-1000.0, 0.0, 1000.0]))
except FloatingPointError as error:
    fail(f"sigmoid overflowed on z = [-1000, 0, 1000] ({error}).",
         "np.exp(-z) is exp(1000) = inf for z = -1000, even inside the branch of np.where "
         "that is not selected; only take exp of -|z|.")
expect_array("sigmoid([-1000, 0, 1000])", s_big, np.array([0.0, 0.5, 1.0]),
             hint="sigmoid(-1000) is 0 (up to rounding), sigmoid(0) is 0.5, "
                  "sigmoid(1000) is 1; check the two branches.")

# Any shape: a single number (a 0-d array) and a (1, 1, 1) array.
expect_array("sigmoid of the 0-d array 0.0", sigmoid(np.array(0.0)), 0.5,
             hint="work element by element on any shape, including a 0-d array (np.where, "
                  "not a loop over rows).")
expect_array("sigmoid of a (1, 1, 1) array", sigmoid(np.array([[[np.log(3.0)]]])),
             np.array([[[0.75]]]), hint="with N = T = D = H = 1 every axis has one entry: keep every axis (no np.squeeze, no .item(), no indexing that drops the batch or the time axis).")
tests_passed("sigmoid")

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
begin_tests("lstm_cell_forward", relies_on=["sigmoid"])
# D = 3 and H = 2 differ, so a transposed weight fails loudly.
#: case lstm_cell_forward N=2 D=3 H=2 seed=402
before = inputs_snapshot(x_t=x_t, h_prev=h_prev, c_prev=c_prev, W_x=W_x, W_h=W_h, b=b)
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
expect_unchanged("lstm_cell_forward", before)

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

# The edge sizes: H = 1, so each gate is one column of a.
#: case lstm_cell_forward N=1 D=1 H=1 seed=412
h_1, c_1 = expect_values("lstm_cell_forward(...) with N = D = H = 1",
                         lstm_cell_forward(x_t, h_prev, c_prev, W_x, W_h, b), 2)
expect_array("c_t with N = D = H = 1", c_1, expected_c_t, hint="with N = T = D = H = 1 every axis has one entry: keep every axis (no np.squeeze, no .item(), no indexing that drops the batch or the time axis).")
expect_array("h_t with N = D = H = 1", h_1, expected_h_t, hint="with N = T = D = H = 1 every axis has one entry: keep every axis (no np.squeeze, no .item(), no indexing that drops the batch or the time axis).")
tests_passed("lstm_cell_forward")

# %% [markdown]
# ## 3. An LSTM over whole sequences
#
# Start from `h0` and `c0` and apply the same cell at every step, carrying **both** states.
#
# `lstm_forward(x, h0, c0, W_x, W_h, b)`: `x` is `(N, T, D)`, `h0` and `c0` are `(N, H)`;
# return `(hs, cs)`, both `(N, T, H)`: `hs[:, t-1]` and `cs[:, t-1]` are $h_t$ and $c_t$,
# the states after reading `x[:, t-1]` (the initial states are not included). You may call your
# `lstm_cell_forward`.

# %% answer="lstm_forward"

# %% tests="lstm_forward"
begin_tests("lstm_forward", relies_on=["sigmoid", "lstm_cell_forward"])
#: case lstm_forward N=2 T=3 D=3 H=2 seed=403
before = inputs_snapshot(x=x, h0=h0, c0=c0, W_x=W_x, W_h=W_h, b=b)
hs, cs = expect_values("lstm_forward(...)", lstm_forward(x, h0, c0, W_x, W_h, b), 2)
expect_array("hs", hs, expected_hs,
             hint="carry BOTH h and c from one step to the next, starting from h0 and c0; "
                  "hs[:, t-1] is h_t, the state after reading x[:, t-1].")
expect_array("cs", cs, expected_cs,
             hint="cs[:, t-1] is the cell state c_t after step t (store c, not h).")
expect_unchanged("lstm_forward", before)

# The edge sizes.
#: case lstm_forward N=1 T=1 D=1 H=1 seed=413
hs_1, cs_1 = expect_values("lstm_forward(...) with N = T = D = H = 1",
                           lstm_forward(x, h0, c0, W_x, W_h, b), 2)
expect_array("hs with N = T = D = H = 1", hs_1, expected_hs, hint="with N = T = D = H = 1 every axis has one entry: keep every axis (no np.squeeze, no .item(), no indexing that drops the batch or the time axis).")
expect_array("cs with N = T = D = H = 1", cs_1, expected_cs, hint="with N = T = D = H = 1 every axis has one entry: keep every axis (no np.squeeze, no .item(), no indexing that drops the batch or the time axis).")
tests_passed("lstm_forward")

# %% [markdown]
# ## 4. One LSTM step backwards
#
# The step receives two upstream gradients: `dh_t` $= \partial E/\partial h_t$ and
# `dc_t`, the gradient that reaches $c_t$ from the **next** step only, through
# $c_{t+1} = f_{t+1} \odot c_t + \dots$ (**not** including the path through $h_t$). Your
# function adds the path through $h_t$ itself, in the first equation below; the result
# $dc$ is the total gradient of $c_t$, $\partial E / \partial c_t$ in the book's equation for
# the cell-state gradient (chapter 4, "Why the additive path keeps gradients alive").
# Adding that path to `dc_t` before calling the function would count it twice. Recompute the gates from the inputs (that is why `b` is passed), then go
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
begin_tests("lstm_cell_backward", relies_on=["sigmoid"])
# The expected values are PyTorch's autograd through torch.nn.LSTM.
#: case lstm_cell_backward N=2 D=3 H=2 seed=407
before = inputs_snapshot(dh_t=dh_t, dc_t=dc_t, x_t=x_t, h_prev=h_prev, c_prev=c_prev,
                         W_x=W_x, W_h=W_h, b=b)
dx_t, dh_prev, dc_prev, dW_x, dW_h, db = expect_values(
    "lstm_cell_backward(...)",
    lstm_cell_backward(dh_t, dc_t, x_t, h_prev, c_prev, W_x, W_h, b), 6)
expect_array("dc_prev", dc_prev, expected_dc_prev,
             hint="dc_prev is dc times f_t, where dc = dc_t + dh_t * o_t * (1 - tanh(c_t)**2) is "
                  "the total gradient of c_t: the dc_t you are given does NOT include the "
                  "path through h_t, so add it exactly once (adding it twice, or not at all, "
                  "gives this error).")
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
expect_unchanged("lstm_cell_backward", before)

# The edge sizes.
#: case lstm_cell_backward N=1 D=1 H=1 seed=417
grads_1 = expect_values("lstm_cell_backward(...) with N = D = H = 1",
                        lstm_cell_backward(dh_t, dc_t, x_t, h_prev, c_prev, W_x, W_h, b), 6)
for name, got, expected in zip(["dx_t", "dh_prev", "dc_prev", "dW_x", "dW_h", "db"], grads_1,
                               [expected_dx_t, expected_dh_prev, expected_dc_prev,
                                expected_dW_x, expected_dW_h, expected_db]):
    expect_array(f"{name} with N = D = H = 1", got, expected, hint="with N = T = D = H = 1 every axis has one entry: keep every axis (no np.squeeze, no .item(), no indexing that drops the batch or the time axis).")
tests_passed("lstm_cell_backward")

# %% [markdown]
# ## 5. Backpropagation through time for the LSTM
#
# As for the vanilla RNN: run the forward pass keeping every `h` and `c`, then walk the
# steps backwards, from $t = T$ down to $t = 1$. At step $t$ the cell receives
#
# - $dh_t$: the upstream gradient of $h_t$ plus the `dh_prev` carried back from step $t+1$,
# - $dc_t$: the `dc_prev` carried back from step $t+1$ (zero at the last step: no loss
#   reads the cell state directly),
#
# and one call of your `lstm_cell_backward` gives the gradients of $x_t$, of the previous
# states (carried on to step $t-1$) and of the weights, which **add up** over the steps.
# What is carried out of the first step is the gradient of `h0` and `c0`. In the code,
# step $t$ is index `t-1`: a loop `for k in reversed(range(T))` visits $h_{k+1}$, whose
# upstream gradient is `dhs[:, k]` and whose previous states are `hs[:, k-1]` and
# `cs[:, k-1]`, or `h0` and `c0` when `k == 0`.
#
# `lstm_backward(dhs, x, h0, c0, W_x, W_h, b)`: `dhs` is `(N, T, H)`; return
# `(dx, dh0, dc0, dW_x, dW_h, db)` with the shapes of `x`, `h0`, `c0`, `W_x`, `W_h`, `b`.
# You may call your `lstm_forward` and `lstm_cell_backward`.

# %% answer="lstm_backward"

# %% tests="lstm_backward"
begin_tests("lstm_backward", relies_on=["sigmoid", "lstm_cell_forward", "lstm_forward",
                                        "lstm_cell_backward"])
#: case lstm_backward N=2 T=3 D=3 H=2 seed=405
before = inputs_snapshot(dhs=dhs, x=x, h0=h0, c0=c0, W_x=W_x, W_h=W_h, b=b)
dx, dh0, dc0, dW_x, dW_h, db = expect_values(
    "lstm_backward(...)", lstm_backward(dhs, x, h0, c0, W_x, W_h, b), 6)
expect_array("dx", dx, expected_dx,
             hint="in the loop over code indices k = T-1 down to 0, the cell gets "
                  "dh = dhs[:, k] + the dh_prev carried back from index k+1, and dc = the "
                  "dc_prev carried back from index k+1 (zero at k = T-1); the forward pass "
                  "starts from h0 and c0, which are also the previous states at index 0.")
expect_array("dh0", dh0, expected_dh0,
             hint="dh0 is the dh_prev that comes out of step 0.")
expect_array("dc0", dc0, expected_dc0,
             hint="dc0 is the dc_prev that comes out of step 0; the cell gradient must be "
                  "carried from step to step too, not reset to zero.")
expect_array("dW_x", dW_x, expected_dW_x,
             hint="the weights are shared by all steps: add up every step's dW_x.")
expect_array("dW_h", dW_h, expected_dW_h,
             hint="add up every step's dW_h; at code index 0 (the step t = 1) the previous "
                  "states are h0 and c0.")
expect_array("db", db, expected_db,
             hint="add up every step's db.")
expect_unchanged("lstm_backward", before)

# The edge sizes: a single step.
#: case lstm_backward N=1 T=1 D=1 H=1 seed=415
grads_1 = expect_values("lstm_backward(...) with N = T = D = H = 1",
                        lstm_backward(dhs, x, h0, c0, W_x, W_h, b), 6)
for name, got, expected in zip(["dx", "dh0", "dc0", "dW_x", "dW_h", "db"], grads_1,
                               [expected_dx, expected_dh0, expected_dc0, expected_dW_x,
                                expected_dW_h, expected_db]):
    expect_array(f"{name} with N = T = D = H = 1", got, expected, hint="with N = T = D = H = 1 every axis has one entry: keep every axis (no np.squeeze, no .item(), no indexing that drops the batch or the time axis).")
tests_passed("lstm_backward")

# %% [markdown]
# ### Gradient check (not graded)
#
# Check your `lstm_backward` against finite differences, as in exercise 2: for the scalar
# $E = \sum_{n,t} \texttt{dhs} \odot \texttt{hs}$ the upstream gradient of the hidden
# states is exactly `dhs`, so every gradient that `lstm_backward(dhs, ...)` returns must match
# the numerical gradient of $E$. The cell below defines `check_lstm_backward`; it needs a
# finite-difference function. Paste your `numerical_gradient` from exercise 2 into a new
# cell of your own (*Insert → cell below*), run it, then call
# `check_lstm_backward(numerical_gradient)`. A correct gradient has a relative error of
# about $10^{-8}$ or less.

# %%
def check_lstm_backward(numerical_gradient):
    """Compare lstm_backward with numerical_gradient on a small random LSTM."""
    rng = np.random.default_rng(0)
    N, T, D, H = 2, 3, 3, 2
    inputs = {"x": rng.standard_normal((N, T, D)), "h0": rng.standard_normal((N, H)),
              "c0": rng.standard_normal((N, H)), "W_x": rng.standard_normal((4 * H, D)),
              "W_h": rng.standard_normal((4 * H, H)), "b": rng.standard_normal(4 * H)}
    dhs = rng.standard_normal((N, T, H))
    analytic = dict(zip(inputs, lstm_backward(dhs, *inputs.values())))
    for name, value in inputs.items():
        def energy(v, name=name):
            return np.sum(dhs * lstm_forward(**{**inputs, name: v})[0])

        numeric = numerical_gradient(energy, value)
        error = np.max(np.abs(analytic[name] - numeric)) / max(
            np.max(np.abs(analytic[name]) + np.abs(numeric)), 1e-300)
        verdict = "" if error < 1e-6 else "  <- does not match the numerical gradient"
        print(f"lstm_backward d{name}: relative error {error:.1e}{verdict}")


# %% [markdown]
# ## 6. One GRU step
#
# The gated recurrent unit (GRU) keeps the LSTM's additive memory path but has no separate
# cell state: one **update gate** $u_t$ mixes the old state with a candidate $g_t$, and a
# **reset gate** $r_t$ decides how much of the old state the candidate may read. This is
# PyTorch's formulation (`torch.nn.GRU`). Its three blocks are stacked in PyTorch's order
# **r, z, n**, which this course writes $r, u, g$ ($z_t$ is the logits and $n$ numbers the
# examples; the candidate plays the role of the LSTM's $g_t$): `W_x` is `(3H, D)`, `W_h` is
# `(3H, H)`, and there are **two** biases, `b_x` and `b_h`, each `(3H,)`. They cannot be
# merged into one as for the LSTM, because the reset gate multiplies the hidden part of the
# candidate **with** its bias:
#
# $$a^x_t = x_t W_x^\top + b_x, \qquad a^h_t = h_{t-1} W_h^\top + b_h
#   \qquad \text{(each cut into blocks } [\,r \mid u \mid g\,] \text{ of } H
#   \text{ columns)},$$
# $$r_t = \sigma(a^x_r + a^h_r), \qquad u_t = \sigma(a^x_u + a^h_u),$$
# $$g_t = \tanh\!\left(a^x_g + r_t \odot a^h_g\right), \qquad
#   h_t = (1 - u_t) \odot g_t + u_t \odot h_{t-1}.$$
#
# | columns of `a_x` and `a_h` | block | used for |
# | --- | --- | --- |
# | `[:, 0:H]` | $r$ | reset gate $r_t$ (sigmoid of the sum of both maps' blocks) |
# | `[:, H:2*H]` | $u$ (PyTorch's z) | update gate $u_t$ (sigmoid of the sum) |
# | `[:, 2*H:3*H]` | $g$ (PyTorch's n) | candidate $g_t$: $r_t$ scales the hidden block only |
#
# With $u_t = 1$ the state is copied unchanged, as an LSTM with $f_t = 1$, $i_t = 0$ copies
# its cell; with $r_t = 0$ the candidate reads the input alone, $g_t = \tanh(a^x_g)$.
#
# `gru_cell_forward(x_t, h_prev, W_x, W_h, b_x, b_h)`: `x_t` is `(N, D)`, `h_prev` is
# `(N, H)`; return `h_t` of shape `(N, H)`. You may call your `sigmoid`.

# %% answer="gru_cell_forward"

# %% tests="gru_cell_forward"
begin_tests("gru_cell_forward", relies_on=["sigmoid"])
# By hand first: zero weights, so every gate sees only its biases, and saturating biases
# (+-1000) shut or open a gate. Here N = 1, D = 3, H = 2; the candidate's biases are
# b_x's [0.5, -0.5] and b_h's [0.25, 0.25].
def gru_biases(reset, update):
    b_x = np.concatenate([np.full(2, reset), np.full(2, update), [0.5, -0.5]])
    return b_x, np.concatenate([np.zeros(4), [0.25, 0.25]])


x_hand, h_prev_hand = np.ones((1, 3)), np.array([[0.3, -0.7]])
before = inputs_snapshot(x_t=x_hand, h_prev=h_prev_hand)
# 1. The update gate open (u = 1), the reset gate half open (r = 0.5): h_t = h_prev.
h_copy = call(gru_cell_forward, x_hand, h_prev_hand, np.zeros((6, 3)), np.zeros((6, 2)),
              *gru_biases(0.0, 1000.0))
expect_array(
    "h_t with u = 1", h_copy, h_prev_hand,
    hint="u = 1 keeps the old state: h_t is (1 - u) times g plus u times h_prev, with u the "
         "sigmoid of the MIDDLE block [:, H:2H].",
    mistakes=[(np.tanh([[0.625, -0.375]]),
               "you returned the candidate g where u = 1: the update gate is on the wrong "
               "side of the mix. h_t is (1 - u) times g plus u times h_prev, so u = 1 "
               "keeps h_prev."),
              (0.5 * np.tanh([[0.75, -0.25]]) + 0.5 * h_prev_hand,
               "your update gate reads the reset gate's block: PyTorch's order is r, z, n, so "
               "r is [:, :H], the update gate [:, H:2H] and the candidate [:, 2H:].")])
# 2. The update gate shut (u = 0) and the reset gate shut (r = 0): h_t = g = tanh(a^x_g),
# because r multiplies the whole hidden part a^h_g, b_h's block included.
h_reset = call(gru_cell_forward, x_hand, h_prev_hand, np.zeros((6, 3)), np.zeros((6, 2)),
               *gru_biases(-1000.0, -1000.0))
expect_array(
    "h_t with u = 0 and r = 0", h_reset, np.tanh([[0.5, -0.5]]),
    hint="with u = 0, h_t is the candidate g = tanh(a^x_g + r * a^h_g), and with r = 0 that "
         "is tanh(a^x_g) alone.",
    mistakes=[(np.tanh([[0.75, -0.25]]),
               "b_h's candidate block (here 0.25) is added outside the reset gate. Merging "
               "the two biases into one, the original paper's form (r * h_prev) @ "
               "W_h[2H:].T + b_h[2H:], and a missing reset gate all give this. PyTorch's "
               "GRU computes r * (h_prev @ W_h[2H:].T + b_h[2H:]): r scales the bias too."),
              (np.zeros((1, 2)),
               "r multiplies the input part a^x_g as well: it scales only the hidden part, "
               "g = tanh(a^x_g + r * a^h_g).")])
expect_unchanged("gru_cell_forward", before)

# 3. Random weights; the expected values were computed with torch.nn.GRU. D = 3 and H = 2
# differ, so a transposed weight fails loudly.
#: case gru_cell_forward N=2 D=3 H=2 seed=441
before = inputs_snapshot(x_t=x_t, h_prev=h_prev, W_x=W_x, W_h=W_h, b_x=b_x, b_h=b_h)
expect_array("gru_cell_forward(...)",
             call(gru_cell_forward, x_t, h_prev, W_x, W_h, b_x, b_h), expected_h_t,
             hint="the gates' biases are right (the tests above passed), so look at the "
                  "weights: the two maps multiply x_t by W_x transposed and h_prev by W_h "
                  "transposed, each cut into the blocks [:, :H], [:, H:2H], [:, 2H:]; the "
                  "reset gate multiplies the product of h_prev with the candidate's rows of "
                  "W_h (and their bias), not h_prev before it.")
expect_unchanged("gru_cell_forward", before)

#: case gru_cell_forward N=1 D=1 H=1 seed=442
expect_array("h_t with N = D = H = 1",
             call(gru_cell_forward, x_t, h_prev, W_x, W_h, b_x, b_h), expected_h_t,
             hint="keep every axis (no np.squeeze).")
tests_passed("gru_cell_forward")

# %% [markdown]
# ## 7. A GRU over whole sequences
#
# As for the vanilla RNN: start from `h0` and apply the same cell at every step.
#
# `gru_forward(x, h0, W_x, W_h, b_x, b_h)`: `x` is `(N, T, D)`, `h0` is `(N, H)`; return
# `hs` of shape `(N, T, H)`, where `hs[:, t-1]` is $h_t$ ($h_0$ is not included). You may
# call your `gru_cell_forward`.

# %% answer="gru_forward"

# %% tests="gru_forward"
begin_tests("gru_forward", relies_on=["sigmoid", "gru_cell_forward"])
#: case gru_forward N=2 T=3 D=3 H=2 seed=443
before = inputs_snapshot(x=x, h0=h0, W_x=W_x, W_h=W_h, b_x=b_x, b_h=b_h)
expect_array("hs", call(gru_forward, x, h0, W_x, W_h, b_x, b_h,
                        hint="x is (N, T, D): the inputs of step t are x[:, t-1], all the "
                             "sequences at once; x[t] is sequence t, of shape (T, D)."),
             expected_hs,
             hint="carry h from step to step, starting from h0; hs[:, t-1] is h_t, the "
                  "state after reading x[:, t-1].")
expect_unchanged("gru_forward", before)

#: case gru_forward N=1 T=1 D=1 H=1 seed=444
expect_array("hs with N = T = D = H = 1", call(gru_forward, x, h0, W_x, W_h, b_x, b_h),
             expected_hs, hint="keep every axis (no np.squeeze).")
tests_passed("gru_forward")

# %% [markdown]
# ## Before you submit
#
# Restart the kernel and run every cell (*Kernel → Restart Kernel and Run All Cells*;
# *Kernel → Restart & Run All* in the classic notebook). Every test cell above should
# finish without an error. Then save the notebook and submit `04_lstm.ipynb` as your instructor asks.
