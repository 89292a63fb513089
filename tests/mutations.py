"""Plausible student mistakes, one list per graded function.

Each entry is `(label, old, new)`: `old` is replaced by `new` in the
reference function's source as it stands in the source notebook's answer
cell (`old` occurs there exactly once), or `old` is None and `new` is a
whole wrong version of the function. Every entry is a real mistake: it
changes the result (or the inputs, or the warnings) on some valid input.
`tests/test_mutations.py` checks that each one loses marks on its own
function and on no other.
"""

MUTATIONS = {
    # ------------------------------------------------------------------ 1 · recurrence
    "feedforward_sequence": [
        ("missing bias", "np.tanh(x @ W.T + b)", "np.tanh(x @ W.T)"),
        ("bias added after the tanh", "np.tanh(x @ W.T + b)", "np.tanh(x @ W.T) + b"),
        ("no tanh (linear layer)", "out = np.tanh(x @ W.T + b)", "out = x @ W.T + b"),
        ("W not transposed", "np.tanh(x @ W.T + b)", "np.tanh(x @ W + b)"),
        ("sigmoid instead of tanh", "out = np.tanh(x @ W.T + b)",
         "out = 1 / (1 + np.exp(-(x @ W.T + b)))"),
        ("np.squeeze(x), which loses the axes of size 1", "np.tanh(x @ W.T + b)",
         "np.tanh(np.squeeze(x) @ W.T + b)"),
        ("squeezed output", "    return out\n", "    return np.squeeze(out)\n"),
    ],
    "rnn_cell_forward": [
        ("missing bias", "a = x_t @ W_x.T + h_prev @ W_h.T + b",
         "a = x_t @ W_x.T + h_prev @ W_h.T"),
        ("previous state ignored", "a = x_t @ W_x.T + h_prev @ W_h.T + b",
         "a = x_t @ W_x.T + b"),
        ("W_h not transposed (shapes still fit)", "h_prev @ W_h.T", "h_prev @ W_h"),
        ("W_x not transposed", "x_t @ W_x.T", "x_t @ W_x"),
        ("bias added after the tanh", "h_t = np.tanh(a)", "h_t = np.tanh(a - b) + b"),
    ],
    "rnn_forward": [
        ("h0 ignored (zeros instead)", "    h = h0\n", "    h = np.zeros_like(h0)\n"),
        ("state not carried (h0 at every step)",
         "rnn_cell_forward(x[:, t, :], h, W_x, W_h, b)",
         "rnn_cell_forward(x[:, t, :], h0, W_x, W_h, b)"),
        ("off by one: stores h_{t-1}, so hs starts with h0",
         "        h = rnn_cell_forward(x[:, t, :], h, W_x, W_h, b)\n"
         "        hs[:, t, :] = h\n",
         "        hs[:, t, :] = h\n"
         "        h = rnn_cell_forward(x[:, t, :], h, W_x, W_h, b)\n"),
        ("states stored in float32 (the course is float64 throughout)",
         "    hs = np.zeros((N, T, H))\n", "    hs = np.zeros((N, T, H), dtype=np.float32)\n"),
        ("reads the sequence backwards", "for t in range(T):", "for t in reversed(range(T)):"),
        ("updates the state in place, overwriting h0",
         "        h = rnn_cell_forward(x[:, t, :], h, W_x, W_h, b)\n",
         "        h[...] = rnn_cell_forward(x[:, t, :], h, W_x, W_h, b)\n"),
    ],
    "softmax": [
        ("unstable: no max subtraction",
         "shifted = z - np.max(z, axis=-1, keepdims=True)", "shifted = z"),
        ("normalised over the wrong axis",
         "p = e / np.sum(e, axis=-1, keepdims=True)", "p = e / np.sum(e, axis=0, keepdims=True)"),
        ("normalised over the whole array", "p = e / np.sum(e, axis=-1, keepdims=True)",
         "p = e / np.sum(e)"),
        ("global maximum instead of the row maximum (rows far below underflow to 0/0)",
         "np.max(z, axis=-1, keepdims=True)", "np.max(z)"),
        ("axis=2 hard-coded: only 3-D input works (many_to_one needs 2-D)", None,
         '''def softmax(z):
    shifted = z - np.max(z, axis=2, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=2, keepdims=True)
'''),
        ("max subtracted in place (z -= max modifies the input)",
         "    shifted = z - np.max(z, axis=-1, keepdims=True)\n",
         "    z -= np.max(z, axis=-1, keepdims=True)\n    shifted = z\n"),
        ("max subtracted along the first axis",
         "np.max(z, axis=-1, keepdims=True)", "np.max(z, axis=0, keepdims=True)"),
    ],
    "rnn_output": [
        ("missing output bias", "scores = hs @ W_y.T + b_y", "scores = hs @ W_y.T"),
        ("W_y not transposed", "hs @ W_y.T", "hs @ W_y"),
        ("no softmax (returns scores)", "ys = softmax(scores)", "ys = scores"),
        ("softmax over the time axis", "ys = softmax(scores)",
         "ys = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)"),
    ],
    "many_to_one": [
        ("first instead of last hidden state", "h_T = hs[:, -1, :]", "h_T = hs[:, 0, :]"),
        ("mean of the hidden states", "h_T = hs[:, -1, :]", "h_T = hs.mean(axis=1)"),
        ("missing output bias", "softmax(h_T @ W_y.T + b_y)", "softmax(h_T @ W_y.T)"),
        ("h0 ignored (zeros instead)", "rnn_forward(x, h0, W_x, W_h, b)",
         "rnn_forward(x, np.zeros_like(h0), W_x, W_h, b)"),
        ("predicts at every step (many-to-many shape)", "softmax(h_T @ W_y.T + b_y)",
         "softmax(hs @ W_y.T + b_y)"),
    ],
    # ------------------------------------------------------------------ 2 · bptt
    "softmax_cross_entropy": [
        ("loss summed instead of averaged",
         "loss = -np.sum(onehot * log_probs) / (N * T)", "loss = -np.sum(onehot * log_probs)"),
        ("dlogits not divided by N*T",
         "dlogits = (probs - onehot) / (N * T)", "dlogits = probs - onehot"),
        ("averaged over N only",
         "loss = -np.sum(onehot * log_probs) / (N * T)\n"
         "    probs = np.exp(log_probs)\n"
         "    dlogits = (probs - onehot) / (N * T)",
         "loss = -np.sum(onehot * log_probs) / N\n"
         "    probs = np.exp(log_probs)\n"
         "    dlogits = (probs - onehot) / N"),
        ("unstable: no max subtraction",
         "shifted = logits - np.max(logits, axis=-1, keepdims=True)", "shifted = logits"),
        ("gradient with the wrong sign", "dlogits = (probs - onehot) / (N * T)",
         "dlogits = (onehot - probs) / (N * T)"),
        ("log of the softmax (underflows to log 0 for saturated logits)",
         "log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))",
         "log_probs = np.log(np.exp(shifted) / np.sum(np.exp(shifted), axis=-1, "
         "keepdims=True))"),
    ],
    "rnn_cell_backward": [
        ("missing 1 - h**2", "da = dh_t * (1 - h_t ** 2)", "da = dh_t"),
        ("dW_h uses h_t instead of h_{t-1}", "dW_h = da.T @ h_prev", "dW_h = da.T @ h_t"),
        ("dh_prev with W_h.T instead of W_h", "dh_prev = da @ W_h", "dh_prev = da @ W_h.T"),
        ("tanh derivative taken at h_prev", "(1 - h_t ** 2)", "(1 - h_prev ** 2)"),
        ("tanh applied again in the derivative", "(1 - h_t ** 2)", "(1 - np.tanh(h_t) ** 2)"),
        ("db summed over every axis (a scalar)", "db = np.sum(da, axis=0)", "db = np.sum(da)"),
    ],
    "rnn_backward": [
        ("carried gradient not accumulated",
         "dh = dhs[:, t, :] + dh_next", "dh = dhs[:, t, :]"),
        ("h_prev of step 0 wraps around to h_T instead of h0",
         "h_prev = hs[:, t - 1, :] if t > 0 else h0", "h_prev = hs[:, t - 1, :]"),
        ("forward pass ignores h0 (zeros instead)", "    h = h0\n",
         "    h = np.zeros_like(h0)\n"),
        ("weight gradients overwritten instead of summed over time",
         "dW_x = dW_x + dW_x_t", "dW_x = dW_x_t"),
        ("dh0 is the gradient of h_1, not of h_0", "    dh0 = dh_next\n", "    dh0 = dh\n"),
        ("backward loop runs forward in time",
         "for t in reversed(range(T)):", "for t in range(T):"),
    ],
    "numerical_gradient": [
        ("forward differences",
         "        x_work[idx] = old - eps\n"
         "        f_minus = f(x_work)\n"
         "        x_work[idx] = old\n"
         "        grad[idx] = (f_plus - f_minus) / (2 * eps)",
         "        x_work[idx] = old\n"
         "        f_minus = f(x_work)\n"
         "        grad[idx] = (f_plus - f_minus) / eps"),
        ("divides by eps instead of 2 eps", "/ (2 * eps)", "/ eps"),
        ("x perturbed in place and never restored", None,
         '''def numerical_gradient(f, x, eps=1e-5):
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + eps
        f_plus = f(x)
        x[idx] = old - eps
        f_minus = f(x)
        grad[idx] = (f_plus - f_minus) / (2 * eps)
    return grad
'''),
        ("x perturbed in place, restored by adding eps back (roundoff leaves x changed)",
         None,
         '''def numerical_gradient(f, x, eps=1e-5):
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        x[idx] += eps
        f_plus = f(x)
        x[idx] -= 2 * eps
        f_minus = f(x)
        x[idx] += eps
        grad[idx] = (f_plus - f_minus) / (2 * eps)
    return grad
'''),
        ("private copy, but the perturbation is not undone",
         "        x_work[idx] = old\n        grad[idx]", "        grad[idx]"),
        ("triple loop: only 3-D x works (x may have any shape)", None,
         '''def numerical_gradient(f, x, eps=1e-5):
    x_work = x.copy()
    grad = np.zeros_like(x_work)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            for k in range(x.shape[2]):
                old = x_work[i, j, k]
                x_work[i, j, k] = old + eps
                f_plus = f(x_work)
                x_work[i, j, k] = old - eps
                f_minus = f(x_work)
                x_work[i, j, k] = old
                grad[i, j, k] = (f_plus - f_minus) / (2 * eps)
    return grad
'''),
        ("ignores the eps argument (always 1e-5)",
         "    x_work = np.array(x, dtype=np.float64)\n",
         "    eps = 1e-5\n    x_work = np.array(x, dtype=np.float64)\n"),
    ],
    # ------------------------------------------------------------------ 3 · vanishing gradients
    "tanh_jacobian": [
        ("missing diag(1 - h**2)", "J = np.diag(1 - h_t ** 2) @ W_h", "J = W_h"),
        ("transposed", "J = np.diag(1 - h_t ** 2) @ W_h", "J = (np.diag(1 - h_t ** 2) @ W_h).T"),
        ("scales the columns instead of the rows", "J = np.diag(1 - h_t ** 2) @ W_h",
         "J = W_h @ np.diag(1 - h_t ** 2)"),
        ("elementwise product with the diagonal matrix", "np.diag(1 - h_t ** 2) @ W_h",
         "np.diag(1 - h_t ** 2) * W_h"),
        ("tanh applied again to h_t", "np.diag(1 - h_t ** 2)", "np.diag(1 - np.tanh(h_t) ** 2)"),
    ],
    "gradient_norms": [
        ("norms in reversed order", "    return norms\n", "    return norms[::-1]\n"),
        ("loop stops early: no entry for h_0", "for t in range(T, 0, -1):",
         "for t in range(T, 1, -1):"),
        ("Jacobian taken at h_{t-1}", "tanh_jacobian(hs[t], W_h)",
         "tanh_jacobian(hs[t - 1], W_h)"),
        ("Jacobian applied on the wrong side (J dh instead of dh J)",
         "dh = dh @ tanh_jacobian(hs[t], W_h)", "dh = tanh_jacobian(hs[t], W_h) @ dh"),
        ("missing diag(1 - h**2)", "dh = dh @ tanh_jacobian(hs[t], W_h)", "dh = dh @ W_h"),
        ("forward pass ignores h0 (zeros instead)", "    h = h0\n",
         "    h = np.zeros_like(h0)\n"),
    ],
    "clip_by_global_norm": [
        ("clips each gradient by its own norm", None,
         '''def clip_by_global_norm(grads, max_norm):
    total_norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    clipped = []
    for g in grads:
        norm = np.sqrt(np.sum(g ** 2))
        clipped.append(g * (max_norm / norm) if norm > max_norm else g.copy())
    return clipped, float(total_norm)
'''),
        ("clips when below the max norm (comparison inverted)",
         "if total_norm > max_norm:", "if total_norm < max_norm:"),
        ("scales the gradients in place",
         "        clipped = [g * scale for g in grads]",
         "        for g in grads:\n            g *= scale\n        clipped = grads"),
        ("returns the input arrays themselves, not copies",
         "clipped = [g.copy() for g in grads]", "clipped = grads"),
        ("squared norm (no square root)",
         "total_norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))",
         "total_norm = sum(np.sum(g ** 2) for g in grads)"),
        ("reports the norm after clipping",
         "return clipped, float(total_norm)",
         "return clipped, float(min(total_norm, max_norm))"),
        ("sum of the per-gradient norms instead of the joint norm",
         "total_norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))",
         "total_norm = sum(np.sqrt(np.sum(g ** 2)) for g in grads)"),
    ],
    # ------------------------------------------------------------------ 4 · lstm
    "sigmoid": [
        ("naive 1/(1+exp(-z)) overflows for z = -1000", None,
         '''def sigmoid(z):
    return 1 / (1 + np.exp(-z))
'''),
        ("np.where evaluates exp(z) and exp(-z) on every entry", None,
         '''def sigmoid(z):
    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))
'''),
        ("same formula on both branches (sigmoid(|z|))",
         "np.where(z >= 0, 1 / (1 + e), e / (1 + e))",
         "np.where(z >= 0, 1 / (1 + e), 1 / (1 + e))"),
        ("tanh form without halving z", None,
         '''def sigmoid(z):
    return 0.5 * (1 + np.tanh(z))
'''),
    ],
    "lstm_cell_forward": [
        ("gate order i, f, o, g",
         "    g = np.tanh(a[:, 2 * H:3 * H])\n    o = sigmoid(a[:, 3 * H:4 * H])\n",
         "    o = sigmoid(a[:, 2 * H:3 * H])\n    g = np.tanh(a[:, 3 * H:4 * H])\n"),
        ("forget gate on the input gate's block (f, i swapped)",
         "    i = sigmoid(a[:, 0:H])\n    f = sigmoid(a[:, H:2 * H])\n",
         "    f = sigmoid(a[:, 0:H])\n    i = sigmoid(a[:, H:2 * H])\n"),
        ("missing tanh(c_t) in h_t", "h_t = o * np.tanh(c_t)", "h_t = o * c_t"),
        ("sigmoid for the candidate g", "g = np.tanh(a[:, 2 * H:3 * H])",
         "g = sigmoid(a[:, 2 * H:3 * H])"),
        ("missing bias", "a = x_t @ W_x.T + h_prev @ W_h.T + b",
         "a = x_t @ W_x.T + h_prev @ W_h.T"),
    ],
    "lstm_forward": [
        ("cell state not carried (c0 at every step)",
         "lstm_cell_forward(x[:, t, :], h, c, W_x, W_h, b)",
         "lstm_cell_forward(x[:, t, :], h, c0, W_x, W_h, b)"),
        ("c0 ignored (zeros instead)", "h, c = h0, c0", "h, c = h0, np.zeros_like(c0)"),
        ("h0 ignored (zeros instead)", "h, c = h0, c0", "h, c = np.zeros_like(h0), c0"),
        ("off by one: stores the states before the step",
         "        h, c = lstm_cell_forward(x[:, t, :], h, c, W_x, W_h, b)\n"
         "        hs[:, t, :] = h\n"
         "        cs[:, t, :] = c\n",
         "        hs[:, t, :] = h\n"
         "        cs[:, t, :] = c\n"
         "        h, c = lstm_cell_forward(x[:, t, :], h, c, W_x, W_h, b)\n"),
        ("h and c swapped in the call",
         "lstm_cell_forward(x[:, t, :], h, c, W_x, W_h, b)",
         "lstm_cell_forward(x[:, t, :], c, h, W_x, W_h, b)"),
    ],
    "lstm_cell_backward": [
        ("missing tanh'(c_t)", "dc = dc_t + dh_t * o * (1 - tanh_c ** 2)",
         "dc = dc_t + dh_t * o"),
        ("dc_prev missing the forget gate", "dc_prev = dc * f", "dc_prev = dc"),
        ("upstream dc_t ignored", "dc = dc_t + dh_t * o * (1 - tanh_c ** 2)",
         "dc = dh_t * o * (1 - tanh_c ** 2)"),
        ("gradients stacked in the order i, f, o, g",
         "np.concatenate([da_i, da_f, da_g, da_o], axis=1)",
         "np.concatenate([da_i, da_f, da_o, da_g], axis=1)"),
        ("missing the sigmoid derivative of f", "da_f = df * f * (1 - f)", "da_f = df"),
        ("output gate gradient uses c_t instead of tanh(c_t)", "do = dh_t * tanh_c",
         "do = dh_t * c_t"),
        ("missing tanh'(g)", "da_g = dg * (1 - g ** 2)", "da_g = dg"),
    ],
    "lstm_backward": [
        ("carried dh not accumulated", "dh = dhs[:, t, :] + dh_next", "dh = dhs[:, t, :]"),
        ("cell gradient not carried between steps",
         "dh, dc_next, x[:, t, :]", "dh, np.zeros_like(dc_next), x[:, t, :]"),
        ("c_prev of step 0 taken as zeros instead of c0",
         "c_prev = cs[:, t - 1, :] if t > 0 else c0",
         "c_prev = cs[:, t - 1, :] if t > 0 else np.zeros_like(c0)"),
        ("forward pass ignores c0", "h, c = h0, c0", "h, c = h0, np.zeros_like(c0)"),
        ("weight gradients overwritten instead of summed over time",
         "dW_h = dW_h + dW_h_t", "dW_h = dW_h_t"),
        ("h_prev of step t taken as h_t", "h_prev = hs[:, t - 1, :] if t > 0 else h0",
         "h_prev = hs[:, t, :]"),
    ],
    # ------------------------------------------------------------------ 5 · bidirectional
    "reverse_sequences": [
        ("reverses the whole row, padding included",
         "        out[n, :L] = x[n, :L][::-1]\n", "        out[n] = x[n, ::-1]\n"),
        ("modifies x in place", "out = x.copy()", "out = x"),
        ("padding zeroed instead of left in place", "out = x.copy()", "out = np.zeros_like(x)"),
        ("off-by-one slice x[n, L::-1]", "= x[n, :L][::-1]\n", "= x[n, L::-1]\n"),
        ("reverses the features instead of the steps", "= x[n, :L][::-1]\n",
         "= x[n, :L][:, ::-1]\n"),
        ("np.flip without an axis (flips the features too)", "= x[n, :L][::-1]\n",
         "= np.flip(x[n, :L])\n"),
        ("first row's length used for every row", "        L = lengths[n]\n",
         "        L = lengths[0]\n"),
        ("3-D inputs only: x[n, :L, :]", "        out[n, :L] = x[n, :L][::-1]\n",
         "        out[n, :L, :] = x[n, :L, :][::-1]\n"),
    ],
    "bilstm_forward": [
        ("final forward state at T-1 instead of lengths-1",
         "final[n, :H] = hs_f[n, L - 1]", "final[n, :H] = hs_f[n, -1]"),
        ("padded outputs not zeroed",
         "        outputs[n, :L, :H] = hs_f[n, :L]\n        outputs[n, :L, H:] = hs_b[n, :L]\n",
         "        outputs[n, :, :H] = hs_f[n]\n        outputs[n, :, H:] = hs_b[n]\n"),
        ("backward direction not re-reversed",
         "hs_b = reverse_sequences(hs_b_rev, lengths)", "hs_b = hs_b_rev"),
        ("backward final taken at the last valid step",
         "final[n, H:] = hs_b[n, 0]", "final[n, H:] = hs_b[n, L - 1]"),
        ("backward LSTM reads the whole row flipped, padding first",
         "    hs_b_rev = lstm_states(reverse_sequences(x, lengths), "
         "W_x_b, W_h_b, b_b)\n    hs_b = reverse_sequences(hs_b_rev, lengths)\n",
         "    hs_b_rev = lstm_states(x[:, ::-1], W_x_b, W_h_b, b_b)\n"
         "    hs_b = hs_b_rev[:, ::-1]\n"),
        ("forward weights used for the backward direction",
         "W_x_b, W_h_b, b_b)", "W_x_f, W_h_f, b_f)"),
        ("zeroes the padding of x in place before running",
         "    N, T = x.shape[:2]\n",
         "    N, T = x.shape[:2]\n    for n in range(N):\n        x[n, lengths[n]:] = 0.0\n"),
        ("directions concatenated in the wrong order",
         "        outputs[n, :L, :H] = hs_f[n, :L]\n        outputs[n, :L, H:] = hs_b[n, :L]\n",
         "        outputs[n, :L, :H] = hs_b[n, :L]\n        outputs[n, :L, H:] = hs_f[n, :L]\n"),
    ],
    # ------------------------------------------------------------------ 4 · lstm: the GRU
    "gru_cell_forward": [
        ("reset gate applied before the product (the original paper, not torch.nn.GRU)",
         "g = np.tanh(a_x[:, 2 * H:3 * H] + r * a_h[:, 2 * H:3 * H])",
         "g = np.tanh(a_x[:, 2 * H:3 * H] + (r * h_prev) @ W_h[2 * H:3 * H].T "
         "+ b_h[2 * H:3 * H])"),
        ("b_h's candidate block outside the reset gate",
         "g = np.tanh(a_x[:, 2 * H:3 * H] + r * a_h[:, 2 * H:3 * H])",
         "g = np.tanh(a_x[:, 2 * H:3 * H] + r * (a_h[:, 2 * H:3 * H] - b_h[2 * H:3 * H]) "
         "+ b_h[2 * H:3 * H])"),
        ("update gate on the wrong side of the mix", "h_t = (1 - u) * g + u * h_prev",
         "h_t = u * g + (1 - u) * h_prev"),
        ("gate order z, r, n (reset and update swapped)",
         "    r = sigmoid(a_x[:, 0:H] + a_h[:, 0:H])\n"
         "    u = sigmoid(a_x[:, H:2 * H] + a_h[:, H:2 * H])\n",
         "    u = sigmoid(a_x[:, 0:H] + a_h[:, 0:H])\n"
         "    r = sigmoid(a_x[:, H:2 * H] + a_h[:, H:2 * H])\n"),
        ("reset gate ignored", "+ r * a_h[:, 2 * H:3 * H])", "+ a_h[:, 2 * H:3 * H])"),
        ("the two biases merged into one, the reset gate on h_prev W_h^T only",
         "    a_x = x_t @ W_x.T + b_x\n    a_h = h_prev @ W_h.T + b_h\n",
         "    a_x = x_t @ W_x.T + b_x + b_h\n    a_h = h_prev @ W_h.T\n"),
        ("reset gate on the input part of the candidate too",
         "g = np.tanh(a_x[:, 2 * H:3 * H] + r * a_h[:, 2 * H:3 * H])",
         "g = np.tanh(r * (a_x[:, 2 * H:3 * H] + a_h[:, 2 * H:3 * H]))"),
    ],
    "gru_forward": [
        ("state not carried (h0 at every step)",
         "gru_cell_forward(x[:, t, :], h, W_x, W_h, b_x, b_h)",
         "gru_cell_forward(x[:, t, :], h0, W_x, W_h, b_x, b_h)"),
        ("h0 ignored (zeros instead)", "    h = h0\n", "    h = np.zeros_like(h0)\n"),
        ("the two biases swapped", "W_x, W_h, b_x, b_h)\n        hs",
         "W_x, W_h, b_h, b_x)\n        hs"),
        ("off by one: stores the state before the step",
         "        h = gru_cell_forward(x[:, t, :], h, W_x, W_h, b_x, b_h)\n"
         "        hs[:, t, :] = h\n",
         "        hs[:, t, :] = h\n"
         "        h = gru_cell_forward(x[:, t, :], h, W_x, W_h, b_x, b_h)\n"),
        ("x[t] for the inputs of step t", "gru_cell_forward(x[:, t, :], h,",
         "gru_cell_forward(x[t], h,"),
    ],
    # ------------------------------------------------------------------ 6 · language_model
    "embed": [
        ("columns instead of rows", "x = E[ids]", "x = E[:, ids].transpose(1, 2, 0)"),
        ("row 0 everywhere, as a view of E", None,
         """def embed(ids, E):
    return np.lib.stride_tricks.as_strided(E, shape=ids.shape + E.shape[1:],
                                           strides=(0, 0, E.strides[1]))
"""),
        ("float32 result", "x = E[ids]", "x = E[ids].astype(np.float32)"),
        ("ids offset by one", "x = E[ids]", "x = E[(ids + 1) % E.shape[0]]"),
        ("E[:, ids]: columns, not rows", "x = E[ids]", "x = E[:, ids]"),
    ],
    "embed_backward": [
        ("dE[ids] += dx loses repeated ids", "np.add.at(dE, ids, dx)", "dE[ids] += dx"),
        ("V taken from the largest id", "dE = np.zeros((V, dx.shape[-1]))",
         "dE = np.zeros((ids.max() + 1, dx.shape[-1]))"),
        ("averaged over repeats instead of summed", "    np.add.at(dE, ids, dx)\n",
         "    np.add.at(dE, ids, dx)\n"
         "    dE = dE / np.maximum(np.bincount(ids.ravel(), minlength=V), 1)[:, None]\n"),
        ("gradient of the first position only per id", "np.add.at(dE, ids, dx)",
         "dE[ids[::-1, ::-1]] = dx[::-1, ::-1]"),
    ],
    "output_backward": [
        ("dhs of the last step broadcast to every step", "dhs = dz @ W_y",
         "dhs = np.broadcast_to(dz[:, -1:] @ W_y, hs.shape).copy()"),
        ("dW_y summed over the batch only (last step kept)",
         "dW_y = dz.reshape(-1, K).T @ hs.reshape(-1, H)", "dW_y = dz[:, -1].T @ hs[:, -1]"),
        ("db_y averaged instead of summed", "db_y = dz.sum(axis=(0, 1))",
         "db_y = dz.mean(axis=(0, 1))"),
        ("dW_y transposed, then reshaped to fit",
         "dW_y = dz.reshape(-1, K).T @ hs.reshape(-1, H)",
         "dW_y = (hs.reshape(-1, H).T @ dz.reshape(-1, K)).reshape(K, H)"),
        ("dz @ W_y.T for dhs", "dhs = dz @ W_y", "dhs = dz @ W_y.T"),
    ],
    "masked_cross_entropy": [
        ("mask applied to the loss but not to the gradient",
         "dlogits = weight * (np.exp(log_probs) - onehot)",
         "dlogits = (np.exp(log_probs) - onehot) / M"),
        ("mean over all N*T positions", "M = np.sum(mask)", "M = mask.size"),
        ("mask ignored", "weight = mask[..., None] / M",
         "weight = np.ones(mask.shape + (1,)) / mask.size"),
        ("unstable: no max subtraction",
         "shifted = logits - np.max(logits, axis=-1, keepdims=True)", "shifted = logits"),
        ("mean over the sequences, not the positions", "M = np.sum(mask)",
         "M = np.sum(mask.any(axis=1))"),
    ],
    "lm_loss_and_grads": [
        ("h0 ignored (zeros instead)", "    h = h0\n", "    h = np.zeros_like(h0)\n"),
        ("carried gradient not added", "da = (dhs[:, t, :] + dh_next)", "da = (dhs[:, t, :])"),
        ("h_last is the first state", "return loss, grads, hs[:, T - 1, :]",
         "return loss, grads, hs[:, 0, :]"),
        ("dE[ids] += dx in place of embed_backward",
         "    dE = embed_backward(dx, ids, E.shape[0])\n",
         "    dE = np.zeros(E.shape)\n    dE[ids] += dx\n"),
        ("h_{t-1} of step 0 wraps around to h_T", "h_prev = hs[:, t - 1, :] if t > 0 else h0",
         "h_prev = hs[:, t - 1, :]"),
        ("grads under other keys", '"W_y": dW_y, "b_y": db_y}', '"W_y": dW_y, "by": db_y}'),
    ],
    "adam_step": [
        ("no bias correction",
         "    m_hat = m / (1 - beta1 ** t)\n    v_hat = v / (1 - beta2 ** t)\n",
         "    m_hat = m\n    v_hat = v\n"),
        ("eps inside the square root", "(np.sqrt(v_hat) + eps)", "np.sqrt(v_hat + eps)"),
        ("gradient not squared in v", "(1 - beta2) * grad ** 2", "(1 - beta2) * np.abs(grad)"),
        ("t counted from 0", "beta1 ** t", "beta1 ** (t + 1)"),
        ("default hyper-parameters hard-coded", "    m = beta1 * m",
         "    beta1, beta2, eps = 0.9, 0.999, 1e-8\n    m = beta1 * m"),
        ("moments updated in place", "    m = beta1 * m + (1 - beta1) * grad\n",
         "    m *= beta1\n    m += (1 - beta1) * grad\n"),
        ("t counted from 0 in both corrections",
         "    m_hat = m / (1 - beta1 ** t)\n    v_hat = v / (1 - beta2 ** t)\n",
         "    m_hat = m / (1 - beta1 ** (t + 1))\n    v_hat = v / (1 - beta2 ** (t + 1))\n"),
        ("t - 1 in the corrections (divides by zero at t = 1)",
         "    m_hat = m / (1 - beta1 ** t)\n    v_hat = v / (1 - beta2 ** t)\n",
         "    m_hat = m / (1 - beta1 ** (t - 1))\n    v_hat = v / (1 - beta2 ** (t - 1))\n"),
        ("only m bias-corrected", "    v_hat = v / (1 - beta2 ** t)\n", "    v_hat = v\n"),
        ("returns the bias-corrected moments", "return param, m, v",
         "return param, m_hat, v_hat"),
    ],
    "sample": [
        ("argmax instead of sampling",
         'current = min(int(np.searchsorted(cdf, u[i], side="right")), V - 1)',
         "current = int(np.argmax(p))"),
        ("feeds back first_id at every step", "h = np.tanh(E[current] @ W_x.T",
         "h = np.tanh(E[first_id] @ W_x.T"),
        ("temperature multiplies the logits", "z = (h @ W_y.T + b_y) / temperature",
         "z = (h @ W_y.T + b_y) * temperature"),
        ("no temperature", "z = (h @ W_y.T + b_y) / temperature", "z = h @ W_y.T + b_y"),
        ("state not carried (h0 at every step)", "@ W_x.T + h @ W_h.T + b)",
         "@ W_x.T + h0 @ W_h.T + b)"),
        ("no V - 1 clamp of the inverse CDF",
         'current = min(int(np.searchsorted(cdf, u[i], side="right")), V - 1)',
         'current = int(np.searchsorted(cdf, u[i], side="right"))'),
        ("first id with cdf > u by argmax (id 0 when there is none)",
         'current = min(int(np.searchsorted(cdf, u[i], side="right")), V - 1)',
         "current = int(np.argmax(cdf > u[i]))"),
        ("no maximum subtracted before exp (overflows at a low temperature)",
         "p = np.exp(z - np.max(z))", "p = np.exp(z)"),
    ],
}

