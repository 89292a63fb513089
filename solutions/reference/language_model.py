"""Chapter 6 · language_model: reference implementations (NumPy).

Integer ids are (N, T) int64 arrays in 0 .. V-1 (V is the vocabulary size, the
number of output classes K); mask is a boolean (N, T) array. The embedding
table is the array E of shape (V, D) (bold E in the book: the loss is E).
"""
import numpy as np


def embed(ids, E):
    """
    Embedding lookup: x[n, t] is the row ids[n, t] of the table E.

    Inputs:
    - ids: Integer ids in 0 .. V-1, of shape (N, T)
    - E: Embedding table, of shape (V, D)

    Returns:
    - x: Embedded sequences, of shape (N, T, D)
    """
    ### BEGIN SOLUTION
    # Integer-array indexing copies the rows: x never shares memory with E.
    x = E[ids]
    return x
    ### END SOLUTION


def embed_backward(dx, ids, V):
    """
    Backward pass of the embedding lookup: row v of dE is the sum of dx[n, t]
    over every position where ids[n, t] = v (zero for an id that does not occur).

    Inputs:
    - dx: Upstream gradient of the embedded sequences, of shape (N, T, D)
    - ids: Integer ids in 0 .. V-1, of shape (N, T)
    - V: Vocabulary size, an int

    Returns:
    - dE: Gradient of the embedding table, of shape (V, D)
    """
    ### BEGIN SOLUTION
    dE = np.zeros((V, dx.shape[-1]))
    # np.add.at adds once per occurrence; dE[ids] += dx would keep only one of the
    # contributions of a repeated id.
    np.add.at(dE, ids, dx)
    return dE
    ### END SOLUTION


def output_backward(dz, hs, W_y):
    """
    Backward pass of the output layer z = hs W_y^T + b_y, applied at every step.

    Inputs:
    - dz: Upstream gradient of the logits, of shape (N, T, K)
    - hs: Hidden states the logits were computed from, of shape (N, T, H)
    - W_y: Hidden-to-output weights, of shape (K, H)

    Returns a tuple of:
    - dhs: Gradient of hs, of shape (N, T, H)
    - dW_y: Gradient of W_y, of shape (K, H)
    - db_y: Gradient of b_y, of shape (K,)
    """
    ### BEGIN SOLUTION
    K, H = W_y.shape
    dhs = dz @ W_y
    # W_y is shared by every example and step: sum over both axes.
    dW_y = dz.reshape(-1, K).T @ hs.reshape(-1, H)
    db_y = dz.sum(axis=(0, 1))
    return dhs, dW_y, db_y
    ### END SOLUTION


def masked_cross_entropy(logits, targets, mask):
    """
    Softmax cross-entropy averaged over the positions where mask is true:
    E = -(1 / M) sum over masked-in (n, t) of log softmax(logits[n, t])[targets[n, t]],
    with M the number of true entries of mask. Masked-out positions add nothing to
    the loss or to the gradient (like torch's cross_entropy with ignore_index).

    Inputs:
    - logits: Scores, of shape (N, T, K)
    - targets: Integer classes in 0 .. K-1, of shape (N, T)
    - mask: Booleans, of shape (N, T), with at least one true entry

    Returns a tuple of:
    - loss: Scalar loss (a Python float)
    - dlogits: Gradient of the loss with respect to logits, of shape (N, T, K)
    """
    ### BEGIN SOLUTION
    K = logits.shape[-1]
    M = np.sum(mask)
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    onehot = np.eye(K)[targets]
    weight = mask[..., None] / M  # 1/M at a masked-in position, 0 elsewhere
    loss = -np.sum(weight * onehot * log_probs)
    dlogits = weight * (np.exp(log_probs) - onehot)
    return float(loss), dlogits
    ### END SOLUTION


