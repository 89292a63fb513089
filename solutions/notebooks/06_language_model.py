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
# $$x_t = \mathbf{E}[c_t], \qquad a_t = x_t W_x^\top + h_{t-1} W_h^\top + b, \qquad
#   h_t = \tanh(a_t), \qquad z_t = h_t W_y^\top + b_y, \qquad p_t = \mathrm{softmax}(z_t).$$
#
# The text is a sequence of characters; each character is an integer **id** in
# $0, \dots, V-1$, where $V$ is the size of the vocabulary (the number of output classes,
# $K = V$). $c_t$ is the id read at step $t$ and the target $y^\star_t = c_{t+1}$ is the
# next one. The embedding table $\mathbf{E}$ (bold, the array `E` of shape `(V, D)`) holds
# one learned vector per character; the plain $E$ is, as always, the loss.
#
# **Conventions.** Batches come first: ids are `(N, T)` arrays of `int64`, embedded
# sequences `(N, T, D)`, hidden states `(N, H)`, logits `(N, T, V)`. Steps are numbered
# from 1 in the equations and from 0 in the code: $c_t$ is `ids[:, t-1]`, $h_t$ is
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
#   and paste into it your `clip_by_global_norm` from `03_vanishing_gradients.ipynb`;
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
# $x_{n,t} = \mathbf{E}[c_{n,t}]$. (This is the product of a one-hot vector with
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
expect_array("embed(ids, E)", embed(ids, E), expected_x,
             hint="x[n, t] is the row E[ids[n, t]], of length D.")
expect_unchanged("embed", before)

# By hand: row v of this table is [v, 10 v], and id 2 appears twice.
table = np.array([[0.0, 0.0], [1.0, 10.0], [2.0, 20.0]])
expect_array("embed([[2, 0, 2]], table)", embed(np.array([[2, 0, 2]]), table),
             np.array([[[2.0, 20.0], [0.0, 0.0], [2.0, 20.0]]]),
             hint="pick ROWS of E (E[ids]), not columns (E[:, ids]).")
x_1 = embed(np.array([[0]]), np.array([[1.5]]))
expect_array("embed with N = T = D = V = 1", x_1, np.array([[[1.5]]]),
             hint="keep every axis: the result is (N, T, D) = (1, 1, 1).")
x_1[0, 0, 0] = 99.0
expect_array("the table after writing into embed's result", table[:1], np.zeros((1, 2)),
             hint="return a new array, not a view of E.")
tests_passed("embed")

# %% [markdown]
# ## 2. The gradient of the embedding table
#
# Row $v$ of $\mathbf{E}$ was used at every position where $c_{n,t} = v$, so its
# gradient is the **sum** of the gradients $dx_{n,t}$ that reached those positions:
#
# $$d\mathbf{E}[v] = \sum_{(n, t)\,:\; c_{n,t} = v} dx_{n,t},$$
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
expect_array("embed_backward(dx, ids, V)", embed_backward(dx, ids, V), expected_dE,
             hint="dE[v] sums dx[n, t] over EVERY position where ids[n, t] == v; with "
                  "repeated ids, dE[ids] += dx keeps only one of them (use np.add.at or "
                  "a loop).")
expect_unchanged("embed_backward", before)

