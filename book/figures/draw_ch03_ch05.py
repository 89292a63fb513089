"""Architecture diagrams for chapters 3, 4 and 5.

Run from anywhere:  python book/figures/draw_ch03_ch05.py
Writes (next to this file):
    ch03_jacobian_chain.svg   the chain of Jacobians diag(1 - h_t^2) W_h on the unrolled graph
    ch03_long_range.svg       the example sentence and its long-range dependency
    ch04_lstm_cell.svg        the LSTM cell: four gates and the cell-state path
    ch04_weight_layout.svg    the stacked (4H, D) / (4H, H) / (4H,) weight layout, gate order i, f, g, o
    ch05_bilstm_padded.svg    forward and backward LSTMs over a padded sequence, outputs concatenated

Drawn with the shared primitives of style.py (greyscale, no hatching) and
deterministic: running the script twice gives byte-identical files.
"""

from matplotlib.patches import FancyBboxPatch, Rectangle
from style import DARK, LIGHT, MID, arrow, box, canvas, line, op, save


# ---------------------------------------------------------------------------
# Chapter 3: the chain of Jacobians on the unrolled graph
# ---------------------------------------------------------------------------
def ch03_jacobian_chain():
    fig, ax = canvas(11.5, 4.6, (-0.6, 15.4), (-1.9, 4.5))
    xs = [0.5, 3.0, 5.5, 8.0, 10.5, 13.0]
    labels = [r"$h_0$", r"$h_1$", r"$h_2$", None, r"$h_{T-1}$", r"$h_T$"]
    y = 0.9
    for i, (x, lab) in enumerate(zip(xs, labels)):
        if lab is None:
            ax.text(x, y, r"$\cdots$", ha="center", va="center", fontsize=20)
            continue
        box(ax, x, y, 1.25, 0.9, lab, fill=LIGHT if i else "white", fontsize=15)
        if i:
            xin = r"$x_{%s}$" % {1: "1", 2: "2", 4: "T-1", 5: "T"}[i]
            ax.text(x, -1.35, xin, ha="center", va="center", fontsize=14)
            arrow(ax, (x, -1.05), (x, y - 0.47))
    # forward arrows h_{t-1} -> h_t
    for a, b in zip(xs[:-1], xs[1:]):
        x0 = a + 0.63 if a != xs[3] else a + 0.45
        x1 = b - 0.63 if b != xs[3] else b - 0.45
        arrow(ax, (x0, y), (x1, y))
        ax.text((a + b) / 2, y - 0.32, r"$W_h$", ha="center", va="center", fontsize=11, color="0.2")
    # loss
    box(ax, 15.0, y, 0.75, 0.75, r"$E$", fill=MID, fontsize=15)
    arrow(ax, (13.63, y), (14.62, y))
    # backward arrows, dashed, above, labelled by Jacobians
    yb = 2.25
    jac = {1: r"$J_1$", 2: r"$J_2$", 4: r"$J_{T-1}$", 5: r"$J_T$"}
    for i in [1, 2, 4, 5]:
        a, b = xs[i - 1], xs[i]
        arrow(ax, (b - 0.15, y + 0.5), (a + 0.15, y + 0.5), dashed=True, rad=0.45, lw=1.3, color="0.25")
        ax.text((a + b) / 2, yb, jac[i], ha="center", va="center", fontsize=13)
    arrow(ax, (14.85, y + 0.42), (13.15, y + 0.5), dashed=True, rad=0.45, lw=1.3, color="0.25")
    ax.text(14.05, yb - 0.05, r"$\partial E/\partial h_T$", ha="center", va="center", fontsize=11)
    ax.text(
        7.3, 3.25,
        r"$J_t=\dfrac{\partial h_t}{\partial h_{t-1}}=\mathrm{diag}(1-h_t^{2})\,W_h$",
        ha="center", va="center", fontsize=15,
    )
    ax.text(
        7.3, 4.15,
        r"$\dfrac{\partial E}{\partial h_k}=\left(J_T\,J_{T-1}\cdots J_{k+1}\right)^{\!\top}\dfrac{\partial E}{\partial h_T}$"
        r"$\qquad$ ($T-k$ factors)",
        ha="center", va="center", fontsize=14,
    )
    ax.text(-0.4, y + 1.45, "backward\n(dashed)", ha="left", va="center", fontsize=11, color="0.2")
    save(fig, "ch03_jacobian_chain.svg")