def lm_loss_and_grads(params, ids, targets, mask, h0):
    """
    One forward and backward pass of the character language model over a chunk:
    x = E[ids], h_t = tanh(x_t W_x^T + h_{t-1} W_h^T + b), z_t = h_t W_y^T + b_y,
    loss = masked_cross_entropy(z, targets, mask).

    Inputs:
    - params: Dict of the parameters E (V, D), W_x (H, D), W_h (H, H), b (H,),
      W_y (V, H), b_y (V,)
    - ids: Input ids, of shape (N, T)
    - targets: Target ids (the next characters), of shape (N, T)
    - mask: Booleans, of shape (N, T): the positions that count in the loss
    - h0: Initial hidden state, of shape (N, H) (carried from the previous chunk)

    Returns a tuple of:
    - loss: Scalar loss (a Python float)
    - grads: Dict with the keys of params, each gradient shaped like its parameter
    - h_last: Hidden state after the last step h_T, of shape (N, H), to carry into
      the next chunk
    """
    ### BEGIN SOLUTION
    E, W_x, W_h, b = params["E"], params["W_x"], params["W_h"], params["b"]
    W_y, b_y = params["W_y"], params["b_y"]
    N, T = ids.shape
    H = h0.shape[1]

    # Forward: the vanilla RNN of chapter 1, written out so that this chapter needs
    # nothing from the earlier notebooks.
    x = embed(ids, E)
    hs = np.zeros((N, T, H))
    h = h0
    for t in range(T):
        h = np.tanh(x[:, t, :] @ W_x.T + h @ W_h.T + b)
        hs[:, t, :] = h
    logits = hs @ W_y.T + b_y
    loss, dlogits = masked_cross_entropy(logits, targets, mask)

    # Backward: output layer, then backpropagation through time (chapter 2), then the
    # embedding.
    dhs, dW_y, db_y = output_backward(dlogits, hs, W_y)
    dx = np.zeros(x.shape)
    dW_x = np.zeros(W_x.shape)
    dW_h = np.zeros(W_h.shape)
    db = np.zeros(b.shape)
    dh_next = np.zeros((N, H))
    for t in reversed(range(T)):
        h_prev = hs[:, t - 1, :] if t > 0 else h0
        da = (dhs[:, t, :] + dh_next) * (1 - hs[:, t, :] ** 2)
        dx[:, t, :] = da @ W_x
        dW_x = dW_x + da.T @ x[:, t, :]
        dW_h = dW_h + da.T @ h_prev
        db = db + da.sum(axis=0)
        dh_next = da @ W_h
    dE = embed_backward(dx, ids, E.shape[0])
    grads = {"E": dE, "W_x": dW_x, "W_h": dW_h, "b": db, "W_y": dW_y, "b_y": db_y}
    return loss, grads, hs[:, T - 1, :]
    ### END SOLUTION


def adam_step(param, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """
    One Adam update with bias correction:
    m = beta1 m + (1 - beta1) grad,  v = beta2 v + (1 - beta2) grad^2,
    m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t),
    param = param - lr m_hat / (sqrt(v_hat) + eps).

    Inputs:
    - param: Parameter, an array of any shape
    - grad: Its gradient, of the same shape
    - m: First-moment estimate before this step, of the same shape
    - v: Second-moment estimate before this step, of the same shape
    - t: Number of this step, counting from 1
    - lr: Learning rate
    - beta1, beta2: Decay rates of the moment estimates
    - eps: Added to sqrt(v_hat), outside the square root

    Returns a tuple of:
    - param: Updated parameter (a new array)
    - m: Updated first moment
    - v: Updated second moment
    """
    ### BEGIN SOLUTION
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    param = param - lr * m_hat / (np.sqrt(v_hat) + eps)
    return param, m, v
    ### END SOLUTION


def sample(params, h0, first_id, length, temperature, u):
    """
    Generate length ids from the language model: feed first_id, then each generated
    id, back as the next input. Id i is drawn from p = softmax(z / temperature) by
    the inverse CDF: the smallest id whose cumulative probability exceeds u[i] (the
    last id, should rounding leave every cumulative probability at or below u[i]).

    Inputs:
    - params: Dict of the parameters E, W_x, W_h, b, W_y, b_y (see lm_loss_and_grads)
    - h0: Initial hidden state of the one sequence, of shape (H,)
    - first_id: Id of the first input, an int
    - length: Number of ids to generate, an int
    - temperature: Positive float; below 1 sharpens p, above 1 flattens it
    - u: Uniform numbers in [0, 1), one per generated id, of shape (length,)

    Returns:
    - ids: Generated ids, an int64 array of shape (length,)
    """
    ### BEGIN SOLUTION
    E, W_x, W_h, b = params["E"], params["W_x"], params["W_h"], params["b"]
    W_y, b_y = params["W_y"], params["b_y"]
    V = E.shape[0]
    ids = np.zeros(length, dtype=np.int64)
    h = h0
    current = first_id
    for i in range(length):
        h = np.tanh(E[current] @ W_x.T + h @ W_h.T + b)
        z = (h @ W_y.T + b_y) / temperature
        p = np.exp(z - np.max(z))
        cdf = np.cumsum(p / np.sum(p))
        current = min(int(np.searchsorted(cdf, u[i], side="right")), V - 1)
        ids[i] = current
    return ids
    ### END SOLUTION
