"""Chapter 2 · bptt: reference implementations (NumPy)."""
import numpy as np


def softmax_cross_entropy(logits, targets):
    """
    Softmax cross-entropy loss over a batch of sequences, and its gradient.

    The loss is the mean over all N*T positions of -log softmax(logits)[target].

    Inputs:
    - logits: Scores, of shape (N, T, K)
    - targets: Integer classes in 0 .. K-1, of shape (N, T)

    Returns a tuple of:
    - loss: Scalar loss (a Python float)
    - dlogits: Gradient of the loss with respect to logits, of shape (N, T, K)
    """
    ### BEGIN SOLUTION
    N, T, K = logits.shape
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    onehot = np.eye(K)[targets]
    loss = -np.sum(onehot * log_probs) / (N * T)
    probs = np.exp(log_probs)
    dlogits = (probs - onehot) / (N * T)
    return float(loss), dlogits
    ### END SOLUTION


def rnn_cell_backward(dh_t, x_t, h_prev, h_t, W_x, W_h):
    """
    Backward pass of one vanilla RNN step h_t = tanh(x_t W_x^T + h_prev W_h^T + b).

    Inputs:
    - dh_t: Upstream gradient of h_t, of shape (N, H)
    - x_t: Input at this step, of shape (N, D)
    - h_prev: Previous hidden state, of shape (N, H)
    - h_t: Hidden state computed by the forward step, of shape (N, H)
    - W_x: Input-to-hidden weights, of shape (H, D)
    - W_h: Hidden-to-hidden weights, of shape (H, H)

    Returns a tuple of:
    - dx_t: Gradient of x_t, of shape (N, D)
    - dh_prev: Gradient of h_prev, of shape (N, H)
    - dW_x: Gradient of W_x, of shape (H, D)
    - dW_h: Gradient of W_h, of shape (H, H)
    - db: Gradient of b, of shape (H,)
    """
    ### BEGIN SOLUTION
    da = dh_t * (1 - h_t ** 2)
    dx_t = da @ W_x
    dh_prev = da @ W_h
    dW_x = da.T @ x_t
    dW_h = da.T @ h_prev
    db = np.sum(da, axis=0)
    return dx_t, dh_prev, dW_x, dW_h, db
    ### END SOLUTION


def rnn_backward(dhs, x, h0, W_x, W_h, b):
    """
    Backpropagation through time for a vanilla RNN run over whole sequences.

    Inputs:
    - dhs: Upstream gradient of every hidden state h_1 .. h_T, of shape (N, T, H)
    - x: Input sequences, of shape (N, T, D)
    - h0: Initial hidden state, of shape (N, H)
    - W_x: Input-to-hidden weights, of shape (H, D)
    - W_h: Hidden-to-hidden weights, of shape (H, H)
    - b: Biases, of shape (H,)

    Returns a tuple of:
    - dx: Gradient of x, of shape (N, T, D)
    - dh0: Gradient of h0, of shape (N, H)
    - dW_x: Gradient of W_x, of shape (H, D)
    - dW_h: Gradient of W_h, of shape (H, H)
    - db: Gradient of b, of shape (H,)
    """
    ### BEGIN SOLUTION
    N, T, D = x.shape
    H = h0.shape[1]

    # Forward pass, keeping every hidden state.
    hs = np.zeros((N, T, H))
    h = h0
    for t in range(T):
        h = np.tanh(x[:, t, :] @ W_x.T + h @ W_h.T + b)
        hs[:, t, :] = h

    # Backward pass: at each step the gradient of h_t is its own upstream
    # gradient plus the one carried back from step t + 1.
    dx = np.zeros((N, T, D))
    dW_x = np.zeros((H, D))
    dW_h = np.zeros((H, H))
    db = np.zeros(H)
    dh_next = np.zeros((N, H))
    for t in reversed(range(T)):
        h_prev = hs[:, t - 1, :] if t > 0 else h0
        dh = dhs[:, t, :] + dh_next
        dx_t, dh_next, dW_x_t, dW_h_t, db_t = rnn_cell_backward(
            dh, x[:, t, :], h_prev, hs[:, t, :], W_x, W_h
        )
        dx[:, t, :] = dx_t
        dW_x = dW_x + dW_x_t
        dW_h = dW_h + dW_h_t
        db = db + db_t
    dh0 = dh_next
    return dx, dh0, dW_x, dW_h, db
    ### END SOLUTION


def numerical_gradient(f, x, eps=1e-5):
    """
    Gradient of a scalar function by central differences, one element at a time:
    df/dx[i] ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps).

    The perturbations are made on a private copy of x, so x itself is never
    modified; f must therefore compute its value from the array it is given.

    Inputs:
    - f: Function taking an array shaped like x and returning a scalar
    - x: Point at which to differentiate, a float array of any shape
    - eps: Step size

    Returns:
    - grad: Numerical gradient, an array of the same shape as x
    """
    ### BEGIN SOLUTION
    x_work = np.array(x, dtype=np.float64)
    grad = np.zeros(x_work.shape)
    for idx in np.ndindex(x_work.shape):
        old = x_work[idx]
        x_work[idx] = old + eps
        f_plus = f(x_work)
        x_work[idx] = old - eps
        f_minus = f(x_work)
        x_work[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * eps)
    return grad
    ### END SOLUTION