# By hand: id 1 appears three times, id 3 never.
ids_rep = np.array([[1, 1, 0], [1, 2, 0]])
dx_rep = np.arange(12.0).reshape(2, 3, 2)
expect_array("embed_backward with repeated ids", embed_backward(dx_rep, ids_rep, 4),
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
dhs, dW_y, db_y = expect_values("output_backward(dz, hs, W_y)",
                                output_backward(dz, hs, W_y), 3)
expect_array("dhs", dhs, expected_dhs,
             hint="dhs is dz times W_y: (N, T, V) times (V, H), no transpose.")
expect_array("dW_y", dW_y, expected_dW_y,
             hint="dW_y sums dz[n, t]^T h[n, t] over the batch AND the steps: shape (V, H).")
expect_array("db_y", db_y, expected_db_y,
             hint="db_y sums dz over the first two axes (axis=(0, 1)): shape (V,).")
expect_unchanged("output_backward", before)

#: case output_backward N=1 T=1 H=1 K=1 seed=613
grads_1 = expect_values("output_backward(...) with N = T = H = V = 1",
                        output_backward(dz, hs, W_y), 3)
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
# $m_{n,t} \in \{0, 1\}$ says which positions count. With $M = \sum_{n,t} m_{n,t}$
# positions counted (at least one),
#
# $$E = -\frac{1}{M} \sum_{n,t} m_{n,t} \log p_{n,t,\,y^\star_{n,t}}, \qquad
#   \frac{\partial E}{\partial z_{n,t}} = \frac{m_{n,t}}{M}
#   \left(p_{n,t} - \mathrm{onehot}(y^\star_{n,t})\right).$$
#
# A masked position adds nothing to the loss **and nothing to the gradient**. Compute
# $\log p$ stably, as in exercise 2: $\log \mathrm{softmax}(z) = (z - m) - \log \sum_j
# e^{z_j - m}$ with $m = \max_j z_j$. (PyTorch's `cross_entropy` with `ignore_index` does
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
                              masked_cross_entropy(logits, targets, mask), 2)
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
# $$x = \mathbf{E}[c], \quad h_t = \tanh(x_t W_x^\top + h_{t-1} W_h^\top + b)
#   \ (t = 1, \dots, T), \quad z_t = h_t W_y^\top + b_y, \quad
#   E = \texttt{masked\_cross\_entropy}(z, y^\star, m).$$
#
# Backward, in the reverse order: `masked_cross_entropy` gives $dz$; `output_backward`
# gives the gradient `dhs` that reaches each $h_t$ from its output, and $dW_y$, $db_y$;
# backpropagation through time (exercise 2) walks the steps from $T$ down to 1 with
#
# $$da_t = (dhs_t + dh_{t+1}^{\text{carried}}) \odot (1 - h_t^2), \quad
#   dx_t = da_t W_x, \quad dW_x \mathrel{+}= da_t^\top x_t, \quad
#   dW_h \mathrel{+}= da_t^\top h_{t-1}, \quad db \mathrel{+}= \textstyle\sum_n da_t,$$
#
# carrying $da_t W_h$ back to step $t-1$; finally `embed_backward` turns $dx$ into
# $d\mathbf{E}$. Write the recurrence's two loops here (or call the `rnn_forward` and
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
    lm_loss_and_grads(params, ids, targets, mask, h0), 3)
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
        ("b", "at step t, da = (dhs[:, t] + the gradient carried back from t+1) * "
              "(1 - h_t**2), for t from T-1 down to 0; db adds up da over the batch and "
              "the steps."),
        ("W_h", "dW_h adds up da_t^T h_{t-1}; at step 0 the previous state is h0."),
        ("W_x", "dW_x adds up da_t^T x_t, with x = E[ids]."),
        ("E", "dx_t = da_t @ W_x, then dE = embed_backward(dx, ids, V): repeated ids add "
              "up.")]:
    expect_array(f"grads[{key!r}]", grads[key], expected_grads[key], hint=hint)
expect_unchanged("lm_loss_and_grads", before)
tests_passed("lm_loss_and_grads")

