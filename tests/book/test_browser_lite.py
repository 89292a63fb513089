"""The exercises in the browser, as a student uses them, in headless Chromium.

Serves ``_build/html`` on 127.0.0.1 (as tests/test_browser.py does) and clicks a chapter's
"Open in your browser" button: the notebook opens in the site's JupyterLite app, a correct
answer pasted into it passes its visible test, a plot draws, and the notebook that
File → Download gives is graded by ``python -m autograder grade`` with the function's full
marks. Every chapter's button opens its own notebook, whose kernel runs it. No request may
leave the site: the browser context's events report every request of its pages and of their
workers (the Pyodide kernel's too: every file the server sent was among them, checked when
this test was written), and any console error, failed request or HTTP error fails the test.
"""

import csv
import time
from pathlib import Path

import nbformat
import pytest
from grading_helpers import EXERCISES, answer_source, grade_cli, source_notebook, toc_pages
from test_browser import CHROMIUM, browser, site  # noqa: F401 (fixtures: the served site)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Debian's Chromium at /usr/bin/chromium"),
]

CHAPTERS = [f"{page}.html" for page in toc_pages() if Path(page).name[:2].isdigit()]
ASSIGNMENT = "01_recurrence"
FUNCTION = "feedforward_sequence"  # the notebook's first function: Run All reaches its test
PLOT = "import matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.show()\n"
STUB = "NotImplementedError: not written yet"  # what an unanswered function raises
KERNEL_SECONDS = 240  # starting Pyodide on a loaded 2-core machine; about 10 s when idle


class Session:
    """A browser context, as one student's browser: what went wrong in any of its pages
    (the book's, and the app's tabs that its buttons open) and the bytes it received."""

    def __init__(self, chromium, base_url):
        self.site = base_url
        self.context = chromium.new_context(accept_downloads=True)
        self.context.set_default_timeout(60_000)
        self.context.grant_permissions(["clipboard-read", "clipboard-write"],
                                       origin=base_url.rstrip("/"))
        self.problems, self.received = [], 0
        self.context.on("console", self._console)
        self.context.on("requestfailed",
                        lambda r: self.problems.append(f"request failed: {r.url} ({r.failure})"))
        self.context.on("response", self._response)
        self.context.on("request", self._request)

    def _console(self, message):
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def _response(self, response):
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")
        self.received += int(response.headers.get("content-length", 0))

    def _request(self, request):
        if request.url.split(":")[0] in ("http", "https", "ws", "wss") and \
                not request.url.startswith(self.site):
            self.problems.append(f"a request outside the site: {request.url}")

    def open_in_browser(self, chapter):
        """Click the chapter's button; the notebook's tab, its cells on the page."""
        page = self.context.new_page()
        page.goto(self.site + chapter)
        with self.context.expect_page() as opened:
            page.get_by_role("link", name="Open in your browser").click()
        page.close()
        notebook = opened.value
        notebook.locator(".jp-Notebook .jp-Cell").first.wait_for()
        return notebook

    def check(self):
        assert not self.problems, "\n".join(self.problems)


@pytest.fixture
def session(browser, site):  # noqa: F811 (the imported fixtures)
    made = Session(browser, site)
    yield made
    made.context.close()


def cell(notebook, text):
    """The notebook cell whose text holds `text`."""
    return notebook.locator(".jp-Notebook .jp-Cell").filter(has_text=text)


def menu(notebook, *path):
    """Click a menu entry, e.g. menu(notebook, "Run", "Run All Cells")."""
    notebook.locator(".lm-MenuBar-itemLabel").filter(has_text=path[0]).click()
    for label in path[1:]:
        notebook.locator(".lm-Menu-itemLabel").get_by_text(label, exact=True).click()


def paste(notebook, text):
    """Paste `text` in place of what the focused cell's editor holds, as a student would."""
    notebook.keyboard.press("Control+A")
    notebook.evaluate("text => navigator.clipboard.writeText(text)", text)
    notebook.keyboard.press("Control+V")


def reference_answer(assignment, function):
    """The reference solution's answer cell, as a student would write it (no markers)."""
    source = answer_source(source_notebook(assignment), function)
    return "\n".join(line for line in source.splitlines() if "### " not in line)


