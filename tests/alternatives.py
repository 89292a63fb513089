'''Correct answers written differently from the reference.

`ALTERNATIVES[function]` is a list of `(label, full_source)`: a complete
`def` a student could hand in, pure and float64, which may call the earlier
functions of the same chapter by name. `tests/test_alternatives.py` checks
that each one earns full marks: the grader must accept any correct answer,
however it is written.
'''

ALTERNATIVES = {
    # ------------------------------------------------------------------ 1 · recurrence
    "feedforward_sequence": [
        ("einsum",
         '''def feedforward_sequence(x, W, b):
    return np.tanh(np.einsum("ntd,hd->nth", x, W) + b)
'''),
        ("explicit loops over examples and steps, W @ x_t",
         '''def feedforward_sequence(x, W, b):
    N, T, D = x.shape
    out = np.empty((N, T, W.shape[0]))
    for n in range(N):
        for t in range(T):
            out[n, t] = np.tanh(np.dot(W, x[n, t]) + b)
    return out
'''),
    ],
    "rnn_cell_forward": [
        ("stacked weights on concatenated inputs",
         '''def rnn_cell_forward(x_t, h_prev, W_x, W_h, b):
    W = np.concatenate([W_x, W_h], axis=1)
    z = np.concatenate([x_t, h_prev], axis=1)
    return np.tanh(z @ W.T + b)
'''),
        ("W @ x per example, einsum",
         '''def rnn_cell_forward(x_t, h_prev, W_x, W_h, b):
    a = np.einsum("hd,nd->nh", W_x, x_t) + np.einsum("hk,nk->nh", W_h, h_prev)
    return np.tanh(a + b)
'''),
    ],
    "rnn_forward": [
        ("list of states, stacked at the end",
         '''def rnn_forward(x, h0, W_x, W_h, b):
    states = []
    h = h0
    for t in range(x.shape[1]):
        h = rnn_cell_forward(x[:, t, :], h, W_x, W_h, b)
        states.append(h)
    return np.stack(states, axis=1)
'''),
        ("inputs projected once, no helper call",
         '''def rnn_forward(x, h0, W_x, W_h, b):
    xw = x @ W_x.T + b
    hs = np.empty(x.shape[:2] + (h0.shape[1],))
    h = h0.copy()
    for t in range(x.shape[1]):
        h = np.tanh(xw[:, t] + h @ W_h.T)
        hs[:, t] = h
    return hs
'''),
    ],
    "softmax": [
        ("log-sum-exp",
         '''def softmax(z):
    m = z.max(axis=-1, keepdims=True)
    lse = m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True))
    return np.exp(z - lse)
'''),
        ("loop over rows of a flattened view",
         '''def softmax(z):
    flat = np.asarray(z, dtype=np.float64).reshape(-1, z.shape[-1])
    out = np.empty_like(flat)
    for r in range(flat.shape[0]):
        e = np.exp(flat[r] - flat[r].max())
        out[r] = e / e.sum()
    return out.reshape(z.shape)
'''),
    ],
    "rnn_output": [
        ("einsum, own stable softmax",
         '''def rnn_output(hs, W_y, b_y):
    s = np.einsum("nth,kh->ntk", hs, W_y) + b_y
    s = s - s.max(axis=2, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=2, keepdims=True)
'''),
        ("per step with the helper",
         '''def rnn_output(hs, W_y, b_y):
    return np.stack([softmax(hs[:, t] @ W_y.T + b_y) for t in range(hs.shape[1])], axis=1)
'''),
    ],
    "many_to_one": [
        ("loop with the cell, no full hs",
         '''def many_to_one(x, h0, W_x, W_h, b, W_y, b_y):
    h = h0
    for t in range(x.shape[1]):
        h = rnn_cell_forward(x[:, t], h, W_x, W_h, b)
    return softmax(h @ W_y.T + b_y)
'''),
        ("through rnn_output on the last step",
         '''def many_to_one(x, h0, W_x, W_h, b, W_y, b_y):
    hs = rnn_forward(x, h0, W_x, W_h, b)
    return rnn_output(hs[:, -1:], W_y, b_y)[:, 0]
'''),
    ],
    # ------------------------------------------------------------------ 2 · bptt
    "softmax_cross_entropy": [
        ("fancy indexing, softmax then gather",
         '''def softmax_cross_entropy(logits, targets):
    N, T, K = logits.shape
    z = logits - logits.max(axis=-1, keepdims=True)
    lse = np.log(np.exp(z).sum(axis=-1))
    n, t = np.meshgrid(np.arange(N), np.arange(T), indexing="ij")
    loss = np.mean(lse - z[n, t, targets])
    d = np.exp(z - lse[..., None])
    d[n, t, targets] -= 1
    return float(loss), d / (N * T)
'''),
        ("flattened positions, explicit loop",
         '''def softmax_cross_entropy(logits, targets):
    N, T, K = logits.shape
    flat = logits.reshape(N * T, K)
    tgt = targets.reshape(N * T)
    total = 0.0
    d = np.zeros((N * T, K))
    for r in range(N * T):
        row = flat[r] - np.max(flat[r])
        p = np.exp(row) / np.sum(np.exp(row))
        total += np.log(np.sum(np.exp(row))) - row[tgt[r]]
        d[r] = p
        d[r, tgt[r]] -= 1.0
    return total / (N * T), (d / (N * T)).reshape(N, T, K)
'''),
    ],
    "rnn_cell_backward": [
        ("einsum, derivative written dh - dh h^2",
         '''def rnn_cell_backward(dh_t, x_t, h_prev, h_t, W_x, W_h):
    da = dh_t - dh_t * h_t * h_t
    dx_t = np.einsum("nh,hd->nd", da, W_x)
    dh_prev = np.einsum("nh,hk->nk", da, W_h)
    dW_x = np.einsum("nh,nd->hd", da, x_t)
    dW_h = np.einsum("nh,nk->hk", da, h_prev)
    db = da.sum(0)
    return dx_t, dh_prev, dW_x, dW_h, db
'''),
        ("sum of per-example outer products",
         '''def rnn_cell_backward(dh_t, x_t, h_prev, h_t, W_x, W_h):
    N, H = h_t.shape
    dW_x = np.zeros(W_x.shape)
    dW_h = np.zeros(W_h.shape)
    db = np.zeros(H)
    dx_t = np.zeros(x_t.shape)
    dh_prev = np.zeros(h_prev.shape)
    for n in range(N):
        da = dh_t[n] * (1 - h_t[n]) * (1 + h_t[n])
        dW_x += np.outer(da, x_t[n])
        dW_h += np.outer(da, h_prev[n])
        db += da
        dx_t[n] = W_x.T @ da
        dh_prev[n] = W_h.T @ da
    return dx_t, dh_prev, dW_x, dW_h, db
'''),
    ],
    "rnn_backward": [
        ("own cell maths, states list including h0",
         '''def rnn_backward(dhs, x, h0, W_x, W_h, b):
    N, T, D = x.shape
    states = [h0]
    for t in range(T):
        states.append(np.tanh(x[:, t] @ W_x.T + states[-1] @ W_h.T + b))
    dx = np.zeros_like(x)
    dW_x = np.zeros_like(W_x)
    dW_h = np.zeros_like(W_h)
    db = np.zeros_like(b)
    carry = np.zeros_like(h0)
    for t in range(T, 0, -1):
        da = (dhs[:, t - 1] + carry) * (1 - states[t] ** 2)
        dx[:, t - 1] = da @ W_x
        dW_x += da.T @ x[:, t - 1]
        dW_h += da.T @ states[t - 1]
        db += da.sum(axis=0)
        carry = da @ W_h
    return dx, carry, dW_x, dW_h, db
'''),
        ("rnn_cell_backward on hs from rnn-style forward, einsum for weights",
         '''def rnn_backward(dhs, x, h0, W_x, W_h, b):
    N, T, D = x.shape
    H = h0.shape[1]
    hs = np.empty((N, T + 1, H))
    hs[:, 0] = h0
    for t in range(T):
        hs[:, t + 1] = np.tanh(x[:, t] @ W_x.T + hs[:, t] @ W_h.T + b)
    das = np.empty((N, T, H))
    dh = np.zeros((N, H))
    grads = []
    for t in reversed(range(T)):
        out = rnn_cell_backward(dhs[:, t] + dh, x[:, t], hs[:, t], hs[:, t + 1], W_x, W_h)
        grads.append(out)
        dh = out[1]
    dx = np.stack([g[0] for g in grads[::-1]], axis=1)
    dW_x = np.sum([g[2] for g in grads], axis=0)
    dW_h = np.sum([g[3] for g in grads], axis=0)
    db = np.sum([g[4] for g in grads], axis=0)
    return dx, dh, dW_x, dW_h, db
'''),
    ],
    "numerical_gradient": [
        ("flat index over a copy, perturbation vector",
         '''def numerical_gradient(f, x, eps=1e-5):
    x0 = x.astype(np.float64).ravel()
    g = np.zeros(x0.size)
    for i in range(x0.size):
        e = np.zeros(x0.size)
        e[i] = eps
        g[i] = (f((x0 + e).reshape(x.shape)) - f((x0 - e).reshape(x.shape))) / (2 * eps)
    return g.reshape(x.shape)
'''),
        ("in place on x, restored exactly after each element",
         '''def numerical_gradient(f, x, eps=1e-5):
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        saved = x[i].copy()
        x[i] = saved + eps
        fp = f(x)
        x[i] = saved - eps
        fm = f(x)
        x[i] = saved
        grad[i] = (fp - fm) / (2 * eps)
        it.iternext()
    return grad
'''),
    ],
    # ------------------------------------------------------------------ 3 · vanishing gradients
    "tanh_jacobian": [
        ("broadcast rows instead of diag",
         '''def tanh_jacobian(h_t, W_h):
    return (1 - h_t ** 2)[:, None] * W_h
'''),
        ("einsum with the identity",
         '''def tanh_jacobian(h_t, W_h):
    d = 1 - h_t * h_t
    return np.einsum("ij,i,jk->ik", np.eye(len(h_t)), d, W_h)
'''),
    ],
    "gradient_norms": [
        ("explicit Jacobian product W_h^T diag(1 - h^2) dh",
         '''def gradient_norms(x, h0, W_x, W_h, b, dh_T):
    T = x.shape[0]
    hs = np.zeros((T + 1, h0.shape[0]))
    hs[0] = h0
    for t in range(1, T + 1):
        hs[t] = np.tanh(W_x @ x[t - 1] + W_h @ hs[t - 1] + b)
    grads = [dh_T]
    for t in range(T, 0, -1):
        grads.append(W_h.T @ ((1 - hs[t] ** 2) * grads[-1]))
    return np.array([np.sqrt(np.sum(g ** 2)) for g in grads[::-1]])
'''),
        ("accumulated Jacobian products with tanh_jacobian",
         '''def gradient_norms(x, h0, W_x, W_h, b, dh_T):
    T = x.shape[0]
    H = h0.shape[0]
    hs = [h0]
    for t in range(T):
        hs.append(np.tanh(x[t] @ W_x.T + hs[-1] @ W_h.T + b))
    norms = np.empty(T + 1)
    P = np.eye(H)
    norms[T] = np.linalg.norm(dh_T)
    for t in range(T, 0, -1):
        P = P @ tanh_jacobian(hs[t], W_h)
        norms[t - 1] = np.linalg.norm(dh_T @ P)
    return norms
'''),
    ],
    "clip_by_global_norm": [
        ("flatten and concatenate, np.minimum scale",
         '''def clip_by_global_norm(grads, max_norm):
    flat = np.concatenate([np.ravel(g) for g in grads])
    total = float(np.linalg.norm(flat))
    scale = max_norm / total if total > max_norm else 1.0
    return [np.array(g * scale) for g in grads], total
'''),
        ("explicit loop, hypot-style accumulation",
         '''def clip_by_global_norm(grads, max_norm):
    sq = 0.0
    for g in grads:
        sq += float(np.vdot(g, g))
    total = sq ** 0.5
    out = []
    for g in grads:
        c = np.array(g, dtype=np.float64, copy=True)
        if total > max_norm:
            c *= max_norm / total
        out.append(c)
    return out, total
'''),
    ],
    # ------------------------------------------------------------------ 4 · lstm
    "sigmoid": [
        ("logaddexp, underflow silenced",
         '''def sigmoid(z):
    with np.errstate(under="ignore"):
        return np.exp(-np.logaddexp(0, -z))
'''),
        ("masks for the two signs, underflow silenced",
         '''def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    pos = z >= 0
    with np.errstate(under="ignore"):
        out[pos] = 1 / (1 + np.exp(-z[pos]))
        ez = np.exp(z[~pos])
    out[~pos] = ez / (1 + ez)
    return out
'''),
        ("tanh form 0.5 (1 + tanh(z / 2))",
         '''def sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))
'''),
        ("naive formula on clipped z",
         '''def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500.0, 500.0)))
'''),
        ("stable split on the sign, numpy's default error state",
         '''def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
'''),
    ],
    "lstm_cell_forward": [
        ("split into four blocks, separate weight slices",
         '''def lstm_cell_forward(x_t, h_prev, c_prev, W_x, W_h, b):
    H = h_prev.shape[1]
    pre = [x_t @ W_x[k * H:(k + 1) * H].T + h_prev @ W_h[k * H:(k + 1) * H].T
           + b[k * H:(k + 1) * H] for k in range(4)]
    i, f, o = sigmoid(pre[0]), sigmoid(pre[1]), sigmoid(pre[3])
    g = np.tanh(pre[2])
    c_t = i * g + f * c_prev
    return o * np.tanh(c_t), c_t
'''),
        ("np.split, own sigmoid via tanh",
         '''def lstm_cell_forward(x_t, h_prev, c_prev, W_x, W_h, b):
    a = np.concatenate([x_t, h_prev], axis=1) @ np.concatenate([W_x, W_h], axis=1).T + b
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
    sig = lambda v: 0.5 + 0.5 * np.tanh(0.5 * v)
    c_t = sig(a_f) * c_prev + sig(a_i) * np.tanh(a_g)
    h_t = sig(a_o) * np.tanh(c_t)
    return h_t, c_t
'''),
    ],
    "lstm_forward": [
        ("lists, stacked at the end",
         '''def lstm_forward(x, h0, c0, W_x, W_h, b):
    h, c = h0, c0
    hs, cs = [], []
    for x_t in np.moveaxis(x, 1, 0):
        h, c = lstm_cell_forward(x_t, h, c, W_x, W_h, b)
        hs.append(h)
        cs.append(c)
    return np.stack(hs, 1), np.stack(cs, 1)
'''),
        ("self-contained, inputs projected once",
         '''def lstm_forward(x, h0, c0, W_x, W_h, b):
    N, T, D = x.shape
    H = h0.shape[1]
    xa = np.einsum("ntd,gd->ntg", x, W_x) + b
    hs = np.empty((N, T, H))
    cs = np.empty((N, T, H))
    h, c = h0.copy(), c0.copy()
    sig = lambda v: 0.5 * (1 + np.tanh(0.5 * v))
    for t in range(T):
        a = xa[:, t] + h @ W_h.T
        c = sig(a[:, H:2 * H]) * c + sig(a[:, :H]) * np.tanh(a[:, 2 * H:3 * H])
        h = sig(a[:, 3 * H:]) * np.tanh(c)
        hs[:, t], cs[:, t] = h, c
    return hs, cs
'''),
    ],
    "lstm_cell_backward": [
        ("einsum, sech^2 and sigmoid(a) sigmoid(-a) derivatives",
         '''def lstm_cell_backward(dh_t, dc_t, x_t, h_prev, c_prev, W_x, W_h, b):
    H = h_prev.shape[1]
    a = np.einsum("nd,gd->ng", x_t, W_x) + np.einsum("nk,gk->ng", h_prev, W_h) + b
    a_i, a_f, a_g, a_o = (a[:, k * H:(k + 1) * H] for k in range(4))
    i, f, o = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o)
    g = np.tanh(a_g)
    c = f * c_prev + i * g
    dc = dc_t + dh_t * o / np.cosh(c) ** 2
    da = np.hstack([dc * g * sigmoid(a_i) * sigmoid(-a_i),
                    dc * c_prev * sigmoid(a_f) * sigmoid(-a_f),
                    dc * i * (1 - np.tanh(a_g) ** 2),
                    dh_t * np.tanh(c) * sigmoid(a_o) * sigmoid(-a_o)])
    return (np.einsum("ng,gd->nd", da, W_x), np.einsum("ng,gk->nk", da, W_h), dc * f,
            np.einsum("ng,nd->gd", da, x_t), np.einsum("ng,nk->gk", da, h_prev), da.sum(0))
'''),
        ("stacked [x, h] input, own sigmoid",
         '''def lstm_cell_backward(dh_t, dc_t, x_t, h_prev, c_prev, W_x, W_h, b):
    N, D = x_t.shape
    H = h_prev.shape[1]
    sig = lambda v: 0.5 * (1 + np.tanh(0.5 * v))
    z = np.concatenate([x_t, h_prev], axis=1)
    W = np.concatenate([W_x, W_h], axis=1)
    a = z @ W.T + b
    i, f, g, o = sig(a[:, :H]), sig(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sig(a[:, 3 * H:])
    c = f * c_prev + i * g
    tc = np.tanh(c)
    dc = dc_t + dh_t * o * (1 - tc) * (1 + tc)
    da = np.empty((N, 4 * H))
    da[:, :H] = dc * g * i * (1 - i)
    da[:, H:2 * H] = dc * c_prev * f * (1 - f)
    da[:, 2 * H:3 * H] = dc * i * (1 - g) * (1 + g)
    da[:, 3 * H:] = dh_t * tc * o * (1 - o)
    dz = da @ W
    dW = da.T @ z
    return dz[:, :D], dz[:, D:], dc * f, dW[:, :D], dW[:, D:], da.sum(axis=0)
'''),
    ],
    "lstm_backward": [
        ("states from lstm_forward, lists of gradients",
         '''def lstm_backward(dhs, x, h0, c0, W_x, W_h, b):
    N, T, D = x.shape
    hs, cs = lstm_forward(x, h0, c0, W_x, W_h, b)
    H_all = np.concatenate([h0[:, None], hs], axis=1)
    C_all = np.concatenate([c0[:, None], cs], axis=1)
    dh = np.zeros_like(h0)
    dc = np.zeros_like(c0)
    dxs = [None] * T
    dW_x, dW_h, db = 0.0, 0.0, 0.0
    for t in range(T - 1, -1, -1):
        dx_t, dh, dc, gWx, gWh, gb = lstm_cell_backward(
            dhs[:, t] + dh, dc, x[:, t], H_all[:, t], C_all[:, t], W_x, W_h, b)
        dxs[t] = dx_t
        dW_x = dW_x + gWx
        dW_h = dW_h + gWh
        db = db + gb
    return np.stack(dxs, axis=1), dh, dc, dW_x, dW_h, db
'''),
        ("self-contained, pre-activations kept from the forward pass",
         '''def lstm_backward(dhs, x, h0, c0, W_x, W_h, b):
    N, T, D = x.shape
    H = h0.shape[1]
    sig = lambda v: 0.5 * (1 + np.tanh(0.5 * v))
    h, c = h0, c0
    cache = []
    for t in range(T):
        a = x[:, t] @ W_x.T + h @ W_h.T + b
        i, f, g, o = sig(a[:, :H]), sig(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), \\
            sig(a[:, 3 * H:])
        c_new = f * c + i * g
        cache.append((h, c, i, f, g, o, np.tanh(c_new)))
        h, c = o * np.tanh(c_new), c_new
    dx = np.zeros((N, T, D))
    dW_x = np.zeros((4 * H, D))
    dW_h = np.zeros((4 * H, H))
    db = np.zeros(4 * H)
    dh_carry = np.zeros((N, H))
    dc_carry = np.zeros((N, H))
    for t in reversed(range(T)):
        h_prev, c_prev, i, f, g, o, tc = cache[t]
        dh = dhs[:, t] + dh_carry
        dc = dc_carry + dh * o * (1 - tc ** 2)
        da = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f),
                             dc * i * (1 - g ** 2), dh * tc * o * (1 - o)], axis=1)
        dx[:, t] = da @ W_x
        dW_x += da.T @ x[:, t]
        dW_h += da.T @ h_prev
        db += da.sum(axis=0)
        dh_carry = da @ W_h
        dc_carry = dc * f
    return dx, dh_carry, dc_carry, dW_x, dW_h, db
'''),
    ],
    # ------------------------------------------------------------------ 5 · bidirectional
    "reverse_sequences": [
        ("fancy indexing with a per-row index table",
         '''def reverse_sequences(x, lengths):
    N, T = x.shape[:2]
    t = np.arange(T)[None, :]
    L = np.asarray(lengths)[:, None]
    idx = np.where(t < L, L - 1 - t, t)
    return x[np.arange(N)[:, None], idx]
'''),
        ("np.flip into an empty array, step by step",
         '''def reverse_sequences(x, lengths):
    out = np.empty_like(x)
    for n in range(len(lengths)):
        L = int(lengths[n])
        out[n, :L] = np.flip(x[n, :L], axis=0)
        out[n, L:] = x[n, L:]
    return out
'''),
    ],
    "bilstm_forward": [
        ("per sequence, unpadded, with the chapter's lstm_forward",
         '''def bilstm_forward(x, lengths, fwd, bwd):
    N, T, D = x.shape
    H = fwd[1].shape[1]
    outputs = np.zeros((N, T, 2 * H))
    final = np.zeros((N, 2 * H))
    zeros = np.zeros((1, H))
    for n in range(N):
        L = int(lengths[n])
        seq = x[n:n + 1, :L]
        hf, _ = lstm_forward(seq, zeros, zeros, *fwd)
        hb, _ = lstm_forward(seq[:, ::-1], zeros, zeros, *bwd)
        hb = hb[:, ::-1]
        outputs[n, :L] = np.concatenate([hf[0], hb[0]], axis=1)
        final[n] = np.concatenate([hf[0, -1], hb[0, 0]])
    return outputs, final
'''),
        ("batched, masks and take_along_axis",
         '''def bilstm_forward(x, lengths, fwd, bwd):
    N, T, D = x.shape
    H = fwd[1].shape[1]
    lengths = np.asarray(lengths)
    z = np.zeros((N, H))
    hf, _ = lstm_forward(x, z, z, *fwd)
    hb_rev, _ = lstm_forward(reverse_sequences(x, lengths), z, z, *bwd)
    hb = reverse_sequences(hb_rev, lengths)
    mask = (np.arange(T)[None, :] < lengths[:, None])[..., None]
    outputs = np.where(mask, np.concatenate([hf, hb], axis=2), 0.0)
    last = np.take_along_axis(hf, (lengths - 1)[:, None, None], axis=1)[:, 0]
    final = np.concatenate([last, hb[:, 0]], axis=1)
    return outputs, final
'''),
    ],
    # ------------------------------------------------------------------ 4 · lstm: the GRU
    "gru_cell_forward": [
        ("one weight block per gate, tanh-based sigmoid",
         """def gru_cell_forward(x_t, h_prev, W_x, W_h, b_x, b_h):
    H = h_prev.shape[1]
    blocks = [(W_x[k * H:(k + 1) * H], W_h[k * H:(k + 1) * H], b_x[k * H:(k + 1) * H],
               b_h[k * H:(k + 1) * H]) for k in range(3)]
    (Wxr, Whr, bxr, bhr), (Wxz, Whz, bxz, bhz), (Wxn, Whn, bxn, bhn) = blocks
    r = 0.5 * (1 + np.tanh(0.5 * (x_t @ Wxr.T + bxr + h_prev @ Whr.T + bhr)))
    z = 0.5 * (1 + np.tanh(0.5 * (x_t @ Wxz.T + bxz + h_prev @ Whz.T + bhz)))
    n = np.tanh(x_t @ Wxn.T + bxn + r * (h_prev @ Whn.T + bhn))
    return n + z * (h_prev - n)
"""),
    ],
    "gru_forward": [
        ("input projections for all steps at once, einsum",
         """def gru_forward(x, h0, W_x, W_h, b_x, b_h):
    H = h0.shape[1]
    ax = np.einsum("ntd,gd->ntg", x, W_x) + b_x
    h = h0.copy()
    out = []
    for t in range(x.shape[1]):
        ah = h @ W_h.T + b_h
        r = sigmoid(ax[:, t, :H] + ah[:, :H])
        z = sigmoid(ax[:, t, H:2 * H] + ah[:, H:2 * H])
        n = np.tanh(ax[:, t, 2 * H:] + r * ah[:, 2 * H:])
        h = (1 - z) * n + z * h
        out.append(h)
    return np.stack(out, axis=1)
"""),
    ],
    # ------------------------------------------------------------------ 6 · language_model
    "embed": [
        ("np.take along the rows", """def embed(ids, E):
    return np.take(E, ids, axis=0)
"""),
        ("one-hot matrix product", """def embed(ids, E):
    return np.eye(E.shape[0])[ids] @ E
"""),
    ],
    "embed_backward": [
        ("a loop over positions", """def embed_backward(dx, ids, V):
    N, T, D = dx.shape
    dE = np.zeros((V, D))
    for n in range(N):
        for t in range(T):
            dE[ids[n, t]] += dx[n, t]
    return dE
"""),
        ("one-hot transpose times dx", """def embed_backward(dx, ids, V):
    onehot = np.eye(V)[ids.reshape(-1)]
    return onehot.T @ dx.reshape(-1, dx.shape[-1])
"""),
    ],
    "output_backward": [
        ("einsum", """def output_backward(dz, hs, W_y):
    return (np.einsum("ntk,kh->nth", dz, W_y), np.einsum("ntk,nth->kh", dz, hs),
            np.einsum("ntk->k", dz))
"""),
    ],
    "masked_cross_entropy": [
        ("softmax per position, a loop over the masked-in positions",
         """def masked_cross_entropy(logits, targets, mask):
    dlogits = np.zeros_like(logits)
    count = int(mask.sum())
    loss = 0.0
    for n, t in zip(*np.nonzero(mask)):
        z = logits[n, t] - logits[n, t].max()
        log_p = z - np.log(np.exp(z).sum())
        loss -= log_p[targets[n, t]] / count
        dlogits[n, t] = np.exp(log_p) / count
        dlogits[n, t, targets[n, t]] -= 1.0 / count
    return loss, dlogits
"""),
        ("take_along_axis and np.where", """def masked_cross_entropy(logits, targets, mask):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(log_p, targets[..., None], axis=-1)[..., 0]
    M = mask.sum()
    loss = -np.where(mask, picked, 0.0).sum() / M
    grad = np.exp(log_p)
    at = targets[..., None]
    np.put_along_axis(grad, at, np.take_along_axis(grad, at, -1) - 1, -1)
    return float(loss), np.where(mask[..., None], grad, 0.0) / M
"""),
    ],
    "lm_loss_and_grads": [
        ("calls rnn_forward and rnn_backward of exercises 1 and 2",
         """def lm_loss_and_grads(params, ids, targets, mask, h0):
    x = embed(ids, params["E"])
    hs = rnn_forward(x, h0, params["W_x"], params["W_h"], params["b"])
    logits = hs @ params["W_y"].T + params["b_y"]
    loss, dz = masked_cross_entropy(logits, targets, mask)
    dhs, dW_y, db_y = output_backward(dz, hs, params["W_y"])
    dx, _, dW_x, dW_h, db = rnn_backward(dhs, x, h0, params["W_x"], params["W_h"],
                                         params["b"])
    grads = {"E": embed_backward(dx, ids, params["E"].shape[0]), "W_x": dW_x, "W_h": dW_h,
             "b": db, "W_y": dW_y, "b_y": db_y}
    return loss, grads, hs[:, -1].copy()
"""),
        ("everything inline, per-step lists",
         """def lm_loss_and_grads(params, ids, targets, mask, h0):
    E, W_x, W_h, b, W_y, b_y = (params[k] for k in ("E", "W_x", "W_h", "b", "W_y", "b_y"))
    N, T = ids.shape
    xs, hs, h = [], [h0], h0
    for t in range(T):
        xs.append(E[ids[:, t]])
        h = np.tanh(xs[-1] @ W_x.T + h @ W_h.T + b)
        hs.append(h)
    M = mask.sum()
    loss = 0.0
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    dh = np.zeros_like(h0)
    dzs = []
    for t in range(T):
        z = hs[t + 1] @ W_y.T + b_y
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        rows = np.arange(N)
        loss -= (logp[rows, targets[:, t]] * mask[:, t]).sum() / M
        dz = np.exp(logp)
        dz[rows, targets[:, t]] -= 1
        dzs.append(dz * mask[:, t, None] / M)
    for t in reversed(range(T)):
        grads["W_y"] += dzs[t].T @ hs[t + 1]
        grads["b_y"] += dzs[t].sum(axis=0)
        da = (dzs[t] @ W_y + dh) * (1 - hs[t + 1] ** 2)
        grads["W_x"] += da.T @ xs[t]
        grads["W_h"] += da.T @ hs[t]
        grads["b"] += da.sum(axis=0)
        np.add.at(grads["E"], ids[:, t], da @ W_x)
        dh = da @ W_h
    return loss, grads, hs[-1]
"""),
    ],
    "adam_step": [
        ("PyTorch's arrangement: step size and denominator corrected separately",
         """def adam_step(param, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = m * beta1 + grad * (1 - beta1)
    v = v * beta2 + grad * grad * (1 - beta2)
    step_size = lr / (1 - beta1 ** t)
    denom = np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps
    return param - step_size * m / denom, m, v
"""),
    ],
    "sample": [
        ("batch of one, a loop over the cumulative sum",
         """def sample(params, h0, first_id, length, temperature, u):
    h = h0[None, :]
    out = []
    current = first_id
    for i in range(length):
        x = params["E"][[current]]
        h = np.tanh(x @ params["W_x"].T + h @ params["W_h"].T + params["b"])
        z = (h @ params["W_y"].T + params["b_y"])[0] / temperature
        p = np.exp(z - z.max())
        p = p / p.sum()
        total, current = 0.0, len(p) - 1
        for k, p_k in enumerate(p):
            total += p_k
            if total > u[i]:
                current = k
                break
        out.append(current)
    return np.array(out, dtype=np.int64)
"""),
    ],
}

# A correct answer that the hidden checks still reject, pending a grader fix:
# {(function, label): why}. test_alternatives marks these xfail(strict=True),
# so the entry must go once the grader accepts the answer. (The stable
# sigmoid without np.errstate was one: numpy's underflow flag on
# exp(-1000) used to count as a warning.)
KNOWN_REJECTED = {}