# %% [markdown]
# ## 6. The Adam update
#
# Adam keeps, for every parameter entry, a running mean of its gradient $g$ and of its
# square, and steps by their ratio, so that every entry moves by about the learning rate
# $\eta$ whatever the scale of its gradient. At step $t = 1, 2, \dots$ (with
# $m_0 = v_0 = 0$):
#
# $$m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g, \qquad
#   v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g^2,$$
# $$\hat m_t = \frac{m_t}{1 - \beta_1^t}, \qquad \hat v_t = \frac{v_t}{1 - \beta_2^t},
#   \qquad \theta \leftarrow \theta - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}.$$
#
# The **bias correction** divides out the weight that the zero start still has: after $t$
# steps of a constant gradient $g$, $m_t = (1 - \beta_1^t)\, g$, so $\hat m_t = g$
# exactly. Note where $\epsilon$ goes: **outside** the square root, as in PyTorch (it
# matters when gradients are as small as $\epsilon$).
#
# `adam_step(param, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8)`: `param`, `grad`,
# `m` and `v` are arrays of one shape, `t` the step number (from 1); return the new
# `(param, m, v)`, all new arrays.

# %% answer="adam_step"

# %% tests="adam_step"
begin_tests("adam_step")
# A step t > 1 with moments already built up; the expected values are torch.optim.Adam's.
#: case adam_step N=2 T=2 D=3 H=2 K=4 seed=621
before = inputs_snapshot(param=param, grad=grad, m=m, v=v)
new_param, new_m, new_v = expect_values("adam_step(param, grad, m, v, t, lr, ...)",
                                        adam_step(param, grad, m, v, t, lr, beta1, beta2,
                                                  eps), 3)
expect_array("m", new_m, expected_m,
             hint="m moves a fraction 1 - beta1 of the way towards grad, with the beta1 "
                  "you are given.")
expect_array("v", new_v, expected_v,
             hint="v moves a fraction 1 - beta2 of the way towards the SQUARE of the "
                  "gradient.")
expect_array("param", new_param, expected_param,
             hint="bias-correct both moments, m / (1 - beta1**t) and v / (1 - beta2**t), "
                  "then param - lr * m_hat / (sqrt(v_hat) + eps).")
expect_unchanged("adam_step", before)

# By hand, at t = 1: m_hat = grad and v_hat = grad**2, so the step is
# lr * grad / (|grad| + eps). A gradient of 1 moves by lr; one of 1e-8 = eps by lr / 2.
param_1, _, _ = adam_step(np.zeros(2), np.array([1.0, 1e-8]), np.zeros(2), np.zeros(2),
                          1, 0.1)
expect_array("param after the first step from zero moments", param_1,
             np.array([-0.1 / (1 + 1e-8), -0.05]),
             hint="without bias correction the first step is about 3 times too small; "
                  "with eps inside the square root, sqrt(v_hat + eps), a gradient of 1e-8 "
                  "barely moves.")
tests_passed("adam_step")

# %% [markdown]
# ## 7. Sampling with a temperature
#
# A trained model writes text one character at a time: read an id, compute the
# distribution of the next one, draw from it, and feed the drawn id back as the next
# input. The **temperature** $\tau$ divides the logits before the softmax,
# $p = \mathrm{softmax}(z / \tau)$: below 1 it sharpens the distribution (towards always
# the likeliest character), above 1 it flattens it (towards uniform noise).
#
# To make the draw testable, you are given the uniform numbers $u_i \in [0, 1)$: draw id
# $i$ by the **inverse CDF**, the smallest id $k$ whose cumulative probability
# $p_0 + \dots + p_k$ exceeds $u_i$ (`np.searchsorted(np.cumsum(p), u_i, side="right")`
# finds it; should rounding leave every cumulative sum at or below $u_i$, take the last
# id, $V - 1$).
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
             sample(params, h0, first_id, length, temperature, u), expected_ids,
             hint="each step reads the PREVIOUS generated id (first_id only at the first "
                  "step), updates h, and draws from softmax(z / temperature) with u[i].")
expect_unchanged("sample", before)

# By hand: with zero weights, p = softmax(b_y / temperature) = [0.2, 0.3, 0.5] at every
# step; the cumulative sums are [0.2, 0.5, 1.0].
zero_model = {"E": np.zeros((3, 1)), "W_x": np.zeros((1, 1)), "W_h": np.zeros((1, 1)),
              "b": np.zeros(1), "W_y": np.zeros((3, 1)), "b_y": np.log([0.2, 0.3, 0.5])}
