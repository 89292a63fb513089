# %% [markdown]
# # Exercise 6 · Training a recurrent language model
#
# In this notebook you build, in NumPy, every piece of a character-level language model
# that the exercises have not built yet: the embedding lookup and its gradient, the
# gradient of the output layer, a cross-entropy loss that skips padded positions, one
# whole forward and backward pass of the model, the Adam update and sampling with a
# temperature. Then, in the last section, **your** functions train the model on a small
# corpus for real, and you compare your loss curve with PyTorch's and read what your
# model writes. The notation is the book's (chapter 6):
#
# $$x_t = \mathbf{E}[w_t], \qquad a_t = x_t W_x^\top + h_{t-1} W_h^\top + b, \qquad
#   h_t = \tanh(a_t),$$
# $$z_t = h_t W_y^\top + b_y, \qquad p_t = \mathrm{softmax}(z_t).$$
#
# The text is a sequence of characters; each character is an integer **id** in
# $0, \dots, V-1$, where $V$ is the size of the vocabulary (the number of output classes,
# $K = V$). $w_t$ is the id read at step $t$ and the target $y^\star_t = w_{t+1}$ is the
# next one. The embedding table $\mathbf{E}$ (bold, the array `E` of shape `(V, D)`) holds
# one learned vector per character; the plain $E$ is, as always, the loss.
#
# **Conventions.** Batches come first: ids are `(N, T)` arrays of `int64`, embedded
# sequences `(N, T, D)`, hidden states `(N, H)`, logits `(N, T, V)`. Steps are numbered
# from 1 in the equations and from 0 in the code: $w_t$ is `ids[:, t-1]`, $h_t$ is
# `hs[:, t-1]`. Weights have the shapes of the math, as PyTorch stores them. A `mask` is a
# boolean `(N, T)` array: `True` where a position counts in the loss. A gradient has the
# shape of what it is the gradient of. Functions are pure: return new arrays, never modify
# an input.
#
# **How to work.** Under each function's heading, replace the line
# `raise NotImplementedError(...)` that follows `# YOUR CODE HERE` with your code, then run
# the test cell below it. A failing test tells you which output, which index, the expected
# and the obtained value, and a likely cause. When all tests pass, restart the kernel and
# run every cell once before you submit (*Kernel → Restart Kernel and Run All Cells* in
# JupyterLab, *Kernel → Restart & Run All* in the classic notebook). Your instructor's
# grader runs more tests than you see here (other shapes and seeds, saturated logits,
# masks with whole rows masked out).
#
# **In your browser** (a chapter's *Open in your browser* button), this notebook is kept in
# the browser's storage for the course site only: clearing the browser's data for the site
# deletes your work. *File → Download* saves the notebook and downloads it: keep that file,
# and submit it.

# %%
import numpy as np

# %% helpers=true

# %% [markdown]
# ## 0. What you bring from earlier exercises
#
# The seven functions of this notebook need nothing from exercises 1–3: `lm_loss_and_grads`
# can run the recurrence itself (a loop of a few lines). The training in section 8 also
# **clips** the gradients by their global norm, with your `clip_by_global_norm` of
# exercise 3. So that it can:
#
# - insert a new cell right below this one (*Insert → Insert Cell Below*, or press `B`)
#   and paste into it your `clip_by_global_norm` from `03_vanishing_gradients.ipynb`:
#   `clip_by_global_norm(grads, max_norm) -> (clipped, total_norm)`, where `grads` is a
#   list of arrays, `total_norm` their joint L2 norm $\lVert d\theta \rVert$, and
#   `clipped` the same arrays, all scaled by `max_norm / total_norm` when `total_norm`
#   exceeds `max_norm`, unchanged otherwise;
# - if you would rather have `lm_loss_and_grads` call your `rnn_forward` and
#   `rnn_backward` (and what they call) from exercises 1 and 2, paste them into the same
#   cell.
#
# That cell is yours: the tests do not read it, and when your instructor grades this
# notebook, whatever a graded function calls from earlier exercises is replaced by a
# correct version, so a mistake made there costs nothing here. Without it, everything
# works except the training, which tells you what it is missing.

# %% [markdown]
# ## 1. The embedding lookup
#
# A character enters the network as the row of the embedding table with its id:
# $x_{n,t} = \mathbf{E}[w_{n,t}]$. (This is the product of a one-hot vector with
# $\mathbf{E}$, computed without building the one-hot vector.) NumPy does it for a whole
# batch at once: indexing an array with an integer array picks rows.
#
# `embed(ids, E)`: `ids` is `(N, T)`, `E` is `(V, D)`; return `x` of shape `(N, T, D)`.

# %% answer="embed"

# %% tests="embed"
begin_tests("embed")
# A small case; the expected values were computed with PyTorch (F.embedding).
#: case embed N=2 T=3 D=4 K=5 seed=601
before = inputs_snapshot(ids=ids, E=E)
expect_array("embed(ids, E)",
             call(embed, ids, E, hint="pick ROWS of E: E[ids] is (N, T, D). E[:, ids] "
                                      "picks columns, and an id may exceed D - 1."),
             expected_x, hint="x[n, t] is the row E[ids[n, t]], of length D: E[ids], not "
                              "E[:, ids].")
expect_unchanged("embed", before)

# By hand: row v of this table is [v, 10 v], and id 2 appears twice.
table = np.array([[0.0, 0.0], [1.0, 10.0], [2.0, 20.0]])
x_rows = call(embed, np.array([[2, 0, 2]]), table)
expect_array("embed([[2, 0, 2]], table)", x_rows,
             np.array([[[2.0, 20.0], [0.0, 0.0], [2.0, 20.0]]]),
             hint="pick ROWS of E (E[ids]), not columns (E[:, ids]).")
x_rows[0, 1, 0] = 99.0
expect_array("the table after writing into embed's result", table[:1], np.zeros((1, 2)),
             hint="return a new array, not a view of E.")
