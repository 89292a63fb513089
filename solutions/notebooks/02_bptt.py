# %% [markdown]
# # Exercise 2 · Backpropagation through time
#
# In this notebook you write, in NumPy, the backward pass of the vanilla RNN of
# exercise 1: the softmax cross-entropy loss over a sequence and its gradient, the
# gradient of one RNN step, the whole backward recursion through time, and a
# finite-difference gradient to check analytic gradients with. The notation is the
# book's (chapter 2). The forward step is
#
# $$a_t = x_t W_x^\top + h_{t-1} W_h^\top + b, \qquad h_t = \tanh(a_t),$$
#
# and the gradient of a loss $E_t$ reaches a weight through every earlier state:
#
# $$\frac{\partial E_t}{\partial W} = \sum_{k \le t} \frac{\partial E_t}{\partial y_t}
#   \frac{\partial y_t}{\partial h_t} \frac{\partial h_t}{\partial h_k}
#   \frac{\partial h_k}{\partial W}.$$
#
# You will not build that sum term by term: the backward recursion walks the steps from
# $T$ down to $1$, carrying $\partial E / \partial h_t$ back one step at a time, where
# $E = \sum_t E_t$ is the loss over the whole sequence.
#
# **Conventions.** Batches come first: a sequence batch `x` has shape `(N, T, D)`, a hidden
# state `(N, H)`. Weights have the shapes of the math, as PyTorch stores them: `W_x` is
# `(H, D)`, `W_h` is `(H, H)`, `b` is `(H,)`, so the forward code computes `x_t @ W_x.T`.
# A gradient has the shape of what it is the gradient of (`dW_x` is `(H, D)`, like `W_x`).
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

# %%
import numpy as np

# %% helpers=true

# %% [markdown]
# ## 1. The loss over a sequence and its gradient
#
# A many-to-many model produces logits $z_{n,t} \in \mathbb{R}^K$ at every step and the
# target is a class $y^\star_{n,t} \in \{0, \dots, K-1\}$. The loss is the mean, over all
# $N \cdot T$ positions, of the cross-entropy of $p_{n,t} = \mathrm{softmax}(z_{n,t})$:
#
# $$E = -\frac{1}{NT} \sum_{n=1}^{N} \sum_{t=1}^{T} \log p_{n,t,y^\star_{n,t}},
#   \qquad \frac{\partial E}{\partial z_{n,t}} = \frac{p_{n,t} - \mathrm{onehot}(y^\star_{n,t})}{NT}.$$
#
# Compute $\log p$ stably:
# $\log \mathrm{softmax}(z) = (z - \bar z) - \log \sum_j e^{z_j - \bar z}$ with
# $\bar z = \max_j z_j$.
#
# `softmax_cross_entropy(logits, targets)`: `logits` is `(N, T, K)`, `targets` is an
# integer array `(N, T)`; return `(loss, dlogits)`, the loss a Python float and
# `dlogits` of shape `(N, T, K)`.

# %% answer="softmax_cross_entropy"

# %% tests="softmax_cross_entropy"
begin_tests("softmax_cross_entropy")
# A small case; the expected values were computed with PyTorch.
#: case softmax_cross_entropy N=2 T=3 K=4 seed=246
before = inputs_snapshot(logits=logits, targets=targets)
loss, dlogits = expect_values("softmax_cross_entropy(logits, targets)",
                              softmax_cross_entropy(logits, targets), 2)
expect_array("loss", loss, expected_loss,
             hint="the loss is the MEAN of -log p[target] over all N*T positions "
                  "(divide by N*T, not by N or by K).")
expect_array("dlogits", dlogits, expected_dlogits,
             hint="dlogits = (softmax(logits) - one_hot(targets)) / (N*T); the softmax is "
                  "taken over the last axis.")
expect_unchanged("softmax_cross_entropy", before)

# Uniform logits: every class has probability 1/K, so the loss is log K whatever the
# targets, and the gradient is (1/K - one_hot) / (N*T).
targets_u = np.array([[0, 4, 2], [1, 1, 3]])
loss_u, dlogits_u = softmax_cross_entropy(np.zeros((2, 3, 5)), targets_u)
expect_array("loss for uniform logits", loss_u, np.log(5),
             hint="with all logits equal, p = 1/K everywhere and the loss is log K.")
