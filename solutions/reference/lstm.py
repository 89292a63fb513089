"""Chapter 4 · lstm: reference implementations (NumPy).

Gate order in the stacked weights is i, f, g, o (PyTorch's): W_x is (4H, D),
W_h is (4H, H), b is (4H,), and rows k*H .. (k+1)*H - 1 belong to gate k.
"""
import numpy as np


def sigmoid(z):
    """
    Logistic sigmoid 1 / (1 + exp(-z)), computed without overflow (and without
    a warning) for |z| up to 1000.

    Inputs:
    - z: Array of any shape

    Returns:
    - s: sigmoid(z), of the same shape as z
    """
    ### BEGIN SOLUTION
    # For z >= 0 use 1 / (1 + exp(-z)), for z < 0 the equal exp(z) / (1 + exp(z)):
    # both take exp of -|z| <= 0, which cannot overflow (exp(-1000) underflows to 0,
    # the right answer, so the underflow flag is silenced).
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(z))
        s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return s
    ### END SOLUTION


def lstm_cell_forward(x_t, h_prev, c_prev, W_x, W_h, b):
    """
    One LSTM step, gates stacked in the order i, f, g, o:
    a = x_t W_x^T + h_prev W_h^T + b,  i, f, o = sigmoid(a_i, a_f, a_o),
    g = tanh(a_g),  c_t = f * c_prev + i * g,  h_t = o * tanh(c_t).

    Inputs:
    - x_t: Input at this step, of shape (N, D)
    - h_prev: Previous hidden state, of shape (N, H)
    - c_prev: Previous cell state, of shape (N, H)
    - W_x: Input-to-hidden weights, of shape (4H, D)
    - W_h: Hidden-to-hidden weights, of shape (4H, H)
    - b: Biases, of shape (4H,)

    Returns a tuple of:
    - h_t: Next hidden state, of shape (N, H)
    - c_t: Next cell state, of shape (N, H)
    """
    ### BEGIN SOLUTION
    H = h_prev.shape[1]
    a = x_t @ W_x.T + h_prev @ W_h.T + b
    i = sigmoid(a[:, 0:H])
    f = sigmoid(a[:, H:2 * H])
    g = np.tanh(a[:, 2 * H:3 * H])
    o = sigmoid(a[:, 3 * H:4 * H])
    c_t = f * c_prev + i * g
    h_t = o * np.tanh(c_t)
    return h_t, c_t
    ### END SOLUTION


def lstm_forward(x, h0, c0, W_x, W_h, b):
    """
    Run an LSTM over whole sequences.

    Inputs:
    - x: Input sequences, of shape (N, T, D)
    - h0: Initial hidden state, of shape (N, H)
    - c0: Initial cell state, of shape (N, H)
    - W_x: Input-to-hidden weights, of shape (4H, D)
    - W_h: Hidden-to-hidden weights, of shape (4H, H)
    - b: Biases, of shape (4H,)

    Returns a tuple of:
    - hs: Hidden states h_1 .. h_T, of shape (N, T, H)
    - cs: Cell states c_1 .. c_T, of shape (N, T, H)
    """
    ### BEGIN SOLUTION
    N, T = x.shape[:2]
    H = h0.shape[1]
    hs = np.zeros((N, T, H))
    cs = np.zeros((N, T, H))
    h, c = h0, c0
    for t in range(T):
        h, c = lstm_cell_forward(x[:, t, :], h, c, W_x, W_h, b)
        hs[:, t, :] = h
        cs[:, t, :] = c
    return hs, cs
    ### END SOLUTION


def lstm_cell_backward(dh_t, dc_t, x_t, h_prev, c_prev, W_x, W_h, b):
    """
    Backward pass of one LSTM step (gates i, f, g, o). The gates are recomputed
    from the step's inputs, which is why b is needed.

    Inputs:
    - dh_t: Upstream gradient of h_t, of shape (N, H)
    - dc_t: Upstream gradient of c_t, NOT including the path through h_t, of shape (N, H)
    - x_t: Input at this step, of shape (N, D)
    - h_prev: Previous hidden state, of shape (N, H)
    - c_prev: Previous cell state, of shape (N, H)
    - W_x: Input-to-hidden weights, of shape (4H, D)
    - W_h: Hidden-to-hidden weights, of shape (4H, H)
    - b: Biases, of shape (4H,)

    Returns a tuple of:
    - dx_t: Gradient of x_t, of shape (N, D)
    - dh_prev: Gradient of h_prev, of shape (N, H)
    - dc_prev: Gradient of c_prev, of shape (N, H)
    - dW_x: Gradient of W_x, of shape (4H, D)
    - dW_h: Gradient of W_h, of shape (4H, H)
    - db: Gradient of b, of shape (4H,)
    """
    ### BEGIN SOLUTION
    H = h_prev.shape[1]

    # Recompute the forward step.
    a = x_t @ W_x.T + h_prev @ W_h.T + b
    i = sigmoid(a[:, 0:H])
    f = sigmoid(a[:, H:2 * H])
    g = np.tanh(a[:, 2 * H:3 * H])
    o = sigmoid(a[:, 3 * H:4 * H])
    c_t = f * c_prev + i * g
    tanh_c = np.tanh(c_t)

    # h_t = o * tanh(c_t): the total gradient of c_t adds the path through h_t.
    dc = dc_t + dh_t * o * (1 - tanh_c ** 2)
    do = dh_t * tanh_c
    # c_t = f * c_prev + i * g
    di = dc * g
    df = dc * c_prev
    dg = dc * i
    dc_prev = dc * f

    # Through the nonlinearities to the pre-activations, stacked i, f, g, o.
    da_i = di * i * (1 - i)
    da_f = df * f * (1 - f)
    da_g = dg * (1 - g ** 2)
    da_o = do * o * (1 - o)
    da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)

    dx_t = da @ W_x
    dh_prev = da @ W_h
    dW_x = da.T @ x_t
    dW_h = da.T @ h_prev
    db = np.sum(da, axis=0)
    return dx_t, dh_prev, dc_prev, dW_x, dW_h, db
    ### END SOLUTION


