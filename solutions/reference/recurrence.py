"""Chapter 1 · recurrence: reference implementations (NumPy)."""
import numpy as np


def feedforward_sequence(x, W, b):
    """
    Apply one feedforward layer to every time step on its own (no hidden state).

    Inputs:
    - x: Input sequences, of shape (N, T, D)
    - W: Weight matrix, of shape (H, D)
    - b: Biases, of shape (H,)

    Returns:
    - out: tanh(x_t W^T + b) at every step, of shape (N, T, H)
    """
    ### BEGIN SOLUTION
    out = np.tanh(x @ W.T + b)
    return out
    ### END SOLUTION


def rnn_cell_forward(x_t, h_prev, W_x, W_h, b):
    """
    One step of a vanilla (tanh) RNN: h_t = tanh(x_t W_x^T + h_{t-1} W_h^T + b).

    Inputs:
    - x_t: Input at this step, of shape (N, D)
    - h_prev: Previous hidden state h_{t-1}, of shape (N, H)
    - W_x: Input-to-hidden weights, of shape (H, D)
    - W_h: Hidden-to-hidden weights, of shape (H, H)
    - b: Biases, of shape (H,)

    Returns:
    - h_t: Next hidden state, of shape (N, H)
    """
    ### BEGIN SOLUTION
    a = x_t @ W_x.T + h_prev @ W_h.T + b
    h_t = np.tanh(a)
    return h_t
    ### END SOLUTION


def rnn_forward(x, h0, W_x, W_h, b):
    """
    Run a vanilla RNN over whole sequences.

    Inputs:
    - x: Input sequences, of shape (N, T, D)
    - h0: Initial hidden state, of shape (N, H)
    - W_x: Input-to-hidden weights, of shape (H, D)
    - W_h: Hidden-to-hidden weights, of shape (H, H)
    - b: Biases, of shape (H,)

    Returns:
    - hs: Hidden states h_1 .. h_T (h0 excluded), of shape (N, T, H)
    """
    ### BEGIN SOLUTION
    N, T = x.shape[:2]
    H = h0.shape[1]
    hs = np.zeros((N, T, H))
    h = h0
    for t in range(T):
        h = rnn_cell_forward(x[:, t, :], h, W_x, W_h, b)
        hs[:, t, :] = h
    return hs
    ### END SOLUTION


def softmax(z):
    """
    Softmax along the last axis, stable for large inputs.

    Inputs:
    - z: Scores, of any shape (..., K)

    Returns:
    - p: Probabilities, of the same shape as z; each slice along the last axis sums to 1
    """
    ### BEGIN SOLUTION
    shifted = z - np.max(z, axis=-1, keepdims=True)
    e = np.exp(shifted)
    p = e / np.sum(e, axis=-1, keepdims=True)
    return p
    ### END SOLUTION


def rnn_output(hs, W_y, b_y):
    """
    Output probabilities at every step (many-to-many): y_t = softmax(W_y h_t + b_y).

    Inputs:
    - hs: Hidden states, of shape (N, T, H)
    - W_y: Hidden-to-output weights, of shape (K, H)
    - b_y: Output biases, of shape (K,)

    Returns:
    - ys: Probabilities, of shape (N, T, K)
    """
    ### BEGIN SOLUTION
    scores = hs @ W_y.T + b_y
    ys = softmax(scores)
    return ys
    ### END SOLUTION


def many_to_one(x, h0, W_x, W_h, b, W_y, b_y):
    """
    Many-to-one RNN: read the whole sequence, predict from the last hidden state.

    Inputs:
    - x: Input sequences, of shape (N, T, D)
    - h0: Initial hidden state, of shape (N, H)
    - W_x: Input-to-hidden weights, of shape (H, D)
    - W_h: Hidden-to-hidden weights, of shape (H, H)
    - b: Biases, of shape (H,)
    - W_y: Hidden-to-output weights, of shape (K, H)
    - b_y: Output biases, of shape (K,)

    Returns:
    - y: Probabilities softmax(W_y h_T + b_y), of shape (N, K)
    """
    ### BEGIN SOLUTION
    hs = rnn_forward(x, h0, W_x, W_h, b)
    h_T = hs[:, -1, :]
    y = softmax(h_T @ W_y.T + b_y)
    return y
    ### END SOLUTION
