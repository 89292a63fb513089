"""Chapter 5 · bidirectional: reference implementations (NumPy)."""
import numpy as np

from .lstm import lstm_forward


def lstm_states(x, W_x, W_h, b):
    """The LSTM that notebook 5 provides (not graded): hidden states from zero
    initial states, hs[:, t-1] = h_t of shape (N, T, H)."""
    N, H = x.shape[0], W_h.shape[1]
    hs, _ = lstm_forward(x, np.zeros((N, H)), np.zeros((N, H)), W_x, W_h, b)
    return hs


def reverse_sequences(x, lengths):
    """
    Reverse each sequence of a padded batch within its own length; the padding
    stays in place.

    Inputs:
    - x: Padded batch, of shape (N, T, ...)
    - lengths: Integer lengths in 1 .. T, of shape (N,)

    Returns:
    - out: New array shaped like x: row n holds its first lengths[n] steps in
      reverse order, and the steps from lengths[n] on (the padding) unchanged
    """
    ### BEGIN SOLUTION
    out = x.copy()
    for n in range(x.shape[0]):
        L = lengths[n]
        out[n, :L] = x[n, :L][::-1]
    return out
    ### END SOLUTION


def bilstm_forward(x, lengths, fwd, bwd):
    """
    Bidirectional LSTM over a padded batch of variable-length sequences, with
    zero initial states.

    Inputs:
    - x: Padded input sequences, of shape (N, T, D)
    - lengths: Integer lengths in 1 .. T, of shape (N,)
    - fwd: (W_x, W_h, b) of the forward LSTM, of shapes (4H, D), (4H, H), (4H,)
    - bwd: (W_x, W_h, b) of the backward LSTM, of the same shapes

    Returns a tuple of:
    - outputs: Of shape (N, T, 2H); outputs[n, t] = [forward h_t, backward h_t]
      for t < lengths[n], and zeros at the padded steps
    - final: Of shape (N, 2H); final[n] = [forward h at step lengths[n] - 1,
      backward h at step 0]
    """
    ### BEGIN SOLUTION
    N, T = x.shape[:2]
    W_x_f, W_h_f, b_f = fwd
    W_x_b, W_h_b, b_b = bwd
    H = W_h_f.shape[1]

    # Forward direction: padding comes after the valid steps, so it cannot
    # change them.
    hs_f = lstm_states(x, W_x_f, W_h_f, b_f)

    # Backward direction: reverse each sequence within its length, run an LSTM,
    # and reverse its states back so that hs_b[n, t] belongs to step t.
    hs_b_rev = lstm_states(reverse_sequences(x, lengths), W_x_b, W_h_b, b_b)
    hs_b = reverse_sequences(hs_b_rev, lengths)

    outputs = np.zeros((N, T, 2 * H))
    final = np.zeros((N, 2 * H))
    for n in range(N):
        L = lengths[n]
        outputs[n, :L, :H] = hs_f[n, :L]
        outputs[n, :L, H:] = hs_b[n, :L]
        final[n, :H] = hs_f[n, L - 1]
        final[n, H:] = hs_b[n, 0]
    return outputs, final
    ### END SOLUTION
