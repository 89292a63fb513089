"""Draw the site's icon: a hidden-state box with its recurrent loop.

Run from anywhere:  python book/figures/draw_favicon.py
Writes book/_extra/favicon.ico (16, 32 and 48 pixels), which the build copies
to the root of the site, so that browsers find /favicon.ico on every page.
"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "_extra" / "favicon.ico"
SIZE = 256  # drawn large, downsampled by Pillow for each icon size


def draw():
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    ink, paper = (33, 60, 110, 255), (255, 255, 255, 255)
    pen.rounded_rectangle((8, 8, SIZE - 8, SIZE - 8), radius=48, fill=ink)
    # The hidden state, and its recurrent loop h_{t-1} -> h_t on the right,
    # entering the box again with an arrow head pointing left.
    pen.rounded_rectangle((36, 76, 150, 180), radius=18, fill=paper)
    pen.rounded_rectangle((58, 98, 128, 158), radius=8, fill=ink)
    pen.arc((96, 56, 220, 200), start=-90, end=60, fill=paper, width=18)
    pen.polygon([(150, 180), (186, 158), (186, 204)], fill=paper)
    return image


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    draw().save(OUT, format="ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    print(f"wrote {OUT}")
