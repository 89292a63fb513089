"""Draw the architecture diagrams of chapters 1 and 2.

Run from anywhere:  python book/figures/draw_ch01_ch02.py
Writes SVG files next to this script. The output is deterministic (fixed
hash salt, no date in the metadata), so re-running it leaves git clean.

Every diagram uses the book's symbols (x_t, h_t, y_t, W_x, W_h, W_y, E_t) and
stays readable in greyscale: roles are told apart by fill *and* by hatching or
line style, never by colour alone.
"""

from matplotlib.patches import FancyArrowPatch
from style import BACK, HIDDEN, INPUT, LOSS, OUTPUT, arrow, canvas, node, save


# --------------------------------------------------------------------------
# Chapter 1, figure 1: feedforward layer, folded RNN, unrolled RNN
# --------------------------------------------------------------------------
def draw_unrolled():
    fig, ax = canvas(11.0, 3.6, (-0.6, 16.2), (-0.65, 4.55))
    yx, yh, yy = 0.4, 2.2, 4.0
    gap = 0.3

    # (a) a feedforward layer: no arrow from the hidden layer to itself
    cx = 0.6
    node(ax, cx, yx, "$x_t$", INPUT)
    node(ax, cx, yh, "$h_t$", HIDDEN)
    node(ax, cx, yy, "$y_t$", OUTPUT)
    arrow(ax, (cx, yx + gap), (cx, yh - gap), "$W$", (cx + 0.18, (yx + yh) / 2),
          ha="left")
    arrow(ax, (cx, yh + gap), (cx, yy - gap), "$W_y$", (cx + 0.18, (yh + yy) / 2),
          ha="left")
    ax.text(cx, -0.4, "(a) feedforward", ha="center", va="center", fontsize=11)

    # (b) the folded recurrent cell with its self loop
    cx = 3.3
    node(ax, cx, yx, "$x_t$", INPUT)
    node(ax, cx, yh, "$h_t$", HIDDEN)
    node(ax, cx, yy, "$y_t$", OUTPUT)
    arrow(ax, (cx, yx + gap), (cx, yh - gap), "$W_x$", (cx - 0.18, (yx + yh) / 2),
          ha="right")
    arrow(ax, (cx, yh + gap), (cx, yy - gap), "$W_y$", (cx - 0.18, (yh + yy) / 2),
          ha="right")
    loop = FancyArrowPatch((cx + 0.45, yh + 0.18), (cx + 0.45, yh - 0.18),
                           connectionstyle="arc3,rad=-2.4", arrowstyle="-|>",
                           mutation_scale=12, lw=1.3, color="black", zorder=1,
                           shrinkA=0, shrinkB=0)
    ax.add_patch(loop)
    ax.text(cx + 0.98, yh, "$W_h$", ha="left", va="center", fontsize=11)
    ax.text(cx + 0.35, -0.4, "(b) recurrent, folded", ha="center", va="center",
            fontsize=11)

    # "unroll" sign
    ax.text(5.55, yh, "=", ha="center", va="center", fontsize=22)

    # (c) unrolled over T = 4 steps
    x0, dx = 6.6, 2.15
    node(ax, x0, yh, "$h_0$", INPUT, w=0.8, h=0.6)
    for t in range(1, 5):
        cx = x0 + t * dx
        node(ax, cx, yx, f"$x_{t}$", INPUT)
        node(ax, cx, yh, f"$h_{t}$", HIDDEN)
        node(ax, cx, yy, f"$y_{t}$", OUTPUT)
        arrow(ax, (cx, yx + gap), (cx, yh - gap), "$W_x$",
              (cx + 0.14, (yx + yh) / 2), ha="left")
        arrow(ax, (cx, yh + gap), (cx, yy - gap), "$W_y$",
              (cx + 0.14, (yh + yy) / 2), ha="left")
        prev = x0 + (t - 1) * dx
        arrow(ax, (prev + 0.45 if t > 1 else prev + 0.4, yh), (cx - 0.45, yh),
              "$W_h$", ((prev + cx) / 2, yh + 0.22), va="bottom")
    ax.text(x0 + 2.5 * dx, -0.4,
            "(c) unrolled: the same $W_x$, $W_h$, $W_y$ at every step",
            ha="center", va="center", fontsize=11)
    save(fig, "ch01_unrolled.svg")