# Mistakes whose visible test must name the cause (issue 22, "visible tests that teach"):
# {(function, label of a MUTATIONS entry): words that the message of the failing visible
# test holds}. tests/test_visible_hints.py runs each one.
VISIBLE_HINTS = {
    ("feedforward_sequence", "np.squeeze(x), which loses the axes of size 1"): "np.squeeze",
    ("feedforward_sequence", "squeezed output"): "np.squeeze",
    ("reverse_sequences", "3-D inputs only: x[n, :L, :]"): "index x[n, :l]",
    ("gru_cell_forward", "update gate on the wrong side of the mix"): "wrong side of the mix",
    ("gru_cell_forward", "gate order z, r, n (reset and update swapped)"):
        "reads the reset gate's block",
    ("gru_cell_forward", "b_h's candidate block outside the reset gate"):
        "added outside the reset gate",
    ("gru_cell_forward",
     "reset gate applied before the product (the original paper, not torch.nn.GRU)"):
        "the original paper's form",
    ("gru_cell_forward", "the two biases merged into one, the reset gate on h_prev W_h^T only"):
        "Merging the two biases",
    ("gru_cell_forward", "reset gate ignored"): "a missing reset gate",
    ("gru_cell_forward", "reset gate on the input part of the candidate too"):
        "multiplies the input part",
    ("gru_forward", "x[t] for the inputs of step t"): "x[t] is sequence t",
    ("embed", "E[:, ids]: columns, not rows"): "E[:, ids]",
    ("output_backward", "dz @ W_y.T for dhs"): "with no transpose",
    ("adam_step", "no bias correction"): "no bias correction",
    ("adam_step", "only m bias-corrected"): "v is not",
    ("adam_step", "t counted from 0"): "t counts from 1",
    ("adam_step", "t counted from 0 in both corrections"): "t counts from 1",
    ("adam_step", "t - 1 in the corrections (divides by zero at t = 1)"): "t counts from 1",
    ("adam_step", "eps inside the square root"): "eps is inside the square root",
    ("adam_step", "returns the bias-corrected moments"): "you returned the bias-corrected",
    ("sample", "no V - 1 clamp of the inverse CDF"): "take the last id, V - 1",
    ("sample", "first id with cdf > u by argmax (id 0 when there is none)"):
        "take the last id, V - 1",
    ("sample", "no maximum subtracted before exp (overflows at a low temperature)"):
        "subtract the maximum",
}
