"""Architecture diagrams of the GRU (chapter 4) and of the language model (chapter 6).

Run from anywhere:  python book/figures/draw_ch04_gru_ch06.py
Writes (next to this file):
    ch04_gru_cell.svg        the GRU cell: reset and update gates, one state, PyTorch's form
    ch06_lm_backward.svg     the language model's forward pass over one chunk and its whole
                             backward pass, from the loss back to the embedding table

Drawn with the shared primitives of style.py (greyscale, no hatching, dashed arrows
for gradients) and deterministic: running the script twice gives byte-identical files.
"""

from matplotlib.patches import FancyBboxPatch
from style import BACK, LIGHT, MID, arrow, box, canvas, line, op, save


def ch04_gru_cell():
    fig, ax = canvas(10.4, 6.2, (-1.6, 12.6), (-2.7, 5.6))
    ax.add_patch(FancyBboxPatch((0.2, -1.2), 10.4, 5.9, boxstyle="round,pad=0,rounding_size=0.3",
                                facecolor="0.97", edgecolor="black", lw=1.2, zorder=0))
    ys = 4.2     # the state path
    yg = 1.3     # the gates
    # The state path: h_{t-1} -> (u ⊙) -> (+) -> h_t. There is no second state.
    line(ax, [-1.2, 2.78], [ys, ys], lw=3.2)
    op(ax, 3.0, ys, r"$\odot$")
    line(ax, [3.22, 8.98], [ys, ys], lw=3.2)
    op(ax, 9.2, ys, r"$+$")
    line(ax, [9.42, 11.6], [ys, ys], lw=3.2)
    arrow(ax, (11.4, ys), (12.0, ys), lw=3.2, head=18)
    ax.text(-1.3, ys + 0.45, r"$h_{t-1}$", ha="left", va="center", fontsize=15)
    ax.text(12.05, ys + 0.45, r"$h_t$", ha="left", va="center", fontsize=15)
    ax.text(6.1, ys - 0.45, "state path: keep $u_t$ of the old state", ha="center",
            va="center", fontsize=11, color="0.2")
    # The two affine maps, kept apart because the reset gate scales a^h_n with its bias.
    ax.text(-1.3, -0.1, r"$h_{t-1}$", ha="left", va="center", fontsize=15)
    ax.text(1.4, -2.45, r"$x_t$", ha="center", va="center", fontsize=15)
    line(ax, [-1.2, 1.4], [-0.55, -0.55])
    line(ax, [1.4, 1.4], [-2.15, -0.55])
    arrow(ax, (1.4, -0.55), (1.98, -0.55))
    box(ax, 5.6, -0.55, 7.2, 0.62,
        r"$a^x_t = x_t W_x^{\top} + b_x,\ \ a^h_t = h_{t-1} W_h^{\top} + b_h\ \to\ [\,r \mid z \mid n\,]$",
        fill=LIGHT, fontsize=11.5)
    # Gates: update u (sigmoid), reset r (sigmoid), candidate n (tanh).
    for gx, fn, lab, fill, name in [(3.0, r"$\sigma$", r"$u_t$", MID, "update"),
                                    (5.9, r"$\sigma$", r"$r_t$", MID, "reset"),
                                    (7.9, "tanh", r"$n_t$", "white", "candidate")]:
        box(ax, gx, yg, 1.1, 0.7, "", fill=fill, ls="-" if fill == MID else ":")
        ax.text(gx, yg, fn, ha="center", va="center", fontsize=13 if fn != "tanh" else 11)
        arrow(ax, (gx, -0.24), (gx, yg - 0.36))
        ax.text(gx - 0.62, yg + 0.55, lab, ha="right", va="center", fontsize=14)
        ax.text(gx, yg - 0.95, name, ha="center", va="center", fontsize=11, color="0.2")
    # The reset gate scales the n block of a^h, bias included, inside the tanh.
    arrow(ax, (6.45, yg), (7.35, yg))
    # u_t into the state path; 1 - u_t scales the candidate.
    arrow(ax, (3.0, yg + 0.36), (3.0, ys - 0.23))
    op(ax, 9.2, 2.85, r"$\odot$")
    line(ax, [8.45, 9.2], [yg, yg])
    arrow(ax, (9.2, yg), (9.2, 2.63))
    line(ax, [3.0, 8.98], [2.85, 2.85], ls=":")
    ax.text(6.1, 3.15, r"$1 - u_t$", ha="center", va="center", fontsize=12)
    arrow(ax, (9.2, 3.07), (9.2, ys - 0.23))
    ax.text(6.8, -1.75, r"$n_t = \tanh(a^x_n + r_t \odot a^h_n)$", ha="center", va="center",
            fontsize=13)
    ax.text(6.8, -2.45, r"$h_t = (1-u_t)\odot n_t + u_t \odot h_{t-1}$", ha="center",
            va="center", fontsize=13)
    save(fig, "ch04_gru_cell.svg")


