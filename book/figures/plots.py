"""The chapters' executed plots, drawn for the site's text column.

A chapter's hidden set-up cell (run with the chapter's folder, book/, as its working
directory) starts with

    from figures.plots import COLUMN_IN, plot_for_the_column
    plot_for_the_column()

and then draws its plots `COLUMN_IN` inches wide, e.g.
`plt.subplots(1, 2, figsize=(COLUMN_IN, 3.4))`, stacking panels in rows where side by
side they would get narrower than about 3 inches. From then on every figure that the
chapter shows is an SVG:

- no wider than the column (column.py): a figure asked wider is narrowed to it, keeping
  its height, before it is drawn (and laid out again by tight_layout if it has no layout
  engine), so an oversized figure costs its panels some room, never the reader a scroll;
- with its smallest text, in pt, recorded in the SVG's description, as the diagrams of
  style.py record theirs: the browser test checks that this text stays legible where
  the site shows it, and course.css keeps a plot at least PHONE_MIN_PX wide on a phone,
  where a plot of the column's width and MIN_TEXT_PT text is PHONE_TEXT_PX tall.

The outputs are cached by Jupyter Book with the chapter's code: after changing this file,
remove _build/.jupyter_cache so that the chapters run again.
"""

import io
import math
import re

import matplotlib
import matplotlib.pyplot as plt
from IPython import get_ipython
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib_inline.backend_inline import set_matplotlib_formats

from .column import COLUMN_IN, COLUMN_PX, PHONE_TEXT_PX, PX_PER_PT

__all__ = ["COLUMN_IN", "PHONE_MIN_PX", "plot_for_the_column"]

MIN_TEXT_PT = 10
# A plot of the column's width keeps text of MIN_TEXT_PT at PHONE_TEXT_PX down to this width.
PHONE_MIN_PX = math.ceil(COLUMN_PX * PHONE_TEXT_PX / (MIN_TEXT_PT * PX_PER_PT))

STYLE = {
    "figure.figsize": (COLUMN_IN, 3.6),
    "font.size": 11, "legend.fontsize": MIN_TEXT_PT,
    "axes.grid": True, "grid.color": "0.88",
    # Greyscale, told apart by line style and marker too (each chapter's STYLES).
    "axes.prop_cycle": matplotlib.cycler(color=["black", "0.35", "0.6", "0.2"]),
    "svg.hashsalt": "rnn-course",   # the same ids at every build
}


def plot_for_the_column():
    """Show every figure of this kernel as an SVG that fits the column (see the module)."""
    plt.rcParams.update(STYLE)
    set_matplotlib_formats("svg")   # after pyplot's import, which sets up the inline backend
    get_ipython().display_formatter.formatters["image/svg+xml"].for_type(Figure, _column_svg)


def _column_svg(fig):
    if not fig.axes:
        return None   # nothing drawn, nothing shown (as IPython's own formatter does)
    if fig.get_figwidth() > COLUMN_IN:
        _narrow(fig, COLUMN_IN)
    svg = _svg(fig)
    # What sticks out of the axes (a legend above them, long labels) can still widen the
    # tight box that the figure is saved with: take the excess off the figure (a layout
    # done again moves things a little, hence a few rounds).
    for _ in range(3):
        excess_in = _width_pt(svg) / 72 - COLUMN_IN
        if excess_in <= 0:
            break
        _narrow(fig, fig.get_figwidth() - excess_in - 0.02)
        svg = _svg(fig)
    return svg


def _narrow(fig, width_in):
    fig.set_figwidth(width_in)
    if fig.get_layout_engine() is None:
        fig.tight_layout()


def _svg(fig):
    fig.draw_without_rendering()   # sets the tick labels, whose size counts too
    sizes = [t.get_fontsize() for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip()]
    buffer = io.BytesIO()
    fig.canvas.print_figure(buffer, format="svg", bbox_inches="tight",
                            metadata={"Date": None,
                                      "Description": f"smallest text {min(sizes):g} pt"})
    return buffer.getvalue().decode("utf-8")


def _width_pt(svg):
    return float(re.search(r'<svg[^>]*\bwidth="([\d.]+)pt"', svg).group(1))