expect_array("embed with N = T = D = V = 1", call(embed, np.array([[0]]), np.array([[1.5]])),
             np.array([[[1.5]]]), hint="keep every axis: the result is (N, T, D) = (1, 1, 1).")
tests_passed("embed")

# %% [markdown]
# ## 2. The gradient of the embedding table
#
# Row $j$ of $\mathbf{E}$ was used at every position where $w_{n,t} = j$, so its
# gradient is the **sum** of the gradients $dx_{n,t}$ that reached those positions:
#
# $$d\mathbf{E}[j] = \sum_{(n, t)\,:\; w_{n,t} = j} dx_{n,t},$$
#
# and zero for an id that does not occur. Careful: for an index array with repeats,
# `dE[ids] += dx` adds only **one** of the repeated contributions (NumPy evaluates
# `dE[ids] + dx` and then writes each row, the last write winning). Loop, or use
# `np.add.at`, which adds once per occurrence.
#
# `embed_backward(dx, ids, V)`: `dx` is `(N, T, D)`, `ids` is `(N, T)`, `V` an int; return
# `dE` of shape `(V, D)`.

# %% answer="embed_backward"

# %% tests="embed_backward"
begin_tests("embed_backward")
# The expected values are PyTorch's autograd through F.embedding.
#: case embed_backward N=2 T=3 D=4 K=5 seed=602
before = inputs_snapshot(dx=dx, ids=ids)
expect_array("embed_backward(dx, ids, V)", call(embed_backward, dx, ids, V), expected_dE,
             hint="dE[v] sums dx[n, t] over EVERY position where ids[n, t] == v; with "
                  "repeated ids, dE[ids] += dx keeps only one of them (use np.add.at or "
                  "a loop).")
expect_unchanged("embed_backward", before)

# By hand: id 1 appears three times, id 3 never.
ids_rep = np.array([[1, 1, 0], [1, 2, 0]])
dx_rep = np.arange(12.0).reshape(2, 3, 2)
expect_array("embed_backward with repeated ids", call(embed_backward, dx_rep, ids_rep, 4),
             np.array([[4.0 + 10.0, 5.0 + 11.0],
                       [0.0 + 2.0 + 6.0, 1.0 + 3.0 + 7.0],
                       [8.0, 9.0],
                       [0.0, 0.0]]),
             hint="every occurrence of an id adds its dx; an id that does not occur gets "
                  "a row of zeros; dE has V rows even if the largest id is smaller.")
tests_passed("embed_backward")

# %% [markdown]
# ## 3. The gradient of the output layer
#
# The logits $z_{n,t} = h_{n,t} W_y^\top + b_y$ are computed at every step with the same
# $W_y$ and $b_y$. Given $dz$ $= \partial E / \partial z$, of shape `(N, T, V)`:
#
# $$dh_{n,t} = dz_{n,t} W_y, \qquad dW_y = \sum_{n,t} dz_{n,t}^\top h_{n,t}, \qquad
#   db_y = \sum_{n,t} dz_{n,t}.$$
#
# The weight gradients sum over the batch **and** over the steps. (Reshaping `(N, T, V)`
# to `(N*T, V)` turns the double sum into one matrix product.)
#
# `output_backward(dz, hs, W_y)`: `dz` is `(N, T, V)`, `hs` is `(N, T, H)`, `W_y` is
# `(V, H)`; return `(dhs, dW_y, db_y)` with the shapes of `hs`, `W_y` and `(V,)`.

# %% answer="output_backward"

# %% tests="output_backward"
begin_tests("output_backward")
# The expected values are PyTorch's autograd through nn.Linear. H = 3 and V = 5 differ.
#: case output_backward N=2 T=3 H=3 K=5 seed=603
before = inputs_snapshot(dz=dz, hs=hs, W_y=W_y)
dhs, dW_y, db_y = expect_values(
    "output_backward(dz, hs, W_y)",
    call(output_backward, dz, hs, W_y,
         hint="dhs is dz times W_y, (N, T, K) times (K, H), with no transpose (z = hs "
              "times W_y transposed); dW_y sums dz[n, t]^T h[n, t] over the batch and the "
              "steps."), 3)
expect_array("dhs", dhs, expected_dhs,
             hint="dhs is dz times W_y: (N, T, V) times (V, H), no transpose.")
expect_array("dW_y", dW_y, expected_dW_y,
             hint="dW_y sums dz[n, t]^T h[n, t] over the batch AND the steps: shape (V, H).")
expect_array("db_y", db_y, expected_db_y,
             hint="db_y sums dz over the first two axes (axis=(0, 1)): shape (V,).")
expect_unchanged("output_backward", before)

#: case output_backward N=1 T=1 H=1 K=1 seed=613
grads_1 = expect_values("output_backward(...) with N = T = H = V = 1",
                        call(output_backward, dz, hs, W_y), 3)
for name, got, expected in zip(["dhs", "dW_y", "db_y"], grads_1,
                               [expected_dhs, expected_dW_y, expected_db_y]):
    expect_array(f"{name} with N = T = H = V = 1", got, expected,
                 hint="keep every axis (no np.squeeze, no indexing that drops one).")
tests_passed("output_backward")

# %% [markdown]
# ## 4. A loss that skips padding
#
# Sequences in a batch may be shorter than $T$: the positions after a sequence's length
# $\ell_n$ are padding, and a batch may even hold a row with nothing to predict. A mask
# $\mu_{n,t} \in \{0, 1\}$ (mu, for mask) says which positions count. With
# $M = \sum_{n,t} \mu_{n,t}$ positions counted (at least one),
#
# $$E = -\frac{1}{M} \sum_{n,t} \mu_{n,t} \log p_{n,t,\,y^\star_{n,t}}, \qquad
#   \frac{\partial E}{\partial z_{n,t}} = \frac{\mu_{n,t}}{M}
#   \left(p_{n,t} - \mathrm{onehot}(y^\star_{n,t})\right).$$
#
# A masked position adds nothing to the loss **and nothing to the gradient**. Compute
# $\log p$ stably, as in exercise 2: $\log \mathrm{softmax}(z) = (z - \bar z) - \log
# \sum_j e^{z_j - \bar z}$ with $\bar z = \max_j z_j$. (PyTorch's `cross_entropy` with `ignore_index` does
# the same.) The targets at masked positions are valid ids, but any value you compute
# there must be multiplied by zero or left out.
#
# `masked_cross_entropy(logits, targets, mask)`: `logits` is `(N, T, V)`, `targets` an
# integer `(N, T)` array, `mask` a boolean `(N, T)` array; return `(loss, dlogits)`, the
# loss a Python float and `dlogits` of shape `(N, T, V)`.