def points(assignment, function):
    """The function's marks, from the source notebook: its test cells' points."""
    return sum(c.metadata["nbgrader"].get("points", 0)
               for c in source_notebook(assignment).cells
               if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith(
                   f"test_{function}"))


def test_an_answer_written_in_the_browser_passes_and_its_download_is_graded(session, tmp_path):
    chapter = f"book/{ASSIGNMENT}.html"
    started = time.monotonic()
    notebook = session.open_in_browser(chapter)
    assert notebook.url == f"{session.site}lite/notebooks/index.html?path={ASSIGNMENT}.ipynb"

    answer = cell(notebook, f"def {FUNCTION}(")
    answer.locator(".cm-content").click()
    paste(notebook, reference_answer(ASSIGNMENT, FUNCTION))
    notebook.keyboard.press("Escape")
    notebook.keyboard.press("b")  # a scratch cell below the answer, for a plot
    notebook.keyboard.press("Enter")
    paste(notebook, PLOT)
    menu(notebook, "Run", "Run All Cells")

    tests = cell(notebook, f'begin_tests("{FUNCTION}")').locator(".jp-OutputArea")
    tests.get_by_text(f"{FUNCTION}: every visible test passed.").wait_for(
        timeout=KERNEL_SECONDS * 1000)
    print(f"first visit: {time.monotonic() - started:.0f} s to a passed test, "
          f"{session.received / 1e6:.1f} MB received")
    cell(notebook, "plt.plot(").locator(".jp-OutputArea img").wait_for()
    # Run All went on, to the next function's test, which fails: it is not answered.
    cell(notebook, 'begin_tests("rnn_cell_forward"').get_by_text(STUB).wait_for()
    # The page and the start page say the first visit loads "tens of megabytes".
    assert 10e6 <= session.received < 100e6, session.received

    with notebook.expect_download() as download:
        menu(notebook, "File", "Download")
    assert download.value.suggested_filename == f"{ASSIGNMENT}.ipynb"
    upload = tmp_path / "submitted" / "student1" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    upload.parent.mkdir(parents=True)
    download.value.save_as(upload)

    # The work stays in the browser, under the course's own storage name.
    databases = notebook.evaluate("async () => (await indexedDB.databases()).map(d => d.name)")
    assert databases and all("rnn-course-exercises" in name for name in databases), databases
    notebook.close()
    again = session.open_in_browser(chapter)
    cell(again, f"def {FUNCTION}(").get_by_text("np.tanh(x @ W.T + b)").wait_for()
    session.check()

    graded = grade_cli(tmp_path / "submitted", "--out", tmp_path / "results")
    assert graded.returncode == 0, graded.stderr
    with open(tmp_path / "results" / "grades.csv", newline="") as f:
        rows = {row["item"]: row for row in csv.DictReader(f)}
    full = points(ASSIGNMENT, FUNCTION)
    assert full > 0
    assert (rows[FUNCTION]["status"], float(rows[FUNCTION]["score"]),
            float(rows[FUNCTION]["max_score"])) == ("ok", full, full), rows[FUNCTION]
    # The others were not answered: graded, and without marks.
    assert len(rows) > 1 and all(float(row["score"]) == 0 for item, row in rows.items()
                                 if item != FUNCTION), rows


def test_every_chapter_s_button_opens_its_notebook_and_runs_it(session):
    """Run All in each chapter's notebook, unanswered: the kernel imports NumPy, runs the
    helpers, and stops at the first function's test with the stub's message."""
    for chapter in CHAPTERS:
        name = f"{Path(chapter).stem}.ipynb"
        started = time.monotonic()
        notebook = session.open_in_browser(chapter)
        assert notebook.url.endswith(f"/lite/notebooks/index.html?path={name}")
        heading = nbformat.read(EXERCISES / name, as_version=4).cells[0].source.splitlines()[0]
        notebook.locator(".jp-RenderedMarkdown h1").filter(has_text=heading.lstrip("# ")).wait_for()
        menu(notebook, "Run", "Run All Cells")
        notebook.locator(".jp-OutputArea").get_by_text(STUB).first.wait_for(
            timeout=KERNEL_SECONDS * 1000)
        print(f"{name}: {time.monotonic() - started:.0f} s to its first test")
        notebook.close()
    session.check()
