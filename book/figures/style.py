"""The drawing style shared by every architecture diagram of the book.

The diagram scripts (draw_ch01_ch02.py, draw_ch03_ch05.py) import their
primitives from here, so that the diagrams look alike and name things alike.
Greyscale throughout: roles are told apart by fill and line style, never by
colour alone, and never by hatching, which makes the words on it hard to read.

Phone readability: a diagram is drawn at a fixed size in points; the site
shrinks it to the width of the page. `save` records the smallest text of each
diagram in its SVG description and writes a minimum display width to
book/_static/diagrams.css such that this text is at least PHONE_TEXT_PX pixels
wide when shown; below that width the figure scrolls sideways instead of
shrinking further (see course.css). That width may not exceed the column of a
laptop (column.py): a diagram whose text would need more is drawn narrower, or
with larger text, or `save` refuses it.
"""

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch  # noqa: E402

plt.rcParams["svg.hashsalt"] = "rnn-course"
plt.rcParams["svg.fonttype"] = "path"
plt.rcParams["font.family"] = "DejaVu Sans"
plt.rcParams["font.size"] = 12
plt.rcParams["mathtext.fontset"] = "dejavusans"

from column import COLUMN_PX, PHONE_TEXT_PX  # noqa: E402

HERE = Path(__file__).resolve().parent
CSS = HERE.parent / "_static" / "diagrams.css"

# Greys, from the page background to black.
LIGHT = "0.92"
MID = "0.78"
DARK = "0.55"
TEXT_GREY = "0.2"   # secondary labels: still 13:1 contrast on white
BACK = "0.33"       # backward (gradient) arrows, which are also dashed

# Roles of a node in the unrolled graphs of chapters 1-3.
INPUT = dict(fill="white", ls="-")
HIDDEN = dict(fill="#d9d9d9", ls="-")
OUTPUT = dict(fill="white", ls="--")
LOSS = dict(fill="#b8b8b8", ls="-")

MIN_TEXT_PT = 11      # no text smaller than this in any diagram


def canvas(width, height, xlim, ylim):
    """A blank figure of width x height inches with equal data units on both axes."""
    fig, ax = plt.subplots(figsize=(width, height))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def box(ax, x, y, w, h, text="", fill="white", fontsize=13, lw=1.4, round_=0.08, ls="-"):
    """A rounded box centred on (x, y), with an optional label."""
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h,
                                boxstyle=f"round,pad=0,rounding_size={round_}",
                                facecolor=fill, edgecolor="black", lw=lw, linestyle=ls,
                                zorder=2))
    if text:
        ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=3)


def node(ax, x, y, label, role, w=0.9, h=0.6, fontsize=13, round_=0.12):
    """A box in one of the roles INPUT, HIDDEN, OUTPUT, LOSS."""
    box(ax, x, y, w, h, label, fill=role["fill"], fontsize=fontsize, lw=1.3, round_=round_,
        ls=role["ls"])


def arrow(ax, start, end, label=None, label_xy=None, *, dashed=False, color="black", rad=0.0,
          lw=1.4, fontsize=12, ha="center", va="center", head=12, shrinkA=0, shrinkB=0):
    """An arrow from start to end, dashed for gradients, with an optional label."""
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>" if head else "-",
                                 mutation_scale=head or 12, lw=lw, color=color,
                                 linestyle=(0, (4, 2.5)) if dashed else "solid",
                                 connectionstyle=f"arc3,rad={rad}", shrinkA=shrinkA,
                                 shrinkB=shrinkB, zorder=1))
    if label:
        if label_xy is None:
            label_xy = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
        ax.text(*label_xy, label, ha=ha, va=va, fontsize=fontsize, color=color, zorder=3)


def line(ax, xs, ys, lw=1.4, ls="-", color="black"):
    ax.plot(xs, ys, color=color, lw=lw, ls=ls, solid_capstyle="butt")


def op(ax, x, y, sym, r=0.22, fontsize=14, fill="white"):
    """A circular pointwise operator (product, sum, tanh)."""
    ax.add_patch(Circle((x, y), r, facecolor=fill, edgecolor="black", lw=1.4, zorder=2))
    ax.text(x, y, sym, ha="center", va="center", fontsize=fontsize, zorder=3)


def save(fig, name):
    """Write the SVG (deterministic) and the minimum display width that keeps it legible."""
    sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text)
             if t.get_text().strip() and t.get_visible()]
    smallest = min(sizes)
    if smallest < MIN_TEXT_PT:
        raise ValueError(f"{name}: text of {smallest} pt; the smallest allowed is {MIN_TEXT_PT} pt")
    fig.savefig(HERE / name, format="svg", bbox_inches="tight",
                metadata={"Date": None, "Description": f"smallest text {smallest:g} pt"})
    plt.close(fig)
    svg = (HERE / name).read_text()
    width_pt = float(re.search(r'<svg[^>]*\bwidth="([\d.]+)pt"', svg).group(1))
    # Text of s pt in a drawing W pt wide, shown w px wide, is s * w / W px tall.
    min_px = round(PHONE_TEXT_PX * width_pt / smallest)
    if min_px > COLUMN_PX:
        raise ValueError(f"{name}: its {smallest:g}-pt text needs {min_px} px to be "
                         f"{PHONE_TEXT_PX} px tall, wider than the {COLUMN_PX}-px column: "
                         "draw it narrower or with larger text")
    rules = dict(re.findall(r'img\[src\$="([^"]+)"\] \{ min-width: (\d+)px; \}',
                            CSS.read_text() if CSS.exists() else ""))
    rules[name] = str(min_px)
    CSS.write_text("/* Written by book/figures/style.py: the display width below which each\n"
                   "   diagram scrolls sideways rather than shrink its text under "
                   f"{PHONE_TEXT_PX} px. */\n"
                   + "".join(f'img[src$="{k}"] {{ min-width: {v}px; }}\n'
                             for k, v in sorted(rules.items())))
    print("wrote", HERE / name, f"(smallest text {smallest:g} pt, min width {min_px} px)")