# %% answer="masked_cross_entropy"

# %% tests="masked_cross_entropy"
begin_tests("masked_cross_entropy")
# Three rows: one full, one padded, one masked out entirely. Expected values: PyTorch's
# cross_entropy(ignore_index=...) and its autograd.
#: case masked_cross_entropy N=3 T=4 K=5 seed=604
before = inputs_snapshot(logits=logits, targets=targets, mask=mask)
loss, dlogits = expect_values("masked_cross_entropy(logits, targets, mask)",
                              call(masked_cross_entropy, logits, targets, mask), 2)
expect_array("loss", loss, expected_loss,
             hint="average over the MASKED-IN positions only: divide the sum by the number "
                  "of True entries of mask, not by N*T.")
expect_array("dlogits", dlogits, expected_dlogits,
             hint="dlogits = mask * (softmax(logits) - one_hot(targets)) / M: zero at every "
                  "masked position (the mask applies to the gradient as well as the loss).")
expect_unchanged("masked_cross_entropy", before)

# By hand: only (0, 0) and (1, 1) count, with probabilities 3/4 and 1/2 of the target.
logits_h = np.array([[[0.0, np.log(3.0)], [50.0, -50.0]], [[7.0, 1.0], [2.0, 2.0]]])
loss_h, dlogits_h = masked_cross_entropy(logits_h, np.array([[1, 1], [1, 0]]),
                                         np.array([[True, False], [False, True]]))
expect_array("loss of the hand example", loss_h, (-np.log(0.75) - np.log(0.5)) / 2,
             hint="two positions count: the mean of -log(3/4) and -log(1/2).")
expect_array("dlogits of the hand example", dlogits_h,
             np.array([[[0.125, -0.125], [0.0, 0.0]], [[0.0, 0.0], [-0.25, 0.25]]]),
             hint="(p - one_hot) / M at the two counted positions, exactly 0 elsewhere.")

# Logits in the thousands: log p must stay finite.
loss_big, _ = masked_cross_entropy(np.array([[[1000.0, 0.0], [0.0, -1000.0]]]),
                                   np.array([[0, 1]]), np.array([[True, True]]))
expect_array("loss for logits near 1000", loss_big, 500.0,
             hint="subtract each row's maximum before exp, and compute log p directly as "
                  "(z - max) - log(sum(exp(z - max))), never log(softmax(z)).")
tests_passed("masked_cross_entropy")

# %% [markdown]
# ## 5. One pass of the language model
#
# Put the pieces together over one chunk of text. Forward:
#
# $$x_t = \mathbf{E}[w_t], \quad h_t = \tanh(x_t W_x^\top + h_{t-1} W_h^\top + b)
#   \quad (t = 1, \dots, T),$$
# $$z_t = h_t W_y^\top + b_y, \quad
#   E = \texttt{masked\_cross\_entropy}(z, y^\star, \mu).$$
#
# Backward, in the reverse order: `masked_cross_entropy` gives $dz$; `output_backward`
# gives the gradient `dhs` that reaches each $h_t$ from its output, and $dW_y$, $db_y$;
# backpropagation through time (exercise 2) walks the steps from $T$ down to 1 with
#
# $$da_t = (dh^{\text{out}}_t + dh_t^{\text{carried}}) \odot (1 - h_t^2), \quad
#   dx_t = da_t W_x,$$
# $$dW_x \mathrel{+}= da_t^\top x_t, \quad dW_h \mathrel{+}= da_t^\top h_{t-1}, \quad
#   db \mathrel{+}= \textstyle\sum_n da_t,$$
#
# where $dh^{\text{out}}_t$ is what reaches $h_t$ from its output and
# $dh_t^{\text{carried}} = da_{t+1} W_h$ what step $t+1$ sends back (zero at $t = T$);
# finally `embed_backward` turns $dx$ into $d\mathbf{E}$. In the code, step $t$ is index
# `t-1`: a loop `for k in reversed(range(T))` visits `hs[:, k]` $= h_{k+1}$ from $h_T$ down to
# $h_1$, its output gradient is `dhs[:, k]`, and its previous state is `hs[:, k-1]`, or
# `h0` when `k == 0`. Write the recurrence's two loops here (or call the `rnn_forward` and
# `rnn_backward` you pasted in section 0).
#
# The text is long, so training cuts it into chunks of $T$ steps and carries the hidden
# state from one chunk to the next: return `h_last`, the state $h_T$ after the chunk's
# last step, which the next chunk starts from. The gradient stops at the chunk's border
# (**truncated** BPTT): `h0` is an input, not a parameter.
#
# `lm_loss_and_grads(params, ids, targets, mask, h0)`: `params` is a dict with the keys
# `E (V, D)`, `W_x (H, D)`, `W_h (H, H)`, `b (H,)`, `W_y (V, H)`, `b_y (V,)`; `ids`,
# `targets` and `mask` are `(N, T)`, `h0` is `(N, H)`. Return `(loss, grads, h_last)`:
# the loss as a float, a dict `grads` with the same keys and shapes as `params`, and
# `h_last` of shape `(N, H)`. You may call your functions of sections 1–4.

# %% answer="lm_loss_and_grads"

# %% tests="lm_loss_and_grads"
begin_tests("lm_loss_and_grads",
            relies_on=["embed", "embed_backward", "output_backward", "masked_cross_entropy"])