# --------------------------------------------------------------------------
# Chapter 1, figure 2: the five input/output shapes
# --------------------------------------------------------------------------
def _chain(ax, xs, yh, *, inputs, outputs, w=0.55, h=0.42, yx=None, yy=None,
           first_from=None):
    """Hidden boxes at xs joined left to right; inputs/outputs per index."""
    yx = yh - 1.05 if yx is None else yx
    yy = yh + 1.05 if yy is None else yy
    gap = h / 2
    for i, cx in enumerate(xs):
        node(ax, cx, yh, "", HIDDEN, w=w, h=h, round_=0.07)
        if i > 0:
            arrow(ax, (xs[i - 1] + w / 2, yh), (cx - w / 2, yh), lw=1.1)
        if i in inputs:
            node(ax, cx, yx, "", INPUT, w=w, h=h, round_=0.07)
            arrow(ax, (cx, yx + gap), (cx, yh - gap), lw=1.1)
        if i in outputs:
            node(ax, cx, yy, "", OUTPUT, w=w, h=h, round_=0.07)
            arrow(ax, (cx, yh + gap), (cx, yy - gap), lw=1.1)


def draw_io_shapes():
    fig, ax = canvas(11.5, 3.3, (-1.0, 20.4), (-1.25, 3.9))
    yh = 1.55
    step = 0.85
    titles = []

    # one-to-one
    x = 0.6
    _chain(ax, [x], yh, inputs={0}, outputs={0})
    titles.append((x, "one-to-one", "image classification"))

    # one-to-many
    x0 = 2.9
    xs = [x0 + i * step for i in range(4)]
    _chain(ax, xs, yh, inputs={0}, outputs={0, 1, 2, 3})
    titles.append((sum(xs) / 4, "one-to-many", "image captioning"))

    # many-to-one
    x0 = 7.1
    xs = [x0 + i * step for i in range(4)]
    _chain(ax, xs, yh, inputs={0, 1, 2, 3}, outputs={3})
    titles.append((sum(xs) / 4, "many-to-one", "sentiment, spam"))

    # many-to-many aligned
    x0 = 11.3
    xs = [x0 + i * step for i in range(4)]
    _chain(ax, xs, yh, inputs={0, 1, 2, 3}, outputs={0, 1, 2, 3})
    titles.append((sum(xs) / 4, "many-to-many, aligned", "named-entity tagging"))

    # encoder-decoder
    x0 = 15.5
    xs = [x0 + i * step for i in range(6)]
    _chain(ax, xs, yh, inputs={0, 1, 2}, outputs={3, 4, 5})
    mid = (xs[2] + xs[3]) / 2
    ax.plot([mid, mid], [yh - 1.35, yh + 1.35], color="black", lw=0.9,
            linestyle=(0, (2, 2)))
    ax.text((xs[0] + xs[2]) / 2, yh + 1.05, "encoder", ha="center", va="center",
            fontsize=11)
    ax.text((xs[3] + xs[5]) / 2, yh - 1.05, "decoder", ha="center", va="center",
            fontsize=11)
    titles.append((sum(xs) / 6, "encoder–decoder", "translation, video description"))

    for cx, title, example in titles:
        ax.text(cx, 3.55, title, ha="center", va="center", fontsize=11,
                fontweight="bold")
        ax.text(cx, 3.1, example, ha="center", va="center", fontsize=11,
                style="italic")

    # legend
    ly = -0.85
    for lx, role, text in ((5.9, INPUT, "input $x_t$"),
                           (9.1, HIDDEN, "hidden state $h_t$"),
                           (12.9, OUTPUT, "output $y_t$")):
        node(ax, lx, ly, "", role, w=0.55, h=0.42, round_=0.07)
        ax.text(lx + 0.45, ly, text, ha="left", va="center", fontsize=11)
    save(fig, "ch01_io_shapes.svg")