def lstm_backward(dhs, x, h0, c0, W_x, W_h, b):
    """
    Backpropagation through time for an LSTM run over whole sequences.

    Inputs:
    - dhs: Upstream gradient of every hidden state h_1 .. h_T, of shape (N, T, H)
      (no upstream gradient reaches the cell states directly)
    - x: Input sequences, of shape (N, T, D)
    - h0: Initial hidden state, of shape (N, H)
    - c0: Initial cell state, of shape (N, H)
    - W_x: Input-to-hidden weights, of shape (4H, D)
    - W_h: Hidden-to-hidden weights, of shape (4H, H)
    - b: Biases, of shape (4H,)

    Returns a tuple of:
    - dx: Gradient of x, of shape (N, T, D)
    - dh0: Gradient of h0, of shape (N, H)
    - dc0: Gradient of c0, of shape (N, H)
    - dW_x: Gradient of W_x, of shape (4H, D)
    - dW_h: Gradient of W_h, of shape (4H, H)
    - db: Gradient of b, of shape (4H,)
    """
    ### BEGIN SOLUTION
    N, T, D = x.shape
    H = h0.shape[1]

    # Forward pass, keeping every hidden and cell state.
    hs = np.zeros((N, T, H))
    cs = np.zeros((N, T, H))
    h, c = h0, c0
    for t in range(T):
        h, c = lstm_cell_forward(x[:, t, :], h, c, W_x, W_h, b)
        hs[:, t, :] = h
        cs[:, t, :] = c

    # Backward pass, carrying the gradients of h and c back one step at a time.
    dx = np.zeros((N, T, D))
    dW_x = np.zeros((4 * H, D))
    dW_h = np.zeros((4 * H, H))
    db = np.zeros(4 * H)
    dh_next = np.zeros((N, H))
    dc_next = np.zeros((N, H))
    for t in reversed(range(T)):
        h_prev = hs[:, t - 1, :] if t > 0 else h0
        c_prev = cs[:, t - 1, :] if t > 0 else c0
        dh = dhs[:, t, :] + dh_next
        dx_t, dh_next, dc_next, dW_x_t, dW_h_t, db_t = lstm_cell_backward(
            dh, dc_next, x[:, t, :], h_prev, c_prev, W_x, W_h, b
        )
        dx[:, t, :] = dx_t
        dW_x = dW_x + dW_x_t
        dW_h = dW_h + dW_h_t
        db = db + db_t
    dh0 = dh_next
    dc0 = dc_next
    return dx, dh0, dc0, dW_x, dW_h, db
    ### END SOLUTION



def gru_cell_forward(x_t, h_prev, W_x, W_h, b_x, b_h):
    """
    One GRU step in PyTorch's formulation. The blocks are stacked in PyTorch's order
    r, z, n (reset, update, candidate), which the book writes r, u, g (z_t is the
    logits, n the example index). With a_x = x_t W_x^T + b_x and a_h = h_prev W_h^T + b_h,
    each cut into [r | u | g] blocks of H columns:
    r_t = sigmoid(a_x,r + a_h,r),  u_t = sigmoid(a_x,u + a_h,u),
    g_t = tanh(a_x,g + r_t * a_h,g),  h_t = (1 - u_t) * g_t + u_t * h_prev.

    Inputs:
    - x_t: Input at this step, of shape (N, D)
    - h_prev: Previous hidden state, of shape (N, H)
    - W_x: Input-to-hidden weights, of shape (3H, D)
    - W_h: Hidden-to-hidden weights, of shape (3H, H)
    - b_x: Input-side biases, of shape (3H,)
    - b_h: Hidden-side biases, of shape (3H,); the reset gate multiplies the hidden
      part of the candidate with its bias, which is why the two are kept apart

    Returns:
    - h_t: Next hidden state, of shape (N, H)
    """
    ### BEGIN SOLUTION
    H = h_prev.shape[1]
    a_x = x_t @ W_x.T + b_x
    a_h = h_prev @ W_h.T + b_h
    r = sigmoid(a_x[:, 0:H] + a_h[:, 0:H])
    u = sigmoid(a_x[:, H:2 * H] + a_h[:, H:2 * H])
    g = np.tanh(a_x[:, 2 * H:3 * H] + r * a_h[:, 2 * H:3 * H])
    h_t = (1 - u) * g + u * h_prev
    return h_t
    ### END SOLUTION


def gru_forward(x, h0, W_x, W_h, b_x, b_h):
    """
    Run a GRU over whole sequences.

    Inputs:
    - x: Input sequences, of shape (N, T, D)
    - h0: Initial hidden state, of shape (N, H)
    - W_x: Input-to-hidden weights, of shape (3H, D), blocks stacked r, z, n (PyTorch's
      names; the book's r, u, g)
    - W_h: Hidden-to-hidden weights, of shape (3H, H)
    - b_x: Input-side biases, of shape (3H,)
    - b_h: Hidden-side biases, of shape (3H,)

    Returns:
    - hs: Hidden states h_1 .. h_T, of shape (N, T, H)
    """
    ### BEGIN SOLUTION
    N, T = x.shape[:2]
    H = h0.shape[1]
    hs = np.zeros((N, T, H))
    h = h0
    for t in range(T):
        h = gru_cell_forward(x[:, t, :], h, W_x, W_h, b_x, b_h)
        hs[:, t, :] = h
    return hs
    ### END SOLUTION