# ---------------------------------------------------------------------------
# Chapter 3: the long-range dependency in a sentence
# ---------------------------------------------------------------------------
def ch03_long_range():
    words = ["The", "letters", "that", "my", "grandmother", "sent", "to", "her",
             "sister", "in", "the", "city", "___", "lost"]
    widths = [len(w) * 0.19 + 0.35 for w in words]
    widths[12] = 0.95
    gap = 0.12
    xs = []
    x = 0.0
    for w in widths:
        xs.append(x + w / 2)
        x += w + gap
    total = x
    fig, ax = canvas(12.5, 3.0, (-0.2, total + 0.1), (-1.35, 2.3))
    for i, (w, xc, word) in enumerate(zip(widths, xs, words)):
        if i == 1:
            box(ax, xc, 0, w, 0.55, word, fill=MID, fontsize=12, lw=1.8)
        elif i == 12:
            box(ax, xc, 0, w, 0.55, "?", fill="white", fontsize=13, lw=1.8, ls="--")
        elif word in ("grandmother", "sister", "city"):
            box(ax, xc, 0, w, 0.55, word, fill=LIGHT, fontsize=12, lw=1.0, ls="--")
        else:
            box(ax, xc, 0, w, 0.55, word, fill="white", fontsize=12, lw=0.8)
    # the long arc from "letters" to the blank
    arrow(ax, (xs[1], 0.3), (xs[12], 0.3), rad=-0.14, lw=2.0)
    ax.text((xs[1] + xs[12]) / 2, 1.95, "plural subject decides the verb: were", ha="center",
            va="center", fontsize=12)
    ax.text((xs[1] + xs[12]) / 2, 1.6, "the blank is 11 steps after letters", ha="center", va="center",
            fontsize=12, color="0.2")
    # short distractor arc from "city"
    arrow(ax, (xs[11], -0.3), (xs[12], -0.3), rad=0.6, lw=1.2, dashed=True, color="0.35")
    ax.text(xs[11] - 0.6, -0.95, "singular nouns in between (grey, dashed); the nearest one tempts: was",
            ha="right", va="center", fontsize=12, color="0.2")
    save(fig, "ch03_long_range.svg")


