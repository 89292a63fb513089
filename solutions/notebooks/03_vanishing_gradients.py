# %% [markdown]
# # Exercise 3 · Vanishing and exploding gradients
#
# In this notebook you measure, in NumPy, how the gradient of a vanilla RNN shrinks or
# grows as it travels back in time, and you write the usual remedy for the growing case,
# gradient clipping by global norm. The notation is the book's (chapter 3). One step is
# $h_t = \tanh(x_t W_x^\top + h_{t-1} W_h^\top + b)$, and its Jacobian with respect to the
# previous state is
#
# $$J_t = \frac{\partial h_t}{\partial h_{t-1}} = \mathrm{diag}(1 - h_t^2)\, W_h,$$
#
# so the gradient that reaches $h_k$ from a loss at step $T$ is multiplied by the product
# $J_T J_{T-1} \cdots J_{k+1}$: it vanishes when those factors are small (a spectral
# radius of $W_h$ below 1, or saturated units with $1 - h_t^2 \approx 0$) and can explode
# when they are large.
#
# **Conventions.** Weights have the shapes of the math, as PyTorch stores them: `W_x` is
# `(H, D)`, `W_h` is `(H, H)`, `b` is `(H,)`, so the code computes `x_t @ W_x.T`. This
# notebook follows **one** sequence at a time: `x` is `(T, D)` and a state is `(H,)`.
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
# ## 1. The Jacobian of one step
#
# $$J = \frac{\partial h_t}{\partial h_{t-1}} = \mathrm{diag}(1 - h_t^2)\, W_h,
#   \qquad J[i, j] = (1 - h_t[i]^2)\, W_h[i, j]:$$
#
# row $i$ of $W_h$ is scaled by the slope of unit $i$'s tanh. A saturated unit
# ($h_t[i] = \pm 1$) passes no gradient at all.
#
# `tanh_jacobian(h_t, W_h)`: `h_t` is `(H,)` (one example), `W_h` is `(H, H)`; return
# `J` of shape `(H, H)`.

# %% answer="tanh_jacobian"

# %% tests="tanh_jacobian"
begin_tests("tanh_jacobian")
# A small case; the expected values were computed with PyTorch (autograd).
#: case tanh_jacobian H=3 seed=301
before = inputs_snapshot(h_t=h_t, W_h=W_h)
J = tanh_jacobian(h_t, W_h)
expect_array("tanh_jacobian(h_t, W_h)", J, expected_jacobian,
             hint="J = diag(1 - h_t**2) @ W_h: row i is scaled by 1 - h_t[i]**2 "
                  "(not W_h @ diag(...), not W_h.T).")
expect_unchanged("tanh_jacobian", before)

# By hand: unit 0 is saturated (h = 1), unit 1 sits at h = 0 where tanh has slope 1.
J_hand = tanh_jacobian(np.array([1.0, 0.0]), np.array([[1.0, 2.0],
                                                       [3.0, 4.0]]))
expect_array("tanh_jacobian with h_t = [1, 0]", J_hand, np.array([[0.0, 0.0],
                                                                  [3.0, 4.0]]),
             hint="a saturated unit i zeroes ROW i of J (its output no longer moves), "
                  "so J = diag(1 - h_t**2) @ W_h.")

# The edge size H = 1: J is the (1, 1) matrix [[(1 - h**2) * w]].
expect_array("tanh_jacobian with H = 1", tanh_jacobian(np.array([0.5]), np.array([[2.0]])),
             np.array([[1.5]]), hint="with T = D = H = 1 every axis has one entry: keep every axis (no np.squeeze, no .item(), no indexing that drops an axis).")
tests_passed("tanh_jacobian")

# %% [markdown]
# ## 2. How far back does the gradient reach?
#
# Take one sequence and a loss $E$ whose gradient reaches only the last state,
# $\partial E / \partial h_T = $ `dh_T`. Run the forward pass keeping $h_0, \dots, h_T$,
# then go back one step at a time with the chain rule (a row vector times the Jacobian):
#
# $$\frac{\partial E}{\partial h_{t-1}} = \frac{\partial E}{\partial h_t}\, J_t,
#   \qquad J_t = \mathrm{diag}(1 - h_t^2)\, W_h .$$
#
# Return the norms $\lVert \partial E / \partial h_t \rVert_2$ for $t = 0, \dots, T$
# (entry $T$ is $\lVert$`dh_T`$\rVert$, entry 0 belongs to the initial state $h_0$).
# In the code, entry `t` of the result belongs to $h_t$, and $h_t$ for $t \ge 1$ is the state
# after reading `x[t-1]`. Plotted against $T - t$, the norms show the gradient vanishing or
# exploding.
#
# `gradient_norms(x, h0, W_x, W_h, b, dh_T)`: `x` is `(T, D)`, `h0` and `dh_T` are `(H,)`;
# return an array of shape `(T + 1,)`. You may call your `tanh_jacobian`.