expect_array("sample of the zero model with u = [0, 0.19, 0.2, 0.49, 0.51, 0.999]",
             sample(zero_model, np.zeros(1), 0, 6, 1.0,
                    np.array([0.0, 0.19, 0.2, 0.49, 0.51, 0.999])),
             np.array([0, 0, 1, 1, 2, 2]),
             hint="draw the smallest id whose cumulative probability EXCEEDS u (strictly), "
                  "not the likeliest id (argmax).")
# Temperature 1/2 squares the probabilities: [0.04, 0.09, 0.25] / 0.38.
expect_array("sample of the zero model at temperature 0.5 with u = [0.1, 0.35]",
             sample(zero_model, np.zeros(1), 0, 2, 0.5, np.array([0.1, 0.35])),
             np.array([0, 2]), hint="divide the logits by the temperature before the softmax.")
# A model that predicts id v + 1 after reading id v (mod 4), almost surely at temperature
# 0.1: the sample must climb 1, 2, 3, 0, ..., which it does only if each id is fed back.
climb = {"E": 10 * np.eye(4), "W_x": np.eye(4), "W_h": np.zeros((4, 4)), "b": np.zeros(4),
         "W_y": 10 * np.roll(np.eye(4), 1, axis=0), "b_y": np.zeros(4)}
expect_array("sample of the counting model from id 0", sample(
    climb, np.zeros(4), 0, 6, 0.1, np.full(6, 0.5)), np.array([1, 2, 3, 0, 1, 2]),
    hint="feed each generated id back as the next input (not first_id every time), and "
         "carry h from step to step.")
tests_passed("sample")

# %% [markdown]
# ## 8. Training your model (not graded)
#
# Everything is in place. The corpus is a made-up nursery rhyme that the program below
# writes (the book's chapter 6 trains on the same text): couplets of two lines whose last
# words rhyme, a blank line after every second couplet, about 20 kB. A reader recognises
# its words and rhythm at once; a model has to discover them from the characters alone.

# %%
import random


def make_corpus(couplets=320, seed=6):
    """A made-up nursery rhyme: couplets whose two lines end in a rhyming pair,
    a blank line after every second couplet. Deterministic for a given seed."""
    rng = random.Random(seed)
    who = ["the cat", "the fox", "a crow", "my dog", "the king", "a mouse", "the cook",
           "old tom", "the queen", "a frog", "the baker", "my aunt"]
    did = ["sat", "ran", "sang", "slept", "hid", "danced", "looked", "fell", "sighed", "dreamed"]
    where = ["on", "by", "in", "near", "under", "behind"]
    rhymes = [("wall", "hall"), ("hill", "mill"), ("tree", "sea"), ("door", "floor"),
              ("night", "light"), ("bed", "shed"), ("moon", "spoon"), ("lane", "rain"),
              ("gate", "plate"), ("town", "crown")]
    verses = []
    for k in range(couplets):
        a, b = rng.choice(rhymes)
        verses.append(f"{rng.choice(who)} {rng.choice(did)} {rng.choice(where)} the {a},\n"
                      f"{rng.choice(['and', 'but', 'while'])} {rng.choice(who)} "
                      f"{rng.choice(did)} {rng.choice(where)} the {b}.\n")
        if k % 2:
            verses.append("\n")
    return "".join(verses)


text = make_corpus()
chars = sorted(set(text))
V = len(chars)
text_ids = np.array([chars.index(c) for c in text], dtype=np.int64)
print(f"{len(text)} characters, a vocabulary of V = {V}: {''.join(chars)!r}")
print(text[:200])