# ---------------------------------------------------------------------------
# Chapter 4: the LSTM cell
# ---------------------------------------------------------------------------
def ch04_lstm_cell():
    fig, ax = canvas(11.0, 6.6, (-1.6, 13.6), (-2.7, 6.4))
    # the cell body
    ax.add_patch(FancyBboxPatch((0.2, -1.2), 10.6, 6.3, boxstyle="round,pad=0,rounding_size=0.3",
                                facecolor="0.97", edgecolor="black", lw=1.2))
    yc = 4.2      # cell-state path
    ygate = 1.1   # gate boxes
    # cell state path (thick)
    line(ax, [-1.2, 2.78], [yc, yc], lw=3.2)
    op(ax, 3.0, yc, r"$\odot$")
    line(ax, [3.22, 5.78], [yc, yc], lw=3.2)
    op(ax, 6.0, yc, r"$+$")
    line(ax, [6.22, 12.3], [yc, yc], lw=3.2)
    arrow(ax, (12.0, yc), (12.6, yc), lw=3.2, head=18)
    ax.text(-1.3, yc + 0.45, r"$c_{t-1}$", ha="left", va="center", fontsize=15)
    ax.text(12.7, yc + 0.45, r"$c_t$", ha="left", va="center", fontsize=15)
    ax.text(4.5, yc + 0.55, "cell-state path (additive)", ha="center", va="center", fontsize=11, color="0.2")

    # input: concatenated [x_t, h_{t-1}] feeds a_t = x_t W_x^T + h_{t-1} W_h^T + b
    ax.text(-1.3, -0.1, r"$h_{t-1}$", ha="left", va="center", fontsize=15)
    ax.text(1.4, -2.45, r"$x_t$", ha="center", va="center", fontsize=15)
    line(ax, [-1.2, 1.4], [-0.55, -0.55])
    line(ax, [1.4, 1.4], [-2.15, -0.55])
    box(ax, 5.1, -0.55, 6.2, 0.62,
        r"$a_t = x_t W_x^{\top} + h_{t-1} W_h^{\top} + b\;\to\;(a_i, a_f, a_g, a_o)$",
        fill=LIGHT, fontsize=11.5)
    arrow(ax, (1.4, -0.55), (1.98, -0.55))
    gates = [("f", 2.0, r"$\sigma$", r"$f_t$"), ("i", 4.0, r"$\sigma$", r"$i_t$"),
             ("g", 6.0, "tanh", r"$g_t$"), ("o", 8.0, r"$\sigma$", r"$o_t$")]
    for name, gx, fn, lab in gates:
        fill = MID if name != "g" else "white"
        box(ax, gx, ygate, 1.1, 0.7, "", fill=fill, ls="-" if name != "g" else ":")
        ax.text(gx, ygate, fn, ha="center", va="center", fontsize=13 if fn != "tanh" else 11,
                bbox=dict(facecolor="white", edgecolor="none", pad=1.0) if name == "g" else None)
        arrow(ax, (gx, -0.24), (gx, ygate - 0.36))
        ax.text(gx + 0.7, ygate - 0.55, r"$a_%s$" % name, ha="center", va="center", fontsize=11, color="0.2")
        ax.text(gx - 0.52, ygate + 0.75, lab, ha="right", va="center", fontsize=14)
    # forget gate into the first ⊙
    line(ax, [2.0, 2.0], [ygate + 0.36, 2.7])
    line(ax, [2.0, 3.0], [2.7, 2.7])
    arrow(ax, (3.0, 2.7), (3.0, yc - 0.23))
    ax.text(2.5, 3.25, "forget", ha="center", va="center", fontsize=11, color="0.2")
    # input gate and candidate meet at ⊙ then go up to +
    op(ax, 5.0, 2.75, r"$\odot$")
    line(ax, [4.0, 4.0], [ygate + 0.36, 2.75])
    arrow(ax, (4.0, 2.75), (4.78, 2.75))
    line(ax, [6.0, 6.0], [ygate + 0.36, 2.75])
    arrow(ax, (6.0, 2.75), (5.22, 2.75))
    line(ax, [5.0, 5.0], [2.97, 3.5])
    line(ax, [5.0, 6.0], [3.5, 3.5])
    arrow(ax, (6.0, 3.5), (6.0, yc - 0.23))
    ax.text(4.35, 3.25, r"$i_t\odot g_t$", ha="center", va="center", fontsize=11)
    ax.text(5.0, 2.2, "write", ha="center", va="center", fontsize=11, color="0.2")
    # output: tanh(c_t) ⊙ o_t
    line(ax, [9.3, 9.3], [yc, 3.6])
    op(ax, 9.3, 3.35, "tanh", r=0.28, fontsize=11)
    arrow(ax, (9.3, 3.07), (9.3, 2.47))
    op(ax, 9.3, 2.25, r"$\odot$")
    line(ax, [8.0, 8.0], [ygate + 0.36, 2.25])
    arrow(ax, (8.0, 2.25), (9.08, 2.25))
    ax.text(8.6, 2.55, "read", ha="center", va="center", fontsize=11, color="0.2")
    line(ax, [9.52, 10.3], [2.25, 2.25], lw=2.0)
    line(ax, [10.3, 10.3], [2.25, -0.55], lw=2.0)
    line(ax, [10.3, 12.0], [-0.55, -0.55], lw=2.0)
    arrow(ax, (12.0, -0.55), (12.6, -0.55), lw=2.0, head=15)
    ax.text(12.7, -0.1, r"$h_t$", ha="left", va="center", fontsize=15)
    line(ax, [10.3, 11.4], [2.25, 2.25], lw=2.0)
    arrow(ax, (11.4, 2.25), (11.4, 5.7), lw=2.0, head=15)
    ax.text(11.55, 5.65, r"$h_t$ (output)", ha="left", va="center", fontsize=12)
    ax.text(6.5, -1.85, r"$h_t=o_t\odot\tanh(c_t)$", ha="center", va="center", fontsize=13)
    ax.text(6.4, 5.5, r"$c_t=f_t\odot c_{t-1}+i_t\odot g_t$", ha="center", va="center", fontsize=13)
    save(fig, "ch04_lstm_cell.svg")


