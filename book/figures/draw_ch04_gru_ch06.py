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
    fig, ax = canvas(10.0, 6.6, (-1.8, 13.3), (-3.5, 6.2))
    ax.add_patch(FancyBboxPatch((0.3, -1.75), 11.75, 7.35, boxstyle="round,pad=0,rounding_size=0.3",
                                facecolor="0.97", edgecolor="black", lw=1.2, zorder=0))
    ys = 5.0     # the state path
    # The state path: h_{t-1} -> (u ⊙) -> (+) -> h_t. There is no second state.
    line(ax, [-1.2, 2.58], [ys, ys], lw=3.2)
    op(ax, 2.8, ys, r"$\odot$")
    line(ax, [3.02, 9.78], [ys, ys], lw=3.2)
    op(ax, 10.0, ys, r"$+$")
    line(ax, [10.22, 12.3], [ys, ys], lw=3.2)
    arrow(ax, (12.1, ys), (12.7, ys), lw=3.2, head=18)
    ax.text(-1.3, ys + 0.45, r"$h_{t-1}$", ha="left", va="center", fontsize=15)
    ax.text(12.75, ys + 0.45, r"$h_t$", ha="left", va="center", fontsize=15)
    ax.text(6.3, ys - 0.4, "state path: keep $u_t$ of the old state", ha="center",
            va="top", fontsize=11, color="0.2")
    # The two affine maps, kept apart because the reset gate scales a^h_g with its bias.
    box(ax, 6.0, -0.85, 11.0, 1.2, "", fill=LIGHT)
    ax.text(3.2, -0.55, r"$a^x_t = x_t W_x^{\top} + b_x$", ha="center", va="center",
            fontsize=12)
    ax.text(8.6, -0.55, r"$a^h_t = h_{t-1} W_h^{\top} + b_h$", ha="center", va="center",
            fontsize=12)
    ax.text(6.0, -1.15, r"each cut into the blocks $[\,r \mid u \mid g\,]$", ha="center",
            va="center", fontsize=11, color="0.2")
    ax.text(-1.3, -0.25, r"$h_{t-1}$", ha="left", va="center", fontsize=15)
    arrow(ax, (-1.2, -0.85), (0.5, -0.85))
    ax.text(3.2, -2.75, r"$x_t$", ha="center", va="center", fontsize=15)
    arrow(ax, (3.2, -2.45), (3.2, -1.45))
    # Update and reset gates read the sums of their blocks.
    yg = 2.6
    for gx, name, inputs in [(2.8, "update", r"$a^x_u + a^h_u$"),
                             (5.6, "reset", r"$a^x_r + a^h_r$")]:
        box(ax, gx, yg, 1.1, 0.7, r"$\sigma$", fill=MID)
        arrow(ax, (gx, -0.25), (gx, yg - 0.35))
        ax.text(gx + 0.15, 0.9, inputs, ha="left", va="center", fontsize=12)
        ax.text(gx - 0.7, yg, name, ha="right", va="center", fontsize=11, color="0.2")
    # u_t into the state path; 1 - u_t (dotted) scales the candidate.
    arrow(ax, (2.8, yg + 0.35), (2.8, ys - 0.22))
    ax.text(2.6, 4.35, r"$u_t$", ha="right", va="center", fontsize=14)
    line(ax, [2.8, 9.78], [3.8, 3.8], ls=":")
    ax.text(4.2, 3.55, r"$1 - u_t$", ha="center", va="top", fontsize=12)
    op(ax, 10.0, 3.8, r"$\odot$")
    arrow(ax, (10.0, 4.02), (10.0, ys - 0.22))
    # The candidate: r_t scales the hidden part a^h_g only (bias included), then a^x_g is
    # added and the tanh applied.
    op(ax, 8.0, 1.1, r"$\odot$")
    op(ax, 10.0, 1.1, r"$+$")
    line(ax, [6.15, 8.0], [yg, yg])
    arrow(ax, (8.0, yg), (8.0, 1.32))
    ax.text(7.1, yg + 0.2, r"$r_t$", ha="center", va="bottom", fontsize=14)
    arrow(ax, (8.0, -0.25), (8.0, 0.88))
    ax.text(7.85, 0.3, r"$a^h_g$", ha="right", va="center", fontsize=12)
    arrow(ax, (8.22, 1.1), (9.78, 1.1))
    arrow(ax, (10.0, -0.25), (10.0, 0.88))
    ax.text(10.15, 0.3, r"$a^x_g$", ha="left", va="center", fontsize=12)
    box(ax, 10.0, yg, 1.1, 0.7, "tanh", fill="white", fontsize=11, ls=":")
    arrow(ax, (10.0, 1.32), (10.0, yg - 0.35))
    arrow(ax, (10.0, yg + 0.35), (10.0, 3.58))
    ax.text(10.2, 3.2, r"$g_t$", ha="left", va="center", fontsize=14)
    ax.text(10.7, yg, "candidate", ha="left", va="center", fontsize=11, color="0.2")
    ax.text(8.2, -2.35, r"$g_t = \tanh(a^x_g + r_t \odot a^h_g)$", ha="center",
            va="center", fontsize=13)
    ax.text(8.2, -3.05, r"$h_t = (1-u_t)\odot g_t + u_t \odot h_{t-1}$", ha="center",
            va="center", fontsize=13)
    save(fig, "ch04_gru_cell.svg")