# The expected values are PyTorch's: nn.Embedding -> nn.RNN -> nn.Linear ->
# cross_entropy(ignore_index=...), and autograd. D = 3, H = 4 and V = 5 differ.
#: case lm_loss_and_grads N=2 T=3 D=3 H=4 K=5 seed=605
before = inputs_snapshot(**params, ids=ids, targets=targets, mask=mask, h0=h0)
loss, grads, h_last = expect_values(
    "lm_loss_and_grads(params, ids, targets, mask, h0)",
    call(lm_loss_and_grads, params, ids, targets, mask, h0), 3)
expect_array("h_last", h_last, expected_h_last,
             hint="h_last is h_T, the hidden state after the LAST step (hs[:, T-1]); the "
                  "recurrence starts from h0 and reads x = E[ids].")
expect_array("loss", loss, expected_loss,
             hint="the logits are z = hs @ W_y.T + b_y at every step; the loss is your "
                  "masked_cross_entropy of them.")
if not isinstance(grads, dict) or set(grads) != set(params):
    fail(f"grads should be a dict with the keys {sorted(params)}; got "
         f"{sorted(grads) if isinstance(grads, dict) else type(grads).__name__}.")
for key, hint in [
        ("b_y", "db_y sums dlogits over the batch and the steps."),
        ("W_y", "dW_y sums dz^T h over the batch and the steps (output_backward)."),
        ("b", "in the loop over code indices k = T-1 down to 0, da = (dhs[:, k] + the "
              "gradient carried back from index k+1) * (1 - hs[:, k]**2); db adds up da "
              "over the batch and the steps."),
        ("W_h", "dW_h adds up da.T @ (the previous state): hs[:, k-1] at code index k, and "
                "h0 at index 0."),
        ("W_x", "dW_x adds up da.T @ x[:, k] at every code index k, with x = E[ids]."),
        ("E", "dx_t = da_t @ W_x, then dE = embed_backward(dx, ids, V): repeated ids add "
              "up.")]:
    expect_array(f"grads[{key!r}]", grads[key], expected_grads[key], hint=hint)
expect_unchanged("lm_loss_and_grads", before)
tests_passed("lm_loss_and_grads")

# %% [markdown]
# ## 6. The Adam update
#
# Adam keeps, for every parameter entry, a running mean of its gradient and of its square,
# and steps by their ratio, so that every entry moves by about the learning rate $\eta$
# whatever the scale of its gradient. The book counts Adam's updates with $s = 1, 2, \dots$
# (the letter $t$ is the time step) and writes $d\theta_s$ for the gradient of a parameter
# $\theta$ at update $s$; in the code, the update number is the argument `t`. Starting from
# $m_0 = v_0 = 0$, update $s$ computes
#
# $$m_s = \beta_1 m_{s-1} + (1 - \beta_1)\, d\theta_s, \qquad
#   v_s = \beta_2 v_{s-1} + (1 - \beta_2)\, d\theta_s^2,$$
# $$\hat m_s = \frac{m_s}{1 - \beta_1^{\,s}}, \qquad
#   \hat v_s = \frac{v_s}{1 - \beta_2^{\,s}}, \qquad
#   \theta_s = \theta_{s-1} - \eta\, \frac{\hat m_s}{\sqrt{\hat v_s} + \epsilon}.$$
#
# The **bias correction** divides out the weight that the zero start still has: after $s$
# updates with a constant gradient $d\theta$, $m_s = (1 - \beta_1^{\,s})\, d\theta$, so
# $\hat m_s = d\theta$ exactly. The corrected $\hat m_s$ and $\hat v_s$ are used for the step
# only: what you return, and what the next update builds on, are $m_s$ and $v_s$. Note where
# $\epsilon$ goes: **outside** the square root, as in PyTorch (it matters when gradients are
# as small as $\epsilon$).
#
# `adam_step(param, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8)`: `param`, `grad`,
# `m` and `v` are arrays of one shape, `t` the update number $s$ (from 1); return the new
# `(param, m, v)`, all new arrays.

# %% answer="adam_step"

# %% tests="adam_step"
begin_tests("adam_step")
# By hand first: the first update (t = 1) from zero moments, with lr = 0.1. Then
# m = (1 - beta1) grad = 0.1 grad and v = (1 - beta2) grad**2 = 0.001 grad**2, the bias
# correction makes m_hat = grad and v_hat = grad**2, and the step is
# lr * grad / (|grad| + eps): a gradient of 1 moves by lr, one of 1e-8 = eps by lr / 2.
grad_1, zeros = np.array([1.0, 1e-8, -4.0]), np.zeros(3)
before = inputs_snapshot(param=zeros, grad=grad_1)
param_1, m_1, v_1 = expect_values("adam_step(zeros, grad, zeros, zeros, 1, 0.1)",
                                  call(adam_step, zeros, grad_1, zeros, zeros, 1, 0.1), 3)
expect_array(
    "param after the first update (t = 1)", param_1, -0.1 * grad_1 / (np.abs(grad_1) + 1e-8),
    hint="t counts from 1: at t = 1, m_hat = m / (1 - beta1**1) = grad and v_hat = "
         "v / (1 - beta2**1) = grad**2; the step is lr * m_hat / (sqrt(v_hat) + eps).",
    mistakes=[(-0.01 * grad_1 / (np.sqrt(0.001 * grad_1 ** 2) + 1e-8),
               "no bias correction: from zero moments, m / sqrt(v) is 0.1 / sqrt(0.001) = "
               "3.2 times too large at the first update. Divide m by 1 - beta1**t and v by "
               "1 - beta2**t."),
              (-0.1 * grad_1 / (np.sqrt(0.001 * grad_1 ** 2) + 1e-8),
               "m is bias-corrected but v is not: divide v by 1 - beta2**t as well."),
              (-0.01 / 0.19 * grad_1 / (np.sqrt(0.001 / 0.001999 * grad_1 ** 2) + 1e-8),
               "t counts from 1: at the first update t = 1 and 1 - beta1**t = 0.1, not "
               "1 - beta1**2 = 0.19 (no t + 1 in the exponents)."),
              (np.full(3, np.nan),
               "t counts from 1: with t - 1 in the exponents, 1 - beta1**0 = 0 and the first "
               "update divides by zero."),
              (-0.01 / 0.19 * grad_1 / (np.abs(grad_1) + 1e-8),
               "t counts from 1: at the first update t = 1 and 1 - beta1**t = 0.1, not "
               "1 - beta1**2 = 0.19 (no t + 1 in the exponent of beta1)."),
              (-0.1 * grad_1 / np.sqrt(grad_1 ** 2 + 1e-8),
               "eps is inside the square root: sqrt(v_hat + eps) turns the step of the "
               "gradient 1e-8 from lr / 2 into almost nothing. Write sqrt(v_hat) + eps, "
               "as PyTorch does.")])