expect_array("dlogits for uniform logits", dlogits_u, (1 / 5 - np.eye(5)[targets_u]) / 6,
             hint="subtract 1 at the target class only, then divide by N*T = 6.")

# Logits in the thousands: log p is finite (here exactly 0 and -2000), exp() is not.
LOG_HINT = ("a nan means np.exp overflowed: subtract the maximum of each row before exp. An "
            "inf means np.log of a probability that underflowed to 0 (exp(-2000) is 0 in "
            "float64): do not take log(softmax(z)); compute log p directly as "
            "(z - max) - log(sum(exp(z - max))).")
loss_big, dlogits_big = softmax_cross_entropy(np.array([[[1000.0, 0.0, -1000.0],
                                                         [1000.0, 0.0, -1000.0]]]),
                                              np.array([[0, 2]]))
expect_array("loss for logits near 1000", loss_big, 1000.0, hint=LOG_HINT)
expect_array("dlogits for logits near 1000", dlogits_big,
             np.array([[[0.0, 0.0, 0.0], [0.5, 0.0, -0.5]]]),
             hint="compute the probabilities from the shifted logits z - max.")

# Rows at very different scales (near 1000, near 0, near -500, one row far apart): each
# row must be shifted by its OWN maximum. The expected values were computed with PyTorch.
logits_rows = np.array([[[1000.0, 0.0, -1000.0], [0.001, 0.002, 0.0]],
                        [[-500.0, -501.0, -499.0], [0.0, 0.0, 30.0]]])
loss_rows, dlogits_rows = softmax_cross_entropy(logits_rows, np.array([[2, 1], [0, 2]]))
expect_array("loss for rows at very different scales", loss_rows, 500.6263046466115,
             hint="take the maximum of each row (axis=-1, keepdims=True), not of the whole "
                  "array. " + LOG_HINT)
expect_array("dlogits for rows at very different scales", dlogits_rows,
             np.array([[[0.25, 0.0, -0.25],
                        [0.083333305556, -0.16658331946, 0.083250013903]],
                       [[-0.18881788224, 0.022507643293, 0.16631023894],
                        [2.3394057422e-14, 2.3394057422e-14, -4.6795900488e-14]]]),
             hint="shift each row by its own maximum before the softmax.")

# The edge sizes: one position, one class (p = 1, so the loss and its gradient are 0).
#: case softmax_cross_entropy N=1 T=1 K=1 seed=247
loss_1, dlogits_1 = softmax_cross_entropy(logits, targets)
expect_array("loss with N = T = K = 1", loss_1, expected_loss, hint="with N = T = D = H = K = 1 every axis has one entry: keep every axis (no np.squeeze, no .item(), no indexing that drops the batch or the time axis).")
expect_array("dlogits with N = T = K = 1", dlogits_1, expected_dlogits, hint="with N = T = D = H = K = 1 every axis has one entry: keep every axis (no np.squeeze, no .item(), no indexing that drops the batch or the time axis).")
tests_passed("softmax_cross_entropy")

# %% [markdown]
# ## 2. One step backwards
#
# Given the upstream gradient $dh_t = \partial E / \partial h_t$ (`dh_t`), go back through
# $h_t = \tanh(a_t)$ and then through the affine map. Since
# $\tanh'(a_t) = 1 - h_t^2$, you need $h_t$ but not $a_t$ (nor $b$):
#
# $$da_t = dh_t \odot (1 - h_t^2), \qquad
#   dx_t = da_t\, W_x, \qquad dh_{t-1} = da_t\, W_h,$$
# $$dW_x = da_t^\top x_t, \qquad dW_h = da_t^\top h_{t-1}, \qquad
#   db = \textstyle\sum_n da_t[n].$$
#
# The weight gradients sum over the batch (that is what the matrix product
# $da_t^\top x_t$ does).
#
# `rnn_cell_backward(dh_t, x_t, h_prev, h_t, W_x, W_h)`: `dh_t`, `h_prev` and `h_t` are
# `(N, H)`, `x_t` is `(N, D)`; return `(dx_t, dh_prev, dW_x, dW_h, db)` with the shapes
# `(N, D)`, `(N, H)`, `(H, D)`, `(H, H)`, `(H,)`.

