"""The built site as a student sees it, in headless Chromium.

Serves ``_build/html`` (built by ``python3 dev.py book``; ``dev.py test`` builds it
first) from a local HTTP server and checks every page: no console error and no
request that leaves the machine, every image loads, display math is typeset,
the exercise downloads are the notebooks of ``exercises/``, the "next" links
walk the chapters in order, search finds the LSTM chapter, and a phone-width
screen has no horizontal scroll; on a 390-px phone, whatever is wider than the
screen shows that it scrolls and the diagrams' text is at least 11 px. Full-page
screenshots of the chapters go to ``artifacts/screenshots/`` (git-ignored, kept by CI).
"""

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from grading_helpers import EXERCISES, ROOT, SITE, toc_pages

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Debian's Chromium at /usr/bin/chromium "
                              "(apt-get install chromium); Playwright's own download "
                              "does not work here"),
]


BOOK_PAGES = [f"{page}.html" for page in toc_pages()]
CHAPTERS = [p for p in BOOK_PAGES if Path(p).name[:2].isdigit()]
# Sphinx's own pages: the redirect at the root, the search page and the index.
PAGES = ["index.html", *BOOK_PAGES, "search.html", "genindex.html"]
REDIRECTS = {"index.html": BOOK_PAGES[0]}  # Jupyter Book's root page sends to the start page


def chapter_name(page):
    return Path(page).stem


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    """Base URL of _build/html served on 127.0.0.1 at a free port."""
    if not (SITE / "index.html").is_file():
        pytest.fail("_build/html is missing: build the book first (python3 dev.py book)")
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visit:
    """One browser context whose every page records what went wrong in it."""

    def __init__(self, browser, site, **options):
        self.site = site
        self.context = browser.new_context(accept_downloads=True, **options)
        self.context.set_default_timeout(30_000)
        self.problems = []
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("requestfailed", self._failed)
        self.page.on("response", self._response)
        self.page.on("request", self._request)

    def _console(self, message):
        if message.type == "error":
            self.problems.append(f"console error: {message.text} ({message.location})")

    def _failed(self, request):
        self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response):
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def _request(self, request):
        scheme = urlsplit(request.url).scheme
        if scheme in ("http", "https", "ws", "wss") and not request.url.startswith(self.site):
            self.problems.append(f"the site requests an external resource: {request.url}")

    def open(self, path):
        self.page.goto(self.site + path, wait_until="load")
        if path in REDIRECTS:
            self.page.wait_for_url(self.site + REDIRECTS[path], wait_until="load")
        self.settle()
        return self.page

    def settle(self):
        """Wait for what happens after "load": MathJax's typesetting and the web fonts."""
        self.page.evaluate("""async () => {
            if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
                await MathJax.startup.promise;
            }
            await document.fonts.ready;
        }""")

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, site):
    visits = []

    def make(**options):
        visits.append(Visit(browser, site, **options))
        return visits[-1]

    yield make
    for v in visits:
        v.close()


def test_every_built_page_is_visited():
    """The pages list below is the whole site, so "every page" stays true as the book grows
    (but for the JupyterLite app in lite/: tests/test_browser_lite.py drives it)."""
    built = sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html")
                   if not p.relative_to(SITE).parts[0].startswith("_")
                   and p.relative_to(SITE).parts[0] != "lite")
    assert built == sorted(PAGES)


@pytest.mark.parametrize("path", PAGES)
def test_page_is_clean(visit, path):
    """No console error, no external request, every image loads, display math is typeset."""
    v = visit(viewport={"width": 1280, "height": 900})
    page = v.open(path)
    broken = page.evaluate("""async () => {
        const images = [...document.images];
        for (const img of images) img.loading = "eager";
        await Promise.all(images.map(img => img.decode().catch(() => null)));
        return images.filter(img => !(img.complete && img.naturalWidth > 0))
                     .map(img => img.getAttribute("src"));
    }""")
    assert broken == [], f"{path}: images that did not load: {broken}"
    assert v.problems == [], f"{path}:\n" + "\n".join(v.problems)

    math = page.evaluate("""() => {
        const blocks = [...document.querySelectorAll("div.math")];
        return {
            blocks: blocks.length,
            untypeset: blocks.filter(d => !d.querySelector("mjx-container"))
                             .map(d => d.textContent.trim().slice(0, 80)),
            typeset: document.querySelectorAll('mjx-container[display="true"]').length,
        };
    }""")
    assert math["untypeset"] == [], f"{path}: display math left untypeset: {math['untypeset']}"
    assert math["typeset"] >= math["blocks"]
    if path in CHAPTERS:
        assert math["blocks"] > 0, f"{path}: a chapter without display math?"
    text = page.inner_text("body")
    assert "$$" not in text, f"{path}: raw $$ in the visible text"
    assert v.problems == [], f"{path}:\n" + "\n".join(v.problems)  # e.g. a MathJax error

    if path in CHAPTERS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{chapter_name(path)}.png"), full_page=True)


@pytest.mark.parametrize("path", PAGES)
def test_no_horizontal_scroll_at_phone_width(visit, path):
    v = visit(viewport={"width": 375, "height": 740}, device_scale_factor=1, is_mobile=True,
              has_touch=True)
    page = v.open(path)
    widths = page.evaluate("""() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
        culprits: [...document.querySelectorAll("body *")]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .filter(e => !e.closest(".bd-sidebar-primary, .bd-sidebar-secondary, dialog"))
            .slice(0, 5)
            .map(e => e.tagName.toLowerCase() + (e.className ? "." + String(e.className) : "")),
    })""")
    assert widths["scroll"] <= widths["client"] + 1, (
        f"{path} scrolls sideways at 375 px: scrollWidth {widths['scroll']} > "
        f"clientWidth {widths['client']}; widest elements: {widths['culprits']}")
    assert v.problems == [], f"{path}:\n" + "\n".join(v.problems)
    if path in CHAPTERS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{chapter_name(path)}-phone.png"),
                        full_page=True)


PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1,
         "is_mobile": True, "has_touch": True}
# Smallest diagram text on a phone, in CSS pixels (book/figures/style.py draws for it).
PHONE_TEXT_PX = 11


@pytest.mark.parametrize("path", [*BOOK_PAGES])
def test_what_is_wider_than_a_phone_shows_that_it_scrolls(visit, path):
    """On a 390-px phone, an equation, figure or table wider than the screen scrolls
    inside its own box, and that box shows it (a shadow at the edge that hides more)."""
    v = visit(**PHONE)
    page = v.open(path)
    hidden = page.evaluate("""() => {
        const boxes = document.querySelectorAll(
            'mjx-container[display="true"], div.math-wrapper, figure, .table-wrapper, table');
        return [...boxes].filter(e => e.scrollWidth > e.clientWidth + 1).filter(e => {
            const style = getComputedStyle(e);
            const scrolls = ["auto", "scroll"].includes(style.overflowX);
            const shows = style.backgroundImage.includes("gradient");
            const inside = e.parentElement && e.parentElement.closest(
                'mjx-container, div.math-wrapper, figure, .table-wrapper');
            return !inside && !(scrolls && shows);
        }).map(e => e.tagName.toLowerCase() + " " + e.textContent.trim().slice(0, 60));
    }""")
    assert hidden == [], (f"{path}: wider than a 390-px screen without a visible scroll "
                          f"affordance: {hidden}")
    assert v.problems == [], f"{path}:\n" + "\n".join(v.problems)


@pytest.mark.parametrize("path", CHAPTERS)
def test_diagram_text_is_legible_on_a_phone(visit, path):
    """Every diagram's smallest text is at least 11 CSS pixels on a 390-px phone.

    The diagrams are SVG whose text is drawn as paths; book/figures/style.py records the
    smallest text size (in pt) in each SVG's description, and its width in pt is the SVG's
    width, so the displayed size is smallest * displayed width / SVG width."""
    v = visit(**PHONE)
    page = v.open(path)
    diagrams = page.evaluate("""async () => {
        // The project's diagrams (book/figures/chNN_*.svg, copied to _images/ by Sphinx).
        const images = [...document.images].filter(img => /\\/ch\\d\\d_[^/]*\\.svg$/.test(img.src));
        return Promise.all(images.map(async img => {
            const svg = await (await fetch(img.src)).text();
            return {
                src: img.getAttribute("src"),
                shown: img.getBoundingClientRect().width,
                width: parseFloat(svg.match(/<svg[^>]*\\bwidth="([\\d.]+)pt"/)[1]),
                smallest: parseFloat((svg.match(/smallest text ([\\d.]+) pt/) || [0, 0])[1]),
            };
        }));
    }""")
    assert diagrams, f"{path}: a chapter without a diagram?"
    small = [f"{d['src']}: smallest text {d['smallest'] * d['shown'] / d['width']:.1f} px"
             for d in diagrams
             if not d["smallest"] or d["smallest"] * d["shown"] / d["width"] < PHONE_TEXT_PX - 0.05]
    assert small == [], f"{path}: diagram text under {PHONE_TEXT_PX} px on a phone: {small}"


@pytest.mark.parametrize("path", CHAPTERS)
def test_exercise_download_is_the_release_notebook(visit, path):
    name = f"{chapter_name(path)}.ipynb"
    v = visit()
    page = v.open(path)
    exercise = page.locator("section#exercise")
    assert exercise.count() == 1, f"{path} has no Exercise section"
    links = exercise.locator(f'a.download[href$="/{name}"]')  # the text's, and the button
    assert links.count() >= 1, f"{path}: no download link to {name} in its Exercise section"
    for link in links.all():
        link.scroll_into_view_if_needed()
        with page.expect_download() as info:
            link.click()
        download = info.value
        assert download.suggested_filename == name
        assert Path(download.path()).read_bytes() == (EXERCISES / name).read_bytes(), (
            f"the site serves a stale {name}: rebuild the book after "
            "`python -m autograder release`")
    assert v.problems == [], f"{path}:\n" + "\n".join(v.problems)


def test_next_links_walk_the_chapters_in_order(visit):
    v = visit(viewport={"width": 1280, "height": 900})
    page = v.open(CHAPTERS[0])
    titles = [page.locator("h1").first.inner_text()]
    for expected in CHAPTERS[1:]:
        page.locator("a.right-next").click()
        page.wait_for_url(f"**/{expected}")
        page.wait_for_load_state("load")
        titles.append(page.locator("h1").first.inner_text())
    assert page.url == v.site + CHAPTERS[-1]
    assert len(set(titles)) == len(CHAPTERS) and all(t.strip() for t in titles), titles
    assert v.problems == [], "\n".join(v.problems)


def test_search_finds_the_forget_gate(visit):
    v = visit()
    page = v.open("search.html?q=forget+gate")
    lstm = chapter_name(next(p for p in CHAPTERS if p.endswith("_lstm.html")))
    hit = page.locator(f'#search-results li a[href*="{lstm}.html"]')
    hit.first.wait_for(state="visible", timeout=30_000)
    hit.first.click()
    page.wait_for_url(f"**/{lstm}.html*")
    assert "forget" in page.inner_text("body").lower()
    assert v.problems == [], "\n".join(v.problems)