expect_array("m after the first update", m_1, 0.1 * grad_1,
             hint="m moves a fraction 1 - beta1 of the way towards grad: from zero, "
                  "0.1 * grad.",
             mistakes=[(grad_1, "you returned the bias-corrected m_hat = grad. Return m "
                                "itself: the next update builds on m, and corrects it "
                                "afresh for its own t.")])
expect_array("v after the first update", v_1, 0.001 * grad_1 ** 2,
             hint="v moves a fraction 1 - beta2 of the way towards grad**2: from zero, "
                  "0.001 * grad**2.",
             mistakes=[(grad_1 ** 2, "you returned the bias-corrected v_hat = grad**2. "
                                     "Return v itself, as for m.")])
expect_unchanged("adam_step", before)

# A later update (t > 1) with moments already built up and hyper-parameters other than the
# defaults; the expected values are torch.optim.Adam's.
#: case adam_step N=2 T=2 D=3 H=2 K=4 seed=621
before = inputs_snapshot(param=param, grad=grad, m=m, v=v)
new_param, new_m, new_v = expect_values(
    "adam_step(param, grad, m, v, t, lr, beta1, beta2, eps)",
    call(adam_step, param, grad, m, v, t, lr, beta1, beta2, eps), 3)
expect_array("m", new_m, expected_m,
             hint="m moves a fraction 1 - beta1 of the way towards grad, with the beta1 "
                  "you are given (not the default 0.9).")
expect_array("v", new_v, expected_v,
             hint="v moves a fraction 1 - beta2 of the way towards the SQUARE of the "
                  "gradient, with the beta2 you are given.")
expect_array("param", new_param, expected_param,
             hint="bias-correct both moments with this t, m / (1 - beta1**t) and "
                  "v / (1 - beta2**t), then param - lr * m_hat / (sqrt(v_hat) + eps), with "
                  "the lr and eps you are given.")
expect_unchanged("adam_step", before)
tests_passed("adam_step")

# %% [markdown]
# ## 7. Sampling with a temperature
#
# A trained model writes text one character at a time: read an id, compute the
# distribution of the next one, draw from it, and feed the drawn id back as the next
# input. The **temperature** $\tau$ divides the logits before the softmax,
# $p = \mathrm{softmax}(z / \tau)$: below 1 it sharpens the distribution (towards always
# the likeliest character), above 1 it flattens it (towards uniform noise). A small $\tau$
# makes $z / \tau$ large: subtract its maximum before `np.exp`, as in every softmax.
#
# To make the draw testable, you are given the uniform numbers `u`, one $\xi \in [0, 1)$
# (xi) per draw: draw number `i` (from 0) uses $\xi$ = `u[i]` and, by the **inverse CDF**,
# picks the smallest id $k$ whose cumulative probability $p_0 + \dots + p_k$ exceeds $\xi$
# (`np.searchsorted(np.cumsum(p), u[i], side="right")` finds it; should rounding leave every
# cumulative sum at or below $\xi$, take the last id, $V - 1$).
#
# `sample(params, h0, first_id, length, temperature, u)`: `params` as in section 5, `h0`
# of shape `(H,)` (one sequence, no batch axis), `first_id` and `length` ints, `u` of
# shape `(length,)`. Feed `first_id` first; return the `length` generated ids as an
# `int64` array of shape `(length,)` (`first_id` itself is not included).

# %% answer="sample"

# %% tests="sample"
begin_tests("sample")
# Expected values: the same procedure written with torch (nn.RNNCell, torch.searchsorted).
#: case sample N=1 T=8 D=3 H=4 K=5 seed=607
before = inputs_snapshot(**params, h0=h0, u=u)
expect_array("sample(params, h0, first_id, length, temperature, u)",
             call(sample, params, h0, first_id, length, temperature, u), expected_ids,
             hint="each step reads the PREVIOUS generated id (first_id only at the first "
                  "step), updates h, and draws from softmax(z / temperature) with u[i].")
expect_unchanged("sample", before)

# By hand: with zero weights, p = softmax(b_y / temperature) = [0.2, 0.3, 0.5] at every
# step; the cumulative sums are [0.2, 0.5, 1.0].
def zero_model(p):
    """A model whose next id has the probabilities p at every step (at temperature 1)."""
    V = len(p)
    return {"E": np.zeros((V, 1)), "W_x": np.zeros((1, 1)), "W_h": np.zeros((1, 1)),
            "b": np.zeros(1), "W_y": np.zeros((V, 1)), "b_y": np.log(p)}


expect_array("sample of the zero model with u = [0, 0.19, 0.2, 0.49, 0.51, 0.999]",
             call(sample, zero_model([0.2, 0.3, 0.5]), np.zeros(1), 0, 6, 1.0,
                  np.array([0.0, 0.19, 0.2, 0.49, 0.51, 0.999])),
             np.array([0, 0, 1, 1, 2, 2]),
             hint="draw the smallest id whose cumulative probability EXCEEDS u (strictly), "
                  "not the likeliest id (argmax).")