# %% answer="rnn_cell_backward"

# %% tests="rnn_cell_backward"
begin_tests("rnn_cell_backward")
# D = 3 and H = 4 differ, so a transposed weight fails loudly.
#: case rnn_cell_backward N=2 D=3 H=4 seed=202
before = inputs_snapshot(dh_t=dh_t, x_t=x_t, h_prev=h_prev, h_t=h_t, W_x=W_x, W_h=W_h)
dx_t, dh_prev, dW_x, dW_h, db = expect_values(
    "rnn_cell_backward(...)", rnn_cell_backward(dh_t, x_t, h_prev, h_t, W_x, W_h), 5)
expect_array("db", db, expected_db,
             hint="da = dh_t * (1 - h_t**2): did you multiply by 1 - h_t**2? db sums da "
                  "over the batch (axis 0).")
expect_array("dx_t", dx_t, expected_dx_t,
             hint="dx_t has shape (N, D): multiply da_t by W_x (which is (H, D)) on the "
                  "right, without a transpose.")
expect_array("dh_prev", dh_prev, expected_dh_prev,
             hint="dh_prev gets da @ W_h (not W_h.T).")
expect_array("dW_x", dW_x, expected_dW_x,
             hint="dW_x sums da_t.T @ x_t over the batch: shape (H, D).")
expect_array("dW_h", dW_h, expected_dW_h,
             hint="dW_h sums da_t^T h_{t-1} over the batch: the PREVIOUS state, not h_t.")
expect_unchanged("rnn_cell_backward", before)

# The edge sizes.
#: case rnn_cell_backward N=1 D=1 H=1 seed=212
grads_1 = expect_values("rnn_cell_backward(...) with N = D = H = 1",
                        rnn_cell_backward(dh_t, x_t, h_prev, h_t, W_x, W_h), 5)
for name, got, expected in zip(["dx_t", "dh_prev", "dW_x", "dW_h", "db"], grads_1,
                               [expected_dx_t, expected_dh_prev, expected_dW_x,
                                expected_dW_h, expected_db]):
    expect_array(f"{name} with N = D = H = 1", got, expected, hint="with N = T = D = H = K = 1 every axis has one entry: keep every axis (no np.squeeze, no .item(), no indexing that drops the batch or the time axis).")
tests_passed("rnn_cell_backward")

# %% [markdown]
# ## 3. Backpropagation through time
#
# `rnn_backward` receives the upstream gradient of **every** hidden state,
# `dhs[:, t-1]` $= \partial E_t / \partial h_t$, through the output at step $t$ only. First
# recompute every hidden state: exercise 1's `rnn_forward` is not part of this notebook, so
# the cell below provides `rnn_states`, a forward pass that you may call (or write the loop
# yourself). Then walk the steps backwards: the total
# gradient of $h_t$ is its own upstream gradient **plus** the gradient carried back from
# step $t+1$,
#
# $$dh_t = \frac{\partial E}{\partial h_t} = \texttt{dhs}[:, t] + dh_{t+1} \frac{\partial h_{t+1}}{\partial h_t},$$
#
# where the second term is the `dh_prev` returned by the step $t+1$ (zero for $t = T$).
# One call of your `rnn_cell_backward` turns $dh_t$ into the gradients of $x_t$, of
# $h_{t-1}$ (carried on to step $t-1$) and of the weights. The weights are shared by every
# step, so their gradients **add up** over the steps. What is carried out of the first
# step is the gradient of `h0`.
#
# `rnn_backward(dhs, x, h0, W_x, W_h, b)`: `dhs` is `(N, T, H)`, `x` is `(N, T, D)`, `h0`
# is `(N, H)`; return `(dx, dh0, dW_x, dW_h, db)` with the shapes of `x`, `h0`, `W_x`,
# `W_h`, `b`. You may call your `rnn_cell_backward` and the provided `rnn_states`.

