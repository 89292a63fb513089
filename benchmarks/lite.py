#!/usr/bin/env python3
"""The exercises in the browser: size, first-visit transfer, and time to a ready kernel.

Serves the built site (``python3 dev.py book``) on 127.0.0.1 and opens chapter 1's
exercise in headless Chromium twice: cold (a new browser profile, nothing cached) and warm
(the same browser again, its cache full). Prints

- the size of the site and of its JupyterLite app (``_build/html/lite``);
- seconds until the notebook is on screen, and until its first code cell
  (``import numpy as np``) has run: the kernel is then ready;
- the bytes the server sent for that, and for importing Matplotlib after;
- the time of one 200 x 200 matrix product in the browser's NumPy and in this Python's.

    .venv/bin/python benchmarks/lite.py
"""

import functools
import http.server
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
CHROMIUM = "/usr/bin/chromium"
NOTEBOOK = "lite/notebooks/index.html?path=01_recurrence.ipynb"
MATMUL = """import time
import numpy as np
a = np.random.default_rng(0).standard_normal((200, 200))
start = time.perf_counter()
for _ in range(50):
    a @ a
print(f"matmul {(time.perf_counter() - start) / 50 * 1e3:.3f} ms")
"""


class CountingHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def copyfile(self, source, outputfile):
        start = source.tell()
        super().copyfile(source, outputfile)
        self.server.sent += source.tell() - start


def size(folder):
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def paste(page, text):
    page.keyboard.press("Control+A")
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    page.keyboard.press("Control+V")


def visit(context, server, base):
    """Open the notebook; (seconds to screen, to a ready kernel, bytes to it, bytes for
    Matplotlib, browser matmul ms)."""
    server.sent = 0
    started = time.monotonic()
    page = context.new_page()
    page.goto(base + NOTEBOOK)
    first = page.locator(".jp-Notebook .jp-CodeCell").first
    first.locator(".cm-content").wait_for(timeout=300_000)
    on_screen = time.monotonic() - started
    first.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    first.locator(".jp-InputPrompt").get_by_text("[1]:").wait_for(timeout=300_000)
    ready, to_ready = time.monotonic() - started, server.sent
    page.keyboard.press("Escape")
    page.keyboard.press("a")
    page.keyboard.press("Enter")
    paste(page, MATMUL + "import matplotlib.pyplot\n")
    page.keyboard.press("Shift+Enter")
    output = page.locator(".jp-OutputArea-output").filter(has_text="matmul")
    output.wait_for(timeout=300_000)
    browser_ms = float(output.inner_text().split()[1])
    page.close()
    return on_screen, ready, to_ready, server.sent - to_ready, browser_ms


def main():
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(CountingHandler, directory=str(SITE)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    print(f"site {size(SITE) / 1e6:.1f} MB, of which the JupyterLite app "
          f"{size(SITE / 'lite') / 1e6:.1f} MB")
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base[:-1])
        for label in ("cold", "warm"):
            on_screen, ready, to_ready, matplotlib, browser_ms = visit(context, server, base)
            print(f"{label}: notebook on screen {on_screen:.1f} s, kernel ready "
                  f"{ready:.1f} s; sent {to_ready / 1e6:.1f} MB until then, "
                  f"{matplotlib / 1e6:.1f} MB more for Matplotlib")
        context.close()
    a = np.random.default_rng(0).standard_normal((200, 200))
    start = time.perf_counter()
    for _ in range(50):
        a @ a
    native_ms = (time.perf_counter() - start) / 50 * 1e3
    print(f"200 x 200 matrix product: {browser_ms:.3f} ms in the browser, "
          f"{native_ms:.3f} ms in this Python ({browser_ms / native_ms:.0f}x)")
    server.shutdown()


if __name__ == "__main__":
    main()