def ch06_lm_backward():
    fig, ax = canvas(12.6, 5.8, (-0.6, 16.4), (-4.1, 3.6))
    yf, yb = 1.6, -1.9      # forward row, backward row
    stages = [(0.9, r"ids $w$", None), (3.7, "embed", r"$\mathbf{E}$"),
              (7.1, "RNN, $T$ steps", r"$W_x, W_h, b$"), (10.5, "output layer", r"$W_y, b_y$"),
              (14.1, "masked\ncross-entropy", r"$y^\star$, mask")]
    for x, label, params in stages:
        fill = LIGHT if params else "white"
        box(ax, x, yf, 2.2 if x > 1 else 1.4, 1.0, label, fill=fill, fontsize=12.5)
        if params:   # the RNN's label sits right of the arrow that brings h_0 in
            ax.text(x + (0.35 if x == 7.1 else 0), yf + 0.85, params, ha="center",
                    va="center", fontsize=12.5)
    for (x0, _, _), (x1, _, _), name in zip(stages, stages[1:],
                                            [r"$w$", r"$x$", r"$h_1..h_T$", r"$z$"]):
        start = x0 + (0.7 if x0 < 1 else 1.1)
        arrow(ax, (start, yf), (x1 - 1.1, yf))
        ax.text((start + x1 - 1.1) / 2, yf + 0.3, name, ha="center", va="center", fontsize=12.5)
    arrow(ax, (15.2, yf), (15.9, yf))
    ax.text(16.0, yf, r"$E$", ha="left", va="center", fontsize=15)
    # h0 from the previous chunk, h_T to the next: carried, but no gradient crosses.
    arrow(ax, (6.3, 3.3), (6.3, yf + 0.5))
    ax.text(6.1, 3.25, r"$h_0$ = last chunk's $h_T$", ha="right", va="center", fontsize=12.5)
    arrow(ax, (8.2, yf + 0.3), (9.0, 3.1), rad=-0.2)
    ax.text(9.1, 3.25, r"$h_T$ to the next chunk", ha="left", va="center", fontsize=12.5)
    # The backward pass, dashed, right to left.
    back = [(14.1, r"$dz = \frac{\mu}{M}(p - \mathrm{onehot}\,y^\star)$"),
            (10.5, r"$dW_y, db_y$"), (7.1, r"$dW_x, dW_h, db$"), (3.7, r"$d\mathbf{E}$")]
    for x, label in back:
        arrow(ax, (x, yf - 0.5), (x, yb + 0.35), dashed=True, color=BACK)
        ax.text(x, yb - 0.05, label, ha="center", va="top", fontsize=12.5)
    for (x0, name), (x1, _) in zip([(14.1, r"$dz$"), (10.5, r"$dh_t^{\mathrm{out}}$ from the output"),
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