# ---------------------------------------------------------------------------
# Chapter 4: stacked weight layout, gate order i, f, g, o
# ---------------------------------------------------------------------------
def ch04_weight_layout():
    fig, ax = canvas(8.4, 7.4, (-2.4, 10.0), (-4.3, 7.6))
    gates = [("i", "input gate", "white"), ("f", "forget gate", LIGHT),
             ("g", "candidate", DARK), ("o", "output gate", MID)]
    bh = 1.5  # height of one H-row block
    top = 6.0
    rows = [r"$0\,..\,H{-}1$", r"$H\,..\,2H{-}1$", r"$2H\,..\,3H{-}1$", r"$3H\,..\,4H{-}1$"]

    def stacked(x0, width, title, shape, show_names=False):
        for k, (g, desc, fill) in enumerate(gates):
            y0 = top - (k + 1) * bh
            ax.add_patch(Rectangle((x0, y0), width, bh, facecolor=fill, edgecolor="black", lw=1.4))
            ax.text(x0 + width / 2, y0 + bh / 2, g, ha="center", va="center", fontsize=14)
            if show_names:
                ax.text(x0 - 0.2, y0 + bh / 2 + 0.25, desc, ha="right", va="center", fontsize=12)
                ax.text(x0 - 0.2, y0 + bh / 2 - 0.3, "rows " + rows[k], ha="right", va="center",
                        fontsize=12, color="0.2")
        ax.text(x0 + width / 2, top + 0.75, title, ha="center", va="center", fontsize=15)
        ax.text(x0 + width / 2, top + 0.25, shape, ha="center", va="center", fontsize=12, color="0.2")

    stacked(1.2, 2.4, r"$W_x$", r"$(4H,\ D)$", show_names=True)
    stacked(4.9, 3.0, r"$W_h$", r"$(4H,\ H)$")
    stacked(8.6, 0.8, r"$b$", r"$(4H,)$")
    # a_t is (N, 4H): one row per example, the four gates side by side as blocks of H columns.
    ax.text(4.8, -0.45, r"$a_t = x_t W_x^{\top} + h_{t-1} W_h^{\top} + b$", ha="center",
            va="center", fontsize=14)
    width = 8.2 / 4
    for k, (g, desc, fill) in enumerate(gates):
        x0 = 1.2 + k * width
        ax.add_patch(Rectangle((x0, -2.1), width, 1.0, facecolor=fill, edgecolor="black", lw=1.4))
        ax.text(x0 + width / 2, -1.6, r"$a_%s$" % g, ha="center", va="center", fontsize=14)
        fn = {"i": r"$i_t=\sigma(a_i)$", "f": r"$f_t=\sigma(a_f)$", "g": r"$g_t=\tanh(a_g)$",
              "o": r"$o_t=\sigma(a_o)$"}[g]
        ax.text(x0 + width / 2, -2.5, fn, ha="center", va="center", fontsize=12)
    ax.text(1.0, -1.35, r"$a_t$", ha="right", va="center", fontsize=15)
    ax.text(1.0, -1.85, r"$(N,\ 4H)$", ha="right", va="center", fontsize=12, color="0.2")
    ax.text(5.3, -3.05, r"columns $0..H{-}1$ | $H..2H{-}1$ | $2H..3H{-}1$ | $3H..4H{-}1$",
            ha="center", va="center", fontsize=12, color="0.2")
    ax.text(4.8, -3.8, r"PyTorch: weight_ih_l0 $= W_x$,  weight_hh_l0 $= W_h$,  "
            r"bias_ih_l0 + bias_hh_l0 $= b$", ha="center", va="center", fontsize=12)
    save(fig, "ch04_weight_layout.svg")