# %% [markdown]
# **Batches and truncated BPTT.** The text is cut into $N = 16$ streams of equal length
# that are read side by side, $T = 32$ characters at a time; the hidden state is carried
# from one chunk to the next (and reset to zero at the start of each pass over the text,
# an *epoch*). The last chunk of a stream is shorter than $T$: it is padded, and the mask
# leaves the padding out of the loss. Every step clips the gradients to a global norm of
# 1 (exercise 3) and applies Adam with $\eta = 0.01$. The model has $D = 16$ and
# $H = 64$; its initial weights are drawn the way PyTorch draws them, from a fixed seed.
# PyTorch trained the same model (`nn.Embedding`, `nn.RNN`, `nn.Linear`, float64), from
# the same initial weights, on the same chunks; its loss at every step is stored below, so
# that you can compare without installing PyTorch.

# %%
N_STREAMS, T_CHUNK, D_EMBED, H_HIDDEN = 16, 32, 16, 64
LR, MAX_NORM, EPOCHS = 0.01, 1.0, 12
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


def initial_params(seed=0):
    """PyTorch's initialisation: E ~ N(0, 1), everything else ~ U(-1/sqrt(H), 1/sqrt(H))."""
    rng = np.random.default_rng(seed)
    k = 1 / np.sqrt(H_HIDDEN)
    return {"E": rng.standard_normal((V, D_EMBED)),
            "W_x": rng.uniform(-k, k, (H_HIDDEN, D_EMBED)),
            "W_h": rng.uniform(-k, k, (H_HIDDEN, H_HIDDEN)),
            "b": rng.uniform(-k, k, H_HIDDEN),
            "W_y": rng.uniform(-k, k, (V, H_HIDDEN)), "b_y": rng.uniform(-k, k, V)}