# %% answer="gradient_norms"

# %% tests="gradient_norms"
begin_tests("gradient_norms", relies_on=["tanh_jacobian"])
#: case gradient_norms T=4 D=3 H=2 seed=302
before = inputs_snapshot(x=x, h0=h0, W_x=W_x, W_h=W_h, b=b, dh_T=dh_T)
norms = gradient_norms(x, h0, W_x, W_h, b, dh_T)
expect_array("gradient_norms(...)[T]", np.asarray(norms)[-1:], expected_norms[-1:],
             hint="the array has T + 1 entries and the LAST one is ||dh_T|| itself.")
expect_array("gradient_norms(...)", norms, expected_norms,
             hint="go back with dh_prev = dh @ J_t (a row vector times J_t, i.e. "
                  "J_t.T @ dh), using J_t built from h_t, the state AFTER step t; "
                  "entry 0 belongs to h0.")
expect_unchanged("gradient_norms", before)

# By hand: with W_h = 0 the state forgets its past at once, so no gradient reaches any
# state before h_T.
norms_zero = gradient_norms(x, h0, W_x, np.zeros_like(W_h), b, np.array([3.0, 4.0]))
expect_array("gradient_norms with W_h = 0", norms_zero, np.array([0.0, 0.0, 0.0, 0.0, 5.0]),
             hint="entry t is the norm of dE/dh_t for t = 0 .. T in this order, with "
                  "norms[T] = ||dh_T|| = 5 here.")

# The edge sizes: one step, one feature, one unit (T + 1 = 2 norms).
#: case gradient_norms T=1 D=1 H=1 seed=312
expect_array("gradient_norms(...) with T = D = H = 1", gradient_norms(x, h0, W_x, W_h, b, dh_T),
             expected_norms, hint="with T = D = H = 1 every axis has one entry: keep every axis (no np.squeeze, no .item(), no indexing that drops an axis).")
tests_passed("gradient_norms")

# %% [markdown]
# ### Vanishing or exploding? Reproduce the book's figure (not graded)
#
# Run this once your `gradient_norms` passes: it redraws the measurement of chapter 3
# (the figure "Measured gradient norm against the distance") with your own code. The
# recurrent matrix is $W_h = \rho\, Q$ with $Q$ a random orthogonal matrix, $H = 32$, over
# $T = 60$ steps. Left: with tiny inputs every state stays near 0, where tanh has slope 1,
# so each step back multiplies the gradient by $W_h$ alone and the norm follows
# $\rho^{\,T-t}$. Right: with inputs of unit scale the units saturate and the gradient
# vanishes even for $\rho = 1.2$.

# %%
import matplotlib.pyplot as plt

rng = np.random.default_rng(3)
H_demo, T_demo, D_demo = 32, 60, 4
Q, _ = np.linalg.qr(rng.standard_normal((H_demo, H_demo)))
W_x_demo = rng.standard_normal((H_demo, D_demo)) / np.sqrt(D_demo)
v = rng.standard_normal(H_demo)
v = v / np.linalg.norm(v)     # dE/dh_T: a unit vector
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
for ax, scale, title in zip(axes, [1e-3, 1.0], ["tiny inputs", "inputs of unit scale"]):
    x_demo = scale * rng.standard_normal((T_demo, D_demo))
    for rho, style in zip([0.8, 1.0, 1.2], ["-", "--", ":"]):
        norms_demo = gradient_norms(x_demo, np.zeros(H_demo), W_x_demo, rho * Q,
                                    np.zeros(H_demo), v)
        ax.semilogy(np.arange(T_demo + 1), norms_demo[::-1], style, color="black",
                    label=f"rho = {rho}")
    ax.set_title(title)
    ax.set_xlabel("distance T - t")
axes[0].set_ylabel("||dE/dh_t||")
axes[0].legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 3. Clipping by global norm
#
# Exploding gradients are tamed by rescaling them before the update. Treat all the
# gradients of a model, the arrays `grads[0]`, `grads[1]`, ..., as one long vector
# $d\theta$: their **global** norm is
#
# $$\lVert d\theta \rVert = \sqrt{\textstyle\sum_k \sum_{\text{entries}} \texttt{grads[k]}^2}.$$
#
# If it exceeds the threshold $\gamma$ = `max_norm`, multiply **every** gradient by the same
# factor `max_norm / total_norm` (this keeps the direction of the update and gives it norm
# `max_norm`); otherwise return them unchanged.
#
# `clip_by_global_norm(grads, max_norm)`: `grads` is a list of arrays of any shapes,
# `max_norm` a positive float; return `(clipped, total_norm)`: a list of new arrays shaped
# like `grads`, and the global norm **before** clipping as a float.