# ---------------------------------------------------------------------------
# Chapter 5: a bidirectional LSTM over a padded sequence
# ---------------------------------------------------------------------------
def ch05_bilstm_padded():
    T, length = 6, 4   # the book's T and l; code positions 0..T-1 are steps 1..T
    dx = 2.3
    w, hgt = 0.95, 0.72   # state boxes; forward ones sit left of the column, backward ones right
    fig, ax = canvas(11.5, 6.6, (-3.3, dx * (T - 1) + 1.6), (-1.5, 7.7))
    y_in, y_f, y_b, y_out = 0.0, 1.9, 3.7, 5.6
    ax.text(-3.2, y_in, "input", ha="left", va="center", fontsize=11)
    ax.text(-3.2, y_f, "forward\nLSTM", ha="left", va="center", fontsize=11)
    ax.text(-3.2, y_b, "backward\nLSTM", ha="left", va="center", fontsize=11)
    ax.text(-3.2, y_out, "output\n(N, T, 2H)", ha="left", va="center", fontsize=11)
    for t in range(T):
        x = t * dx
        xf, xb = x - w / 2 - 0.02, x + w / 2 + 0.02
        ax.text(x, -1.05, r"$t=%d$" % (t + 1), ha="center", va="center", fontsize=11, color="0.2")
        if t < length:
            box(ax, x, y_in, 1.15, 0.7, r"$x_{%d}$" % (t + 1), fontsize=14)
            box(ax, xf, y_f, w, hgt, r"$\overrightarrow{h}_{%d}$" % (t + 1), fill=LIGHT, fontsize=14)
            box(ax, xb, y_b, w, hgt, r"$\overleftarrow{h}_{%d}$" % (t + 1), fill=MID, fontsize=14)
            arrow(ax, (xf, y_in + 0.36), (xf, y_f - hgt / 2 - 0.02))
            arrow(ax, (xb, y_in + 0.36), (xb, y_b - hgt / 2 - 0.02))
            ax.add_patch(Rectangle((x - 0.75, y_out - 0.4), 0.75, 0.8, facecolor=LIGHT, edgecolor="black", lw=1.3))
            ax.add_patch(Rectangle((x, y_out - 0.4), 0.75, 0.8, facecolor=MID, edgecolor="black", lw=1.3))
            ax.text(x - 0.375, y_out, r"$\rightarrow$", ha="center", va="center", fontsize=12)
            ax.text(x + 0.375, y_out, r"$\leftarrow$", ha="center", va="center", fontsize=12)
            arrow(ax, (xf, y_f + hgt / 2), (xf, y_out - 0.42))
            arrow(ax, (xb, y_b + hgt / 2), (xb, y_out - 0.42))
        else:
            box(ax, x, y_in, 1.15, 0.7, "pad", fill=MID, fontsize=12, ls="--")
            box(ax, xf, y_f, w, hgt, "", fill="white", ls=":", lw=1.0)
            box(ax, xb, y_b, w, hgt, "", fill="white", ls=":", lw=1.0)
            ax.text(xf, y_f, "skip", ha="center", va="center", fontsize=11, color="0.2")
            ax.text(xb, y_b, "skip", ha="center", va="center", fontsize=11, color="0.2")
            ax.add_patch(Rectangle((x - 0.75, y_out - 0.4), 1.5, 0.8, facecolor="white",
                                   edgecolor="black", lw=1.0, ls="--"))
            ax.text(x, y_out, "0", ha="center", va="center", fontsize=14)
    # recurrences: forward left to right (solid), backward right to left (dashed)
    for t in range(length - 1):
        x = t * dx
        arrow(ax, (x - 0.02, y_f), (x + dx - w - 0.02, y_f), lw=1.6)
        arrow(ax, (x + dx + 0.02, y_b), (x + w + 0.02, y_b), lw=1.6, dashed=True)
    # initial states
    ax.text(-1.55, y_f + 0.05, r"$0$", ha="center", va="center", fontsize=13)
    arrow(ax, (-1.4, y_f), (-w - 0.02, y_f), lw=1.2)
    xl = (length - 1) * dx
    ax.text(xl + w + 0.55, y_b + 0.05, r"$0$", ha="center", va="center", fontsize=13)
    arrow(ax, (xl + w + 0.4, y_b), (xl + w + 0.04, y_b), lw=1.2)
    ax.text(xl + w + 0.1, y_b + 0.95, "backward LSTM starts at the last\nvalid step $t=\\ell$, not at $t=T$",
            ha="left", va="center", fontsize=11, color="0.2")
    # final states
    ax.text(xl, y_out + 1.15, "forward final state\n" + r"$\overrightarrow{h}_{\ell}$ (left half)",
            ha="center", va="center", fontsize=11)
    ax.text(0, y_out + 1.15, "backward final state\n" + r"$\overleftarrow{h}_{1}$ (right half)",
            ha="center", va="center", fontsize=11)
    ax.text(dx * 4.5, y_out + 1.15, r"length $\ell=%d$, padded to $T=%d$" % (length, T),
            ha="center", va="center", fontsize=11, color="0.2")
    save(fig, "ch05_bilstm_padded.svg")


if __name__ == "__main__":
    ch03_jacobian_chain()
    ch03_long_range()
    ch04_lstm_cell()
    ch04_weight_layout()
    ch05_bilstm_padded()