# %%
# Provided (not graded): the forward pass of exercise 1, so that rnn_backward and the
# gradient check below can recompute the hidden states h_1 .. h_T.
def rnn_states(x, h0, W_x, W_h, b):
    """Every hidden state of a vanilla RNN: hs[:, t-1] is h_t, of shape (N, T, H)."""
    states = []
    h_t = h0
    for x_t in np.moveaxis(x, 1, 0):      # x_t is x[:, t-1], of shape (N, D)
        h_t = np.tanh(x_t @ W_x.T + h_t @ W_h.T + b)
        states.append(h_t)
    return np.stack(states, axis=1)


# %% answer="rnn_backward"

# %% tests="rnn_backward"
begin_tests("rnn_backward", relies_on=["rnn_cell_backward"])
#: case rnn_backward N=2 T=4 D=3 H=2 seed=203
before = inputs_snapshot(dhs=dhs, x=x, h0=h0, W_x=W_x, W_h=W_h, b=b)
dx, dh0, dW_x, dW_h, db = expect_values("rnn_backward(...)",
                                        rnn_backward(dhs, x, h0, W_x, W_h, b), 5)
expect_array("dx", dx, expected_dx,
             hint="in the loop over code indices k = T-1 down to 0, the cell receives "
                  "dhs[:, k] PLUS the dh_prev carried back from index k+1.")
expect_array("dh0", dh0, expected_dh0,
             hint="dh0 is the dh_prev that comes out of code index 0 (the step t = 1), after "
                  "every step was visited.")
expect_array("dW_x", dW_x, expected_dW_x,
             hint="the weights are shared by all steps: add up every step's dW_x "
                  "(do not keep only the last one).")
expect_array("dW_h", dW_h, expected_dW_h,
             hint="add up da_t.T @ h_{t-1} over the steps; at t = 0 the previous state is h0.")
expect_array("db", db, expected_db,
             hint="add up every step's db.")
expect_unchanged("rnn_backward", before)

# The edge sizes: a single step.
#: case rnn_backward N=1 T=1 D=1 H=1 seed=213
grads_1 = expect_values("rnn_backward(...) with N = T = D = H = 1",
                        rnn_backward(dhs, x, h0, W_x, W_h, b), 5)
for name, got, expected in zip(["dx", "dh0", "dW_x", "dW_h", "db"], grads_1,
                               [expected_dx, expected_dh0, expected_dW_x, expected_dW_h,
                                expected_db]):
    expect_array(f"{name} with N = T = D = H = 1", got, expected, hint="with N = T = D = H = K = 1 every axis has one entry: keep every axis (no np.squeeze, no .item(), no indexing that drops the batch or the time axis).")
tests_passed("rnn_backward")

# %% [markdown]
# ## 4. A numerical gradient to check analytic ones with
#
# For a scalar function $f$ of an array $x$, the **central** difference
#
# $$\frac{\partial f}{\partial x_i} \approx \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2\varepsilon}$$
#
# is accurate to $O(\varepsilon^2)$, where the forward difference
# $(f(x + \varepsilon e_i) - f(x)) / \varepsilon$ is only accurate to $O(\varepsilon)$.
# Perturb one element at a time, on a **copy** of `x`: when you return, `x` must hold
# exactly the values it had (note that `x[i] += eps; x[i] -= eps` does not always give the
# original float back).
#
# `numerical_gradient(f, x, eps=1e-5)`: `f` takes an array shaped like `x` and returns a
# number; `x` is a float array of any shape. Return an array shaped like `x`.

# %% answer="numerical_gradient"

# %% tests="numerical_gradient"
begin_tests("numerical_gradient")
# f(x) = sum(x**3) has the gradient 3 x**2.
def cube_sum(v):
    return np.sum(v ** 3)


x = np.array([[0.5, -1.0, 2.0],
              [1.5, 0.0, -0.3]])
before = inputs_snapshot(x=x)
grad = numerical_gradient(cube_sum, x)
expect_unchanged("numerical_gradient", before)
expect_array("numerical_gradient(cube_sum, x)", grad, 3 * x ** 2,
             hint="use central differences (f(x + eps) - f(x - eps)) / (2 * eps), one "
                  "element at a time; forward differences are off by about eps * 3x.")

# With eps = 1e-3 the central difference of x**3 is exactly 3 x**2 + eps**2.
grad = numerical_gradient(cube_sum, x, eps=1e-3)
expect_array("numerical_gradient(cube_sum, x, eps=1e-3)", grad, 3 * x ** 2 + 1e-6,
             hint="use the eps you are given instead of a fixed step.")

