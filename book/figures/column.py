"""The width that the book's diagrams and plots are drawn for, and how small their text may get.

At 1280x800, a laptop, sphinx-book-theme gives a page's text a column of 688 CSS pixels
(676 when the browser shows a vertical scrollbar), so nothing drawn for 672 px is cut off
or pushed behind a sideways scroll there. On a 390-px phone the column is 358 px: a diagram
or a plot shrinks with the screen only down to the width at which its smallest text is
PHONE_TEXT_PX tall, and below that it scrolls sideways inside its own box (course.css).

style.py (the diagrams) and plots.py (the chapters' executed plots) follow these numbers;
tests/test_browser.py checks the result on every page at both sizes.
"""

COLUMN_PX = 672          # CSS pixels, 96 to the inch
COLUMN_IN = COLUMN_PX / 96
PHONE_TEXT_PX = 11       # the smallest text on a phone, in CSS pixels
PX_PER_PT = 96 / 72      # an SVG measured in pt is shown at 4/3 px per pt