# Temperature 1/2 squares the probabilities: [0.04, 0.09, 0.25] / 0.38.
expect_array("sample of the zero model at temperature 0.5 with u = [0.1, 0.35]",
             call(sample, zero_model([0.2, 0.3, 0.5]), np.zeros(1), 0, 2, 0.5,
                  np.array([0.1, 0.35])),
             np.array([0, 2]), hint="divide the logits by the temperature before the softmax.")
# Rounding: the cumulative sums of p = [0.2, 0.6, 0.2] end at 0.9999999999999998 in
# floating point, below u = 0.9999999999999999 (the largest float under 1). No sum exceeds
# u, so the draw is the last id, V - 1 = 2.
expect_array("sample of p = [0.2, 0.6, 0.2] with u just below 1",
             call(sample, zero_model([0.2, 0.6, 0.2]), np.zeros(1), 0, 1, 1.0,
                  np.array([np.nextafter(1.0, 0.0)])),
             np.array([2]),
             hint="when rounding leaves every cumulative probability at or below u, take the "
                  "last id, V - 1: np.searchsorted then returns V, one past the last id, so "
                  "clip it with min(..., V - 1).")
# A low temperature: z / temperature = [0, 500, 1000] here, and exp(1000) overflows unless
# the maximum is subtracted first. Overflow is turned into an error.
overflow = None
try:
    with np.errstate(over="raise"):
        cold = call(sample, zero_model(np.exp([0.0, 5.0, 10.0])), np.zeros(1), 0, 3, 0.01,
                    np.array([0.1, 0.5, 0.9]))
except FloatingPointError as error:
    overflow = error
if overflow:
    fail(f"sample overflowed at temperature 0.01, where z / temperature reaches 1000 "
         f"({overflow}).", "subtract the maximum of z / temperature before np.exp: the "
         "softmax is unchanged and the largest exponent is 0.")
expect_array("sample at temperature 0.01 (z / temperature = [0, 500, 1000])", cold,
             np.array([2, 2, 2]), hint="at a low temperature the likeliest id is drawn "
                                       "almost surely.")
# A model that predicts id v + 1 after reading id v (mod 4), almost surely at temperature
# 0.1: the sample must climb 1, 2, 3, 0, ..., which it does only if each id is fed back.
climb = {"E": 10 * np.eye(4), "W_x": np.eye(4), "W_h": np.zeros((4, 4)), "b": np.zeros(4),
         "W_y": 10 * np.roll(np.eye(4), 1, axis=0), "b_y": np.zeros(4)}
expect_array("sample of the counting model from id 0", call(
    sample, climb, np.zeros(4), 0, 6, 0.1, np.full(6, 0.5)), np.array([1, 2, 3, 0, 1, 2]),
    hint="feed each generated id back as the next input (not first_id every time), and "
         "carry h from step to step.")
tests_passed("sample")

# %% [markdown]
# ## 8. Training your model (not graded)
#
# Everything is in place. The corpus is a made-up nursery rhyme that the program below
# writes (the book's chapter 6 trains on the same text): couplets of two lines, *who did
# where the what*, whose last words rhyme, and a blank line after every second couplet,
# about 50 kB. The same program, from other seeds, writes sixteen short poems that the
# model never trains on: the **held-out** text, on which we measure how well the model
# predicts text it has not seen (chapter 6 explains why that, and not the training loss,
# is the honest measure).

# %%
import random

WHO = ["the cat", "a fox", "my dog", "the king", "a mouse", "old tom", "the queen", "a frog"]
DID = ["sat", "ran", "hid", "sang", "fell", "slept"]
WHERE = ["on", "by", "in", "near"]
RHYMES = [("wall", "hall"), ("hill", "mill"), ("tree", "sea"), ("door", "floor"),
          ("night", "light"), ("bed", "shed"), ("moon", "spoon"), ("lane", "rain"),
          ("gate", "plate"), ("town", "crown")]


def make_corpus(couplets=960, seed=6):
    """A made-up nursery rhyme: couplets of two lines `who did where the word`, whose last
    words rhyme, and a blank line after every second couplet. Every choice is uniform
    among its options; the text is deterministic for a given seed."""
    rng = random.Random(seed)

    def line(word, stop):
        return f"{rng.choice(WHO)} {rng.choice(DID)} {rng.choice(WHERE)} the {word}{stop}\n"

    verses = []
    for k in range(couplets):
        first, second = rng.choice(RHYMES)
        verses.append(line(first, ",") + line(second, "."))
        if k % 2:
            verses.append("\n")
    return "".join(verses)


text = make_corpus()                                                    # for training
held_out = [make_corpus(couplets=10, seed=100 + k) for k in range(16)]  # never trained on
chars = sorted(set(text))
V = len(chars)


def encode(verse):
    """The ids of the characters of a string."""
    return np.array([chars.index(c) for c in verse], dtype=np.int64)


text_ids = encode(text)
print(f"{len(text)} characters to train on, {sum(map(len, held_out))} held out; "
      f"a vocabulary of V = {V}: {''.join(chars)!r}\n")
print(text[:206])

# %% [markdown]
# **Batches and truncated BPTT.** The text is cut into $N = 32$ streams of equal length
# that are read side by side, $T = 64$ characters at a time; the hidden state is carried
# from one chunk to the next (and reset to zero at the start of each pass over the text,
# an *epoch*). The last chunk of a stream is shorter than $T$: it is padded, and the mask
# leaves the padding out of the loss. The held-out poems differ in length, so they form one
# padded batch with a mask too. Every step clips the gradients to a global norm of 1
# (exercise 3) and applies Adam with $\eta = 0.03$. The model has $D = 16$ and $H = 64$;
# its initial weights are drawn the way PyTorch draws them, from a fixed seed. PyTorch
# trained the same model (`nn.Embedding`, `nn.RNN`, `nn.Linear`, float64), from the same
# initial weights, on the same chunks; its loss at every step and its held-out loss after
# every epoch are stored below, so that you can compare without installing PyTorch.

