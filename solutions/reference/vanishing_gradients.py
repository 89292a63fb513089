"""Chapter 3 · vanishing_gradients: reference implementations (NumPy)."""
import numpy as np


def tanh_jacobian(h_t, W_h):
    """
    Jacobian dh_t/dh_{t-1} of one vanilla RNN step, for one example:
    diag(1 - h_t^2) W_h.

    Inputs:
    - h_t: Hidden state computed by the step, of shape (H,)
    - W_h: Hidden-to-hidden weights, of shape (H, H)

    Returns:
    - J: Jacobian, of shape (H, H); J[i, j] = dh_t[i] / dh_{t-1}[j]
    """
    ### BEGIN SOLUTION
    J = np.diag(1 - h_t ** 2) @ W_h
    return J
    ### END SOLUTION


def gradient_norms(x, h0, W_x, W_h, b, dh_T):
    """
    Norm of the gradient reaching every hidden state of one sequence, for a
    loss whose gradient reaches only the last state (dL/dh_T = dh_T).

    Inputs:
    - x: One input sequence, of shape (T, D)
    - h0: Initial hidden state, of shape (H,)
    - W_x: Input-to-hidden weights, of shape (H, D)
    - W_h: Hidden-to-hidden weights, of shape (H, H)
    - b: Biases, of shape (H,)
    - dh_T: Gradient of the loss with respect to h_T, of shape (H,)

    Returns:
    - norms: Array of shape (T + 1,); norms[t] = ||dL/dh_t||_2 for t = 0 .. T
      (h_0 is the initial state, so norms[T] = ||dh_T||_2)
    """
    ### BEGIN SOLUTION
    T = x.shape[0]

    # Forward pass: hs[t] is h_t for t = 0 .. T.
    hs = [h0]
    h = h0
    for t in range(T):
        h = np.tanh(x[t] @ W_x.T + h @ W_h.T + b)
        hs.append(h)

    # Backward pass: dL/dh_{t-1} = dL/dh_t @ (dh_t/dh_{t-1}).
    norms = np.zeros(T + 1)
    dh = dh_T
    norms[T] = np.linalg.norm(dh)
    for t in range(T, 0, -1):
        dh = dh @ tanh_jacobian(hs[t], W_h)
        norms[t - 1] = np.linalg.norm(dh)
    return norms
    ### END SOLUTION


def clip_by_global_norm(grads, max_norm):
    """
    Clip a list of gradients by their global (joint) L2 norm.

    total_norm = sqrt(sum of the squares of every entry of every gradient).
    If total_norm > max_norm, every gradient is multiplied by the exact ratio
    max_norm / total_norm, so the clipped gradients have joint norm max_norm.
    (PyTorch's clip_grad_norm_ uses max_norm / (total_norm + 1e-6) instead.)
    Otherwise the gradients are returned unchanged (as copies).

    Inputs:
    - grads: List of gradient arrays, of any shapes
    - max_norm: Largest allowed global norm, a positive float

    Returns a tuple of:
    - clipped: List of new arrays, shaped like grads
    - total_norm: Global norm of grads before clipping (a Python float)
    """
    ### BEGIN SOLUTION
    total_norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    if total_norm > max_norm:
        scale = max_norm / total_norm
        clipped = [g * scale for g in grads]
    else:
        clipped = [g.copy() for g in grads]
    return clipped, float(total_norm)
    ### END SOLUTION