# PyTorch's loss at each of the 12 * 40 steps (the book's chapter 6 computes it).
TORCH_LOSSES = np.array([
    3.330482, 3.108880, 2.867486, 2.737447, 2.658553, 2.601535, 2.404104, 2.372096,
    2.306297, 2.205902, 2.219302, 2.123571, 2.025303, 1.937586, 1.901678, 1.863059,
    1.827999, 1.752413, 1.723103, 1.659486, 1.548008, 1.450569, 1.522725, 1.432013,
    1.505060, 1.279796, 1.323518, 1.323790, 1.246692, 1.303798, 1.248605, 1.186889,
    1.178416, 1.193414, 1.093918, 1.111007, 1.013561, 1.006885, 1.005032, 0.906970,
    1.062510, 0.907657, 0.855669, 0.945065, 0.811078, 0.831742, 0.817951, 0.810265,
    0.745057, 0.707791, 0.832235, 0.734689, 0.708658, 0.721513, 0.736017, 0.682230,
    0.692024, 0.665739, 0.645497, 0.645422, 0.608995, 0.598323, 0.633723, 0.606215,
    0.622407, 0.563887, 0.596208, 0.546780, 0.545017, 0.578790, 0.541774, 0.550394,
    0.547232, 0.554402, 0.525558, 0.543214, 0.513565, 0.513549, 0.497591, 0.303855,
    0.719243, 0.514801, 0.509152, 0.540547, 0.503189, 0.485284, 0.486315, 0.503225,
    0.471862, 0.469215, 0.527939, 0.485693, 0.455156, 0.456491, 0.500757, 0.447014,
    0.454278, 0.449980, 0.452262, 0.463046, 0.445090, 0.438580, 0.455062, 0.430604,
    0.458392, 0.413109, 0.450250, 0.411502, 0.419753, 0.432885, 0.411204, 0.413006,
    0.421340, 0.438861, 0.411562, 0.429896, 0.406792, 0.406895, 0.408031, 0.173869,
    0.631102, 0.420623, 0.406608, 0.432097, 0.406528, 0.407565, 0.406586, 0.434876,
    0.416112, 0.410077, 0.441856, 0.422761, 0.407296, 0.385100, 0.427643, 0.390081,
    0.393510, 0.391889, 0.401856, 0.411952, 0.398922, 0.396969, 0.425627, 0.385700,
    0.412454, 0.368855, 0.407524, 0.374106, 0.381489, 0.396975, 0.379965, 0.379933,
    0.388898, 0.409111, 0.377259, 0.386704, 0.383573, 0.387181, 0.390596, 0.153709,
    0.576967, 0.381608, 0.383832, 0.410742, 0.390088, 0.384786, 0.369976, 0.389042,
    0.379443, 0.384986, 0.410348, 0.406074, 0.376890, 0.363708, 0.404836, 0.384046,
    0.368234, 0.369702, 0.385567, 0.391398, 0.378251, 0.375994, 0.410993, 0.373132,
    0.388331, 0.357999, 0.386486, 0.363318, 0.366113, 0.384329, 0.363467, 0.367833,
    0.373094, 0.393192, 0.373892, 0.375785, 0.362868, 0.368514, 0.369480, 0.146327,
    0.552008, 0.365974, 0.357242, 0.402878, 0.367910, 0.368956, 0.364091, 0.384390,
    0.375471, 0.370175, 0.402845, 0.397704, 0.370850, 0.349270, 0.388803, 0.375837,
    0.365213, 0.355784, 0.379345, 0.384019, 0.375388, 0.363205, 0.403370, 0.358740,
    0.380681, 0.354815, 0.378592, 0.354802, 0.356207, 0.377353, 0.359196, 0.362438,
    0.366046, 0.385824, 0.369309, 0.367977, 0.355113, 0.355991, 0.360550, 0.137379,
    0.513772, 0.359543, 0.343114, 0.397266, 0.364909, 0.361921, 0.362501, 0.379475,
    0.376774, 0.371295, 0.388729, 0.386403, 0.363065, 0.343526, 0.383911, 0.373448,
    0.362922, 0.351561, 0.371758, 0.382017, 0.369991, 0.356976, 0.397590, 0.358510,
    0.379601, 0.353560, 0.376891, 0.350091, 0.352850, 0.372362, 0.360145, 0.361616,
    0.364621, 0.372373, 0.366397, 0.362318, 0.355987, 0.353894, 0.356036, 0.125874,
    0.498211, 0.353534, 0.339080, 0.392594, 0.359895, 0.351091, 0.357732, 0.377406,
    0.369507, 0.367795, 0.383345, 0.376512, 0.366805, 0.339428, 0.377453, 0.365604,
    0.359237, 0.347284, 0.365446, 0.376392, 0.361747, 0.347412, 0.387751, 0.349333,
    0.369902, 0.343930, 0.376976, 0.351679, 0.348559, 0.362922, 0.358989, 0.359183,
    0.362427, 0.363028, 0.364881, 0.359163, 0.354036, 0.351743, 0.346269, 0.111400,
    0.483220, 0.348620, 0.335195, 0.383464, 0.362461, 0.350835, 0.352499, 0.370756,
    0.364159, 0.362532, 0.377868, 0.368583, 0.363056, 0.342357, 0.372282, 0.358383,
    0.362715, 0.346722, 0.362375, 0.372833, 0.357870, 0.339450, 0.389067, 0.350517,
    0.371664, 0.340431, 0.368989, 0.348862, 0.345035, 0.363095, 0.358943, 0.355101,
    0.359365, 0.361086, 0.359068, 0.356206, 0.352696, 0.351829, 0.344821, 0.131070,
    0.461759, 0.352530, 0.335248, 0.380237, 0.360232, 0.352443, 0.350446, 0.376225,
    0.372614, 0.361899, 0.377626, 0.367964, 0.371668, 0.340582, 0.373850, 0.357572,
    0.366270, 0.347976, 0.364114, 0.372793, 0.356844, 0.341220, 0.388042, 0.352657,
    0.374652, 0.341344, 0.372593, 0.350545, 0.345619, 0.361733, 0.356205, 0.355797,
    0.354954, 0.360005, 0.355960, 0.348454, 0.352116, 0.350039, 0.343601, 0.111945,
    0.452202, 0.351554, 0.331624, 0.376467, 0.358583, 0.348035, 0.348149, 0.372166,
    0.367534, 0.355986, 0.368998, 0.373420, 0.372891, 0.339747, 0.370198, 0.361567,
    0.360852, 0.346607, 0.360934, 0.371252, 0.359592, 0.337902, 0.384932, 0.347441,
    0.369392, 0.335511, 0.368637, 0.348959, 0.342498, 0.358724, 0.353359, 0.353322,
    0.353886, 0.361179, 0.356584, 0.350239, 0.350965, 0.346216, 0.342905, 0.109400,
    0.439897, 0.350575, 0.332844, 0.376085, 0.352340, 0.343573, 0.351635, 0.370620,
    0.367712, 0.354150, 0.368955, 0.362903, 0.360697, 0.332354, 0.363019, 0.349150,
    0.362009, 0.349494, 0.357259, 0.360211, 0.355150, 0.331408, 0.382880, 0.342117,
    0.368064, 0.330416, 0.372113, 0.344963, 0.338937, 0.355660, 0.354865, 0.343861,
    0.353126, 0.353385, 0.355693, 0.350190, 0.352003, 0.343916, 0.341894, 0.114469])