# %%
N_STREAMS, T_CHUNK, D_EMBED, H_HIDDEN = 32, 64, 16, 64
LR, MAX_NORM, EPOCHS = 0.03, 1.0, 8
STREAM = (len(text_ids) - 1) // N_STREAMS          # characters per stream
stream_inputs = text_ids[:N_STREAMS * STREAM].reshape(N_STREAMS, STREAM)
stream_targets = text_ids[1:N_STREAMS * STREAM + 1].reshape(N_STREAMS, STREAM)


def chunks():
    """The chunks of one epoch, in order: (ids, targets, mask), each (N, T)."""
    for k in range(0, STREAM, T_CHUNK):
        ids_k = stream_inputs[:, k:k + T_CHUNK]
        mask_k = np.ones((N_STREAMS, T_CHUNK), dtype=bool)
        mask_k[:, ids_k.shape[1]:] = False                  # padding of the last chunk
        pad = ((0, 0), (0, T_CHUNK - ids_k.shape[1]))
        yield np.pad(ids_k, pad), np.pad(stream_targets[:, k:k + T_CHUNK], pad), mask_k


def padded(poems):
    """Whole poems as one batch: (ids, targets, mask), each (N, T), padded to the longest."""
    T = max(map(len, poems)) - 1
    ids, targets = np.zeros((2, len(poems), T), dtype=np.int64)
    mask = np.zeros((len(poems), T), dtype=bool)
    for n, poem in enumerate(poems):
        poem_ids = encode(poem)
        ids[n, :len(poem) - 1], targets[n, :len(poem) - 1] = poem_ids[:-1], poem_ids[1:]
        mask[n, :len(poem) - 1] = True
    return ids, targets, mask


def initial_params(seed=0):
    """PyTorch's initialisation: E ~ N(0, 1), everything else ~ U(-1/sqrt(H), 1/sqrt(H))."""
    rng = np.random.default_rng(seed)
    k = 1 / np.sqrt(H_HIDDEN)
    return {"E": rng.standard_normal((V, D_EMBED)),
            "W_x": rng.uniform(-k, k, (H_HIDDEN, D_EMBED)),
            "W_h": rng.uniform(-k, k, (H_HIDDEN, H_HIDDEN)),
            "b": rng.uniform(-k, k, H_HIDDEN),
            "W_y": rng.uniform(-k, k, (V, H_HIDDEN)), "b_y": rng.uniform(-k, k, V)}


held_out_batch = padded(held_out)


# PyTorch's loss at each of the 8 * 25 steps, and on the held-out poems after each epoch
# (the book's chapter 6 computes them).
TORCH_LOSSES = np.array([
    3.340272, 2.778548, 2.746900, 2.287654, 2.108963, 1.911754, 1.764367, 1.599304,
    1.476538, 1.349151, 1.231111, 1.140874, 1.068890, 0.998202, 0.889701, 0.850647,
    0.775347, 0.694250, 0.652286, 0.625040, 0.583116, 0.570961, 0.541882, 0.521031,
    0.497846, 0.551544, 0.467631, 0.459633, 0.429237, 0.426601, 0.418648, 0.402258,
    0.386122, 0.393634, 0.397897, 0.387018, 0.385007, 0.368993, 0.369869, 0.374008,
    0.362402, 0.364017, 0.355708, 0.366987, 0.348637, 0.358183, 0.365568, 0.354222,
    0.359993, 0.357643, 0.432417, 0.350812, 0.362496, 0.352092, 0.354060, 0.354015,
    0.347508, 0.340444, 0.347454, 0.361237, 0.348802, 0.359755, 0.348691, 0.346152,
    0.348863, 0.336907, 0.351082, 0.343488, 0.346296, 0.341870, 0.338783, 0.357822,
    0.340865, 0.347954, 0.347641, 0.408311, 0.342059, 0.354269, 0.346400, 0.347221,
    0.345463, 0.336858, 0.333022, 0.341671, 0.350439, 0.336800, 0.351657, 0.343160,
    0.340695, 0.349440, 0.337551, 0.350438, 0.340113, 0.334674, 0.340275, 0.338952,
    0.353643, 0.337273, 0.341432, 0.341057, 0.383216, 0.343123, 0.346379, 0.340614,
    0.344678, 0.343529, 0.335634, 0.328501, 0.335911, 0.345737, 0.338902, 0.351078,
    0.339484, 0.335907, 0.340430, 0.337130, 0.344990, 0.337467, 0.336255, 0.336513,
    0.337624, 0.345311, 0.335062, 0.339565, 0.343037, 0.372673, 0.336902, 0.340946,
    0.337671, 0.342658, 0.340632, 0.335042, 0.325163, 0.336906, 0.345853, 0.335639,
    0.346927, 0.340222, 0.336491, 0.340094, 0.336122, 0.341200, 0.336924, 0.333117,
    0.331217, 0.337432, 0.343532, 0.332506, 0.337332, 0.339814, 0.363039, 0.335361,
    0.339509, 0.336260, 0.339521, 0.339502, 0.334999, 0.325126, 0.336848, 0.347902,
    0.335647, 0.344838, 0.337955, 0.335708, 0.340255, 0.334425, 0.340814, 0.335745,
    0.332498, 0.330084, 0.338695, 0.343173, 0.331780, 0.336180, 0.338938, 0.355870,
    0.335855, 0.339778, 0.336800, 0.339556, 0.339986, 0.335169, 0.324764, 0.338046,
    0.350331, 0.335831, 0.342834, 0.337330, 0.335790, 0.339472, 0.333441, 0.340397,
    0.335168, 0.331008, 0.329258, 0.338437, 0.343850, 0.332154, 0.336361, 0.337900])
TORCH_HELD_OUT = np.array([
    0.483216, 0.359659, 0.344738, 0.344679, 0.339386, 0.338079, 0.338467, 0.337941])