# %% answer="clip_by_global_norm"

# %% tests="clip_by_global_norm"
begin_tests("clip_by_global_norm")
# Three gradients whose global norm exceeds max_norm: they must be scaled down.
#: case clip_by_global_norm N=2 T=2 D=3 H=2 K=2 seed=305
before = inputs_snapshot(grads=grads)
clipped, total_norm = expect_values("clip_by_global_norm(grads, max_norm)",
                                    clip_by_global_norm(grads, max_norm), 2)
expect_array("total_norm", total_norm, expected_total_norm,
             hint="total_norm is the square root of the sum of squares of EVERY entry of "
                  "EVERY gradient (one norm for the whole list), computed before clipping.")
expect_values("clipped", clipped, len(grads))
for k in range(len(grads)):
    expect_array(f"clipped[{k}]", clipped[k], expected_clipped[k],
                 hint="when total_norm > max_norm, multiply every gradient by the same "
                      "factor max_norm / total_norm.")
expect_unchanged("clip_by_global_norm", before)

# Two gradients whose global norm is below max_norm: they come back unchanged.
#: case clip_by_global_norm N=2 T=2 D=3 H=2 K=2 seed=304
before = inputs_snapshot(grads=grads)
clipped, total_norm = expect_values("clip_by_global_norm(grads, max_norm)",
                                    clip_by_global_norm(grads, max_norm), 2)
expect_array("total_norm (no clipping)", total_norm, expected_total_norm,
             hint="return the global norm even when no clipping is needed.")
expect_values("clipped", clipped, len(grads))
for k in range(len(grads)):
    expect_array(f"clipped[{k}] (no clipping)", clipped[k], grads[k],
                 hint="clip only when total_norm > max_norm; otherwise leave the gradients "
                      "as they are.")
    if np.shares_memory(clipped[k], grads[k]):
        fail(f"clipped[{k}] is grads[{k}] itself (or a view of it), so changing the result "
             "would change the gradients.",
             "returning the input arrays when nothing is clipped; return new arrays, e.g. "
             "copies.")
expect_unchanged("clip_by_global_norm", before)

# By hand: [3] and [[4]] have global norm 5; clipped to norm 1 they become 0.6 and 0.8.
clipped, total_norm = clip_by_global_norm([np.array([3.0]), np.array([[4.0]])], 1.0)
expect_array("total_norm of [3] and [[4]]", total_norm, 5.0,
             hint="the global norm is sqrt(3**2 + 4**2) = 5, not the sum of the norms.")
expect_array("clipped[0] of [3]", clipped[0], np.array([0.6]),
             hint="scale by max_norm / total_norm = 1 / 5.")
expect_array("clipped[1] of [[4]]", clipped[1], np.array([[0.8]]),
             hint="scale by max_norm / total_norm = 1 / 5 and keep each gradient's shape.")

# Gradients at very different scales: the global norm is dominated by the largest one,
# and every gradient, however small, is scaled by the same factor 1 / 1000.
clipped, total_norm = clip_by_global_norm([np.array([1000.0]), np.array([1e-6])], 1.0)
expect_array("total_norm of [1000] and [1e-6]", total_norm, 1000.0,
             hint="sum the squares of all entries first, then take ONE square root.")
expect_array("clipped[1] of [1e-6] (scaled by 1 / 1000)", clipped[1], np.array([1e-9]),
             hint="every gradient is multiplied by the SAME factor max_norm / total_norm, "
                  "not clipped on its own.")

# The edge size: a list of one gradient with one entry.
clipped, total_norm = clip_by_global_norm([np.array([-2.0])], 1.0)
expect_array("total_norm of the single gradient [-2]", total_norm, 2.0,
             hint="the norm is the square root of the sum of SQUARES (|-2| = 2).")
expect_array("clipped[0] of the single gradient [-2]", clipped[0], np.array([-1.0]),
             hint="scale by max_norm / total_norm = 1 / 2 and keep the sign.")
tests_passed("clip_by_global_norm")

# %% [markdown]
# ## Before you submit
#
# Restart the kernel and run every cell (*Kernel → Restart Kernel and Run All Cells*;
# *Kernel → Restart & Run All* in the classic notebook). Every test cell above should
# finish without an error. Then save the notebook and submit `03_vanishing_gradients.ipynb` as your
# instructor asks.