# %% [markdown]
# The training loop below calls your `lm_loss_and_grads`, your `clip_by_global_norm`
# and your `adam_step`. It runs only once the tests of sections 1–7 pass. With the
# reference solutions it takes a few seconds on a laptop; a loop-heavy solution may take
# longer, but well under a minute. **Self-check:** the mean loss of the last epoch should
# fall below 0.45 nats per character (a perplexity below 1.6: the model hesitates between
# fewer than two characters on average), and your curve should lie on PyTorch's.

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
    losses, step, started = [], 0, time.perf_counter()
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
        last = np.mean(losses[-(len(losses) // (epoch + 1)):])   # this epoch's steps
        print(f"epoch {epoch + 1:2d}: mean loss {last:.3f}, perplexity {np.exp(last):.2f}, "
              f"{time.perf_counter() - started:.1f} s")
    verdict = "below" if last < 0.45 else "NOT below"
    print(f"Last epoch: mean loss {last:.3f}, {verdict} the bound 0.45. Largest difference "
          f"from PyTorch's curve: {np.max(np.abs(np.array(losses) - TORCH_LOSSES)):.1e}.")

# %% [markdown]
# Your curve and PyTorch's. They start from the same weights and see the same chunks, so
# if your gradients are right they coincide to many digits (the small difference comes
# from PyTorch's clipping, which divides by the norm plus $10^{-6}$). The saw-tooth is the
# epoch: the first chunk of each pass starts from a zero state, the last one is short.

# %%
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(TORCH_LOSSES, color="0.6", linewidth=3, label="PyTorch")
if "losses" in globals() and len(losses) == len(TORCH_LOSSES):
    ax.plot(losses, color="C0", linewidth=1, label="your NumPy model")
else:
    ax.set_title("(your curve appears here once your model has trained)")
ax.axhline(0.45, color="C3", linestyle=":", label="the bound 0.45")
ax.set_xlabel("Adam step")
ax.set_ylabel("loss E (nats per character)")
ax.legend()
plt.show()

# %% [markdown]
# What your model writes, from a newline and a zero state, at two temperatures. At 1 it
# draws from its own distribution: real words, lines of the right shape, and sometimes an
# odd one. At 0.5 it prefers its likeliest characters: fewer mistakes, less variety. Do
# the couplets rhyme? Whether the second line remembers the first line's last word, about
# 30 characters back, is the long-range dependency of chapter 3.

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