# %% [markdown]
# The training loop below calls your `lm_loss_and_grads`, your `clip_by_global_norm` and
# your `adam_step`; after every epoch it runs your `lm_loss_and_grads` once more on the
# held-out poems, from a zero state, and keeps only the loss (no update). The loss of an
# epoch is the mean over its characters: the last chunk, which is shorter, counts for the
# characters it holds. The loop runs only once the tests of sections 1–7 pass. With the
# reference solutions it takes a few seconds on a laptop; a loop-heavy solution may take
# longer, but well under a minute. **Self-check:** the held-out loss of the last epoch
# should fall below 0.36 nats per character (a perplexity below 1.43: the model hesitates
# between fewer than two characters on average), and your curve should lie on PyTorch's.

# %%
import time

TRAINING = ["embed", "embed_backward", "output_backward", "masked_cross_entropy",
            "lm_loss_and_grads", "adam_step", "sample"]
unfinished = not_passed(TRAINING)
if unfinished:
    print("Finish the exercises above first: the visible tests of "
          f"{', '.join(unfinished)} have not passed (since the kernel started).")
elif "clip_by_global_norm" not in globals():
    print("Paste your clip_by_global_norm from exercise 3 into a cell of section 0 and run "
          "it: the training clips the gradients with it.")
else:
    params_lm = initial_params()
    moments = {key: (np.zeros_like(p), np.zeros_like(p)) for key, p in params_lm.items()}
    losses, characters, held_out_losses = [], [], []
    step, started = 0, time.perf_counter()
    for epoch in range(EPOCHS):
        h = np.zeros((N_STREAMS, H_HIDDEN))
        for ids_k, targets_k, mask_k in chunks():
            loss, grads, h = lm_loss_and_grads(params_lm, ids_k, targets_k, mask_k, h)
            keys = list(params_lm)
            clipped, _ = clip_by_global_norm([grads[key] for key in keys], MAX_NORM)
            step += 1
            for key, g in zip(keys, clipped):
                m_key, v_key = moments[key]
                params_lm[key], m_key, v_key = adam_step(params_lm[key], g, m_key, v_key,
                                                         step, LR)
                moments[key] = (m_key, v_key)
            losses.append(loss)
            characters.append(mask_k.sum())
        per_epoch = len(losses) // (epoch + 1)                 # this epoch's steps
        epoch_loss = np.average(losses[-per_epoch:], weights=characters[-per_epoch:])
        held_out_losses.append(lm_loss_and_grads(
            params_lm, *held_out_batch, np.zeros((len(held_out), H_HIDDEN)))[0])
        print(f"epoch {epoch + 1}: training loss {epoch_loss:.3f}, held-out loss "
              f"{held_out_losses[-1]:.3f} (perplexity {np.exp(held_out_losses[-1]):.2f}), "
              f"{time.perf_counter() - started:.1f} s")
    verdict = "below" if held_out_losses[-1] < 0.36 else "NOT below"
    print(f"Held-out loss after the last epoch: {held_out_losses[-1]:.3f}, {verdict} the bound "
          f"0.36. Largest difference from PyTorch: "
          f"{np.max(np.abs(np.array(losses) - TORCH_LOSSES)):.1e} (training steps), "
          f"{np.max(np.abs(np.array(held_out_losses) - TORCH_HELD_OUT)):.1e} (held out).")

# %% [markdown]
# Your curve and PyTorch's (top), and the difference between them at every step (bottom, on
# a log scale). They start from the same weights and see the same chunks, so if your
# gradients are right the curves coincide: no gap is visible at the top, and at the bottom
# the difference stays around $10^{-6}$ or below. (It is not exactly zero: the two
# programs add up their numbers in different orders, and PyTorch's clipping divides by the
# norm plus $10^{-6}$.) A wrong gradient shows at the bottom long before it shows at the
# top: the difference then grows to $10^{-3}$ and more within a few steps. The small bumps
# at the top are the epochs: the first chunk of each pass starts from a zero state.

# %%
import matplotlib.pyplot as plt

fig, (top, bottom) = plt.subplots(2, 1, figsize=(6.4, 5.2), sharex=True)
top.plot(TORCH_LOSSES, color="0.6", linewidth=3, label="PyTorch")
trained = "losses" in globals() and len(losses) == len(TORCH_LOSSES)
if trained:
    top.plot(losses, color="C0", linewidth=1, label="your NumPy model")
    bottom.semilogy(np.abs(np.array(losses) - TORCH_LOSSES), color="C0", linewidth=1)
else:
    top.set_title("(your curve appears here once your model has trained)")
top.set_ylabel("loss E (nats per character)")
top.legend()
bottom.set_xlabel("Adam step")
bottom.set_ylabel("|your loss - PyTorch's|")
fig.tight_layout()
plt.show()

# %% [markdown]
# What your model writes, from a newline and a zero state, at two temperatures. At 1 it
# draws from its own distribution: real words, lines of the right shape, and sometimes an
# odd one; the text at temperature 1 is, letter for letter, the one that the book's model
# writes at the end of its training. At 0.5 it prefers its likeliest characters: fewer
# mistakes, less variety. Do the couplets rhyme? Whether the second line remembers the
# first line's last word, twenty-odd characters back, is the long-range dependency of
# chapter 3; chapter 6 measures how a vanilla RNN and a GRU fare on it.

# %%
if "losses" in globals() and len(losses) == len(TORCH_LOSSES):
    uniforms = np.random.default_rng(1).uniform(size=300)
    for temperature in (1.0, 0.5):
        generated = sample(params_lm, np.zeros(H_HIDDEN), chars.index("\n"), 300,
                           temperature, uniforms)
        print(f"--- temperature {temperature} ---")
        print("".join(chars[i] for i in generated))
else:
    print("Train the model above first.")

# %% [markdown]
# ## Before you submit
#
# Restart the kernel and run every cell (*Kernel → Restart Kernel and Run All Cells*;
# *Kernel → Restart & Run All* in the classic notebook). Every test cell above should
# finish without an error. Then save the notebook and submit `06_language_model.ipynb`
# as your instructor asks.