# f(x) = (sum of x)**2 couples the entries: its gradient is 2 * sum(x) in every entry.
grad = numerical_gradient(lambda v: np.sum(v) ** 2, x)
expect_array("numerical_gradient of (sum of x)**2", grad, np.full(x.shape, 2 * np.sum(x)),
             hint="put each entry back to its original value before you perturb the next "
                  "one: every f evaluation must differ from x in ONE entry only.")

# Any shape: a 3-D array, f(x) = sum(sin(x) * x) with gradient sin(x) + x cos(x).
x3 = np.linspace(-2.0, 2.0, 12).reshape(2, 3, 2)
grad3 = numerical_gradient(lambda v: np.sum(np.sin(v) * v), x3)
expect_array("numerical_gradient on a (2, 3, 2) array", grad3, np.sin(x3) + x3 * np.cos(x3),
             hint="loop over every index of x (np.ndindex(x.shape) gives them all), not "
                  "only over the rows.")

# The edge size: an array of one entry, f(x) = exp(x) with gradient exp(x).
x1 = np.array([[[0.7]]])
expect_array("numerical_gradient on a (1, 1, 1) array", numerical_gradient(
    lambda v: np.sum(np.exp(v)), x1), np.exp(x1),
    hint="with one entry, the loop must still visit index (0, 0, 0) and keep every axis.")
tests_passed("numerical_gradient")

# %% [markdown]
# ### Gradient checking (not graded)
#
# This is how you check any analytic gradient $d\theta$: compare it with the numerical one,
# $\widehat{d\theta}$, through their relative error of chapter 2,
# $\max_i |d\theta_i - \widehat{d\theta}_i| \,/\, \max_i (|d\theta_i| + |\widehat{d\theta}_i|)$.
# A correct pair agrees to about $10^{-8}$ or better; a wrong one to about $10^{-1}$. The
# cell below checks your `dlogits` from section 1 against your `numerical_gradient` of your
# loss, then every gradient of your `rnn_backward`: for the scalar
# $E = \sum_{n,t} \texttt{dhs} \odot \texttt{hs}$, the upstream gradient of the hidden
# states is exactly `dhs`, so `rnn_backward(dhs, ...)` must match the numerical gradient of
# $E$ with respect to each input. Run it whenever you change `rnn_backward`.

# %%
def relative_error(analytic, numeric):
    return np.max(np.abs(analytic - numeric)) / max(np.max(np.abs(analytic) + np.abs(numeric)),
                                                    1e-300)


rng = np.random.default_rng(0)
logits_check = rng.standard_normal((2, 3, 4))
targets_check = rng.integers(0, 4, size=(2, 3))
_, analytic = softmax_cross_entropy(logits_check, targets_check)
numeric = numerical_gradient(lambda z: softmax_cross_entropy(z, targets_check)[0],
                             logits_check)
print(f"dlogits: relative error {relative_error(analytic, numeric):.1e}")

# A small RNN: N = 2, T = 3, D = 3, H = 4.
inputs = {"x": rng.standard_normal((2, 3, 3)), "h0": rng.standard_normal((2, 4)),
          "W_x": rng.standard_normal((4, 3)), "W_h": 0.5 * rng.standard_normal((4, 4)),
          "b": rng.standard_normal(4)}
dhs_check = rng.standard_normal((2, 3, 4))
analytic = dict(zip(["x", "h0", "W_x", "W_h", "b"],
                    rnn_backward(dhs_check, *inputs.values())))
for name, value in inputs.items():
    def energy(v, name=name):
        return np.sum(dhs_check * rnn_states(**{**inputs, name: v}))

    error = relative_error(analytic[name], numerical_gradient(energy, value))
    verdict = "" if error < 1e-6 else "  <- does not match the numerical gradient"
    print(f"rnn_backward d{name}: relative error {error:.1e}{verdict}")

# %% [markdown]
# ## Before you submit
#
# Restart the kernel and run every cell (*Kernel → Restart Kernel and Run All Cells*;
# *Kernel → Restart & Run All* in the classic notebook). Every test cell above should
# finish without an error. Then save the notebook and submit `02_bptt.ipynb` as your instructor asks.