def ch06_lm_backward():
    fig, ax = canvas(12.6, 5.8, (-0.6, 16.4), (-4.1, 3.6))
    yf, yb = 1.6, -1.9      # forward row, backward row
    stages = [(0.9, r"ids $c$", None), (3.7, "embed", r"$\mathbf{E}$"),
              (7.1, "RNN, $T$ steps", r"$W_x, W_h, b$"), (10.5, "output layer", r"$W_y, b_y$"),
              (14.1, "masked\ncross-entropy", r"$y^\star$, mask")]
    for x, label, params in stages:
        fill = LIGHT if params else "white"
        box(ax, x, yf, 2.2 if x > 1 else 1.4, 1.0, label, fill=fill, fontsize=12.5)
        if params:
            ax.text(x, yf + 0.85, params, ha="center", va="center", fontsize=12.5)
    for (x0, _, _), (x1, _, _), name in zip(stages, stages[1:],
                                            [r"$c$", r"$x$", r"$h_1..h_T$", r"$z$"]):
        start = x0 + (0.7 if x0 < 1 else 1.1)
        arrow(ax, (start, yf), (x1 - 1.1, yf))
        ax.text((start + x1 - 1.1) / 2, yf + 0.3, name, ha="center", va="center", fontsize=12.5)
    arrow(ax, (15.2, yf), (15.9, yf))
    ax.text(16.0, yf, r"$E$", ha="left", va="center", fontsize=15)
    # h0 from the previous chunk, h_T to the next: carried, but no gradient crosses.
    arrow(ax, (7.1, 3.3), (7.1, yf + 0.5))
    ax.text(6.9, 3.25, r"$h_0$ = last chunk's $h_T$", ha="right", va="center", fontsize=12.5)
    arrow(ax, (8.2, yf + 0.3), (9.0, 3.1), rad=-0.2)
    ax.text(9.1, 3.25, r"$h_T$ to the next chunk", ha="left", va="center", fontsize=12.5)
    # The backward pass, dashed, right to left.
    back = [(14.1, r"$dz = \frac{m}{M}(p - \mathrm{onehot}\,y^\star)$"),
            (10.5, r"$dW_y, db_y$"), (7.1, r"$dW_x, dW_h, db$"), (3.7, r"$d\mathbf{E}$")]
    for x, label in back:
        arrow(ax, (x, yf - 0.5), (x, yb + 0.35), dashed=True, color=BACK)
        ax.text(x, yb - 0.05, label, ha="center", va="top", fontsize=12.5)
    for (x0, name), (x1, _) in zip([(14.1, r"$dz$"), (10.5, r"$dh_t$ from the output"),
                                    (7.1, r"$dx$")], back[1:]):
        arrow(ax, (x0 - 1.0, yb + 0.55), (x1 + 1.0, yb + 0.55), dashed=True, color=BACK)
        ax.text((x0 + x1) / 2, yb + 0.85, name, ha="center", va="center", fontsize=12.5)
    ax.text(7.1, yb - 0.85, "BPTT from $t = T$ to 1;\nnothing flows into $h_0$ (truncated)",
            ha="center", va="top", fontsize=12.5, color="0.2")
    ax.text(3.7, yb - 0.85, "repeated ids add up", ha="center", va="top", fontsize=12.5,
            color="0.2")
    ax.text(12.9, -3.7, "then: clip by global norm, one Adam step per parameter",
            ha="center", va="center", fontsize=12.5, color="0.2")
    save(fig, "ch06_lm_backward.svg")


if __name__ == "__main__":
    ch04_gru_cell()
    ch06_lm_backward()