# --------------------------------------------------------------------------
# Chapter 2, figure 1: forward pass and backward gradient flow
# --------------------------------------------------------------------------
def draw_bptt_graph():
    fig, ax = canvas(11.0, 5.6, (-0.9, 13.9), (-1.45, 6.2))
    yx, yh, yy, ye = 0.3, 2.2, 3.9, 5.45
    x0, dx = 0.3, 3.0
    T = 4
    g = 0.3
    node(ax, x0, yh, "$h_0$", INPUT, w=0.8)
    for t in range(1, T + 1):
        cx = x0 + t * dx
        node(ax, cx, yx, f"$x_{t}$", INPUT)
        node(ax, cx, yh, f"$h_{t}$", HIDDEN)
        node(ax, cx, yy, f"$y_{t}$", OUTPUT)
        node(ax, cx, ye, f"$E_{t}$", LOSS, w=0.8, h=0.55, round_=0.27)
        # forward (solid, on the left of each column)
        f = -0.16
        arrow(ax, (cx + f, yx + g), (cx + f, yh - g))
        arrow(ax, (cx + f, yh + g), (cx + f, yy - g))
        arrow(ax, (cx + f, yy + g), (cx + f, ye - 0.275))
        # backward (dashed, on the right of each column)
        b = 0.16
        arrow(ax, (cx + b, ye - 0.275), (cx + b, yy + g), dashed=True, color=BACK)
        arrow(ax, (cx + b, yy - g), (cx + b, yh + g), dashed=True, color=BACK)
        arrow(ax, (cx + b, yh - g), (cx + b, yx + g), dashed=True, color=BACK)
        ax.text(cx + 0.3, (yy + ye) / 2, r"$\partial E_t/\partial y_t$",
                ha="left", va="center", fontsize=11, color=BACK)
        ax.text(cx + 0.3, (yh + yy) / 2, r"$\partial y_t/\partial h_t$",
                ha="left", va="center", fontsize=11, color=BACK)
        ax.text(cx + 0.3, (yx + yh) / 2, "$dx_t$", ha="left", va="center",
                fontsize=11, color=BACK)
        # recurrence: forward above, backward below
        prev = x0 + (t - 1) * dx
        left = prev + (0.4 if t == 1 else 0.45)
        arrow(ax, (left, yh + 0.12), (cx - 0.45, yh + 0.12), "$W_h$",
              ((left + cx - 0.45) / 2, yh + 0.3), va="bottom")
        arrow(ax, (cx - 0.45, yh - 0.12), (left, yh - 0.12), dashed=True,
              color=BACK)
        ax.text((left + cx - 0.45) / 2, yh - 0.3,
                rf"$\partial h_{t}/\partial h_{t - 1}$",
                ha="center", va="top", fontsize=11, color=BACK)
    ax.text(x0, yh - 0.62, "$dh_0$", ha="center", va="top", fontsize=11,
            color=BACK)
    # legend
    ly = -1.0
    arrow(ax, (0.2, ly), (1.2, ly))
    ax.text(1.4, ly, "forward pass: compute and store every $h_t$",
            ha="left", va="center", fontsize=11)
    arrow(ax, (7.2, ly), (8.2, ly), dashed=True, color=BACK)
    ax.text(8.4, ly, "backward pass: gradients, $t = T, \\dots, 1$",
            ha="left", va="center", fontsize=11)
    save(fig, "ch02_bptt_graph.svg")


# --------------------------------------------------------------------------
# Chapter 2, figure 2: truncated BPTT
# --------------------------------------------------------------------------
def draw_truncated():
    T, k = 12, 4
    dx = 1.05
    fig, ax = canvas(11.0, 2.6, (-0.6, T * dx + 0.5), (-0.65, 2.35))
    yh = 1.0
    node(ax, 0.0, yh, "$h_0$", INPUT, w=0.7, h=0.55, fontsize=11)
    for t in range(1, T + 1):
        cx = t * dx
        node(ax, cx, yh, f"$h_{{{t}}}$", HIDDEN, w=0.7, h=0.55, fontsize=11)
        prev = (t - 1) * dx
        arrow(ax, (prev + 0.35, yh + 0.1), (cx - 0.35, yh + 0.1), lw=1.1)
        boundary = (t - 1) % k == 0
        if not boundary:
            arrow(ax, (cx - 0.35, yh - 0.12), (prev + 0.35, yh - 0.12),
                  dashed=True, color=BACK, lw=1.1)
        else:
            # the value flows on, the gradient is stopped here
            mx = (prev + cx) / 2
            ax.plot([mx - 0.09, mx + 0.09], [yh - 0.33, yh - 0.15],
                    color="black", lw=1.4)
            ax.plot([mx - 0.09, mx + 0.09], [yh - 0.15, yh - 0.33],
                    color="black", lw=1.4)
    for c in range(T // k):
        a, b = c * k + 1, (c + 1) * k
        xa, xb = a * dx - 0.45, b * dx + 0.45
        ax.plot([xa, xa, xb, xb], [yh + 0.62, yh + 0.75, yh + 0.75, yh + 0.62],
                color="black", lw=1.0)
        ax.text((xa + xb) / 2, yh + 1.0,
                f"chunk {c + 1}: steps ${a}, \\dots, {b}$",
                ha="center", va="center", fontsize=11)
    ly = -0.3
    arrow(ax, (0.0, ly), (0.8, ly), lw=1.1)
    ax.text(0.95, ly, "state carried forward", ha="left", va="center",
            fontsize=11)
    arrow(ax, (4.6, ly), (3.8, ly), dashed=True, color=BACK, lw=1.1)
    ax.text(4.75, ly, "gradient, inside a chunk only", ha="left", va="center",
            fontsize=11)
    mx = 8.6
    ax.plot([mx - 0.09, mx + 0.09], [ly - 0.09, ly + 0.09], color="black", lw=1.4)
    ax.plot([mx - 0.09, mx + 0.09], [ly + 0.09, ly - 0.09], color="black", lw=1.4)
    ax.text(mx + 0.25, ly, "gradient stopped (detach)", ha="left", va="center",
            fontsize=11)
    save(fig, "ch02_truncated.svg")


def main():
    draw_unrolled()
    draw_io_shapes()
    draw_bptt_graph()
    draw_truncated()


if __name__ == "__main__":
    main()
