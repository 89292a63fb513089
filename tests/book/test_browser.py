"""The built site as a student sees it, in headless Chromium.

Serves ``_build/html`` (built by ``python3 dev.py book``; ``dev.py test`` builds it
first) from a local HTTP server and checks every page: no console error and no
request that leaves the machine, every image loads, display math is typeset,
the exercise downloads are the notebooks of ``exercises/``, the "next" links
walk the chapters in order, search finds the LSTM chapter, and a phone-width
screen has no horizontal scroll; at 1280x800 every figure, plot and display
equation fits the text column, and on a 390-px phone every figure and plot is
whole or scrolls inside its own box; on that phone, whatever is wider than the
screen shows that it scrolls and the text of diagrams and plots is at least 11 px.
Full-page screenshots of the chapters go to ``artifacts/screenshots/`` (git-ignored,
kept by CI).
"""

import functools
import http.server
import re
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


PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1,
         "is_mobile": True, "has_touch": True}
LAPTOP = {"viewport": {"width": 1280, "height": 800}, "device_scale_factor": 1}
# Smallest text of diagrams and plots on a phone, in CSS pixels (book/figures/column.py).
PHONE_TEXT_PX = 11

# Every figure, plot and display equation of the page's text column that is cut off, or
# (with `strict`, on a laptop) hidden even in part behind a sideways scroll, named.
# A box that clips (overflow hidden) must hold the element whole; a box that scrolls must
# let every part of it be scrolled to (or, strict, show it whole); the outermost box that
# scrolls must lie within the column. An equation is judged by its typeset math (mjx-math).
OUT_OF_THE_COLUMN = """(strict) => {
    const article = document.querySelector("article.bd-article");
    if (!article) return {column: 0, problems: []};
    const style = getComputedStyle(article);
    const frame = article.getBoundingClientRect();
    const column = {left: frame.left + parseFloat(style.paddingLeft),
                    right: frame.right - parseFloat(style.paddingRight)};
    const width = r => Math.round(r.right - r.left);
    const name = e => {
        const figure = e.closest("figure");
        const number = figure && figure.querySelector(".caption-number");
        const label = number ? number.textContent.trim() + " " : "";
        if (e.tagName === "MJX-MATH") {
            const math = e.closest("div.math");
            const eqno = math && math.querySelector(".eqno");
            const items = window.MathJax
                ? MathJax.startup.document.getMathItemsWithin(e.parentElement) : [];
            const tex = items.length ? items[0].math.trim().replace(/\\s+/g, " ") : "";
            const tag = eqno ? eqno.firstChild.textContent.trim() + " " : "";
            return `equation ${tag}${tex.replace(/^\\\\begin\\{split\\}/, "").slice(0, 70)}`;
        }
        const src = (e.getAttribute("src") || "").split("/").pop();
        const kind = /^ch\\d\\d_/.test(src) ? "diagram"
            : e.closest(".cell_output") ? "plot" : "image";
        return `${kind} ${label}(${src})`;
    };
    const elements = [
        ...article.querySelectorAll("img"),
        ...[...article.querySelectorAll('mjx-container[display="true"]')]
            .map(c => c.querySelector(":scope > mjx-math")).filter(Boolean),
    ];
    const problems = [];
    for (const e of elements) {
        const r = e.getBoundingClientRect();
        // What shows of e at each level up: e, then at most the boxes that clip or scroll it.
        const shown = {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
        let boxed = false;
        const faults = [];
        for (let a = e.parentElement; a && a !== article; a = a.parentElement) {
            const s = getComputedStyle(a);
            const b = a.getBoundingClientRect();
            const inner = {left: b.left + a.clientLeft, top: b.top + a.clientTop};
            inner.right = inner.left + a.clientWidth;
            inner.bottom = inner.top + a.clientHeight;
            for (const [lo, hi, overflow, size, scrolled] of [
                    ["left", "right", s.overflowX, "scrollWidth", "scrollLeft"],
                    ["top", "bottom", s.overflowY, "scrollHeight", "scrollTop"]]) {
                if (overflow === "visible") continue;
                const scrolls = overflow === "auto" || overflow === "scroll";
                if (shown[lo] < inner[lo] - 1 || shown[hi] > inner[hi] + 1) {
                    if (!scrolls) {
                        faults.push(`cut off by a box of ${width(inner)} x `
                                    + `${Math.round(inner.bottom - inner.top)} px`);
                    } else if (strict) {
                        faults.push(`behind a sideways scroll in a box of ${width(inner)} px`);
                    } else if (shown[lo] - inner[lo] + a[scrolled] < -1
                               || shown[hi] - inner[lo] + a[scrolled] > a[size] + 1) {
                        faults.push("partly out of reach of its box's scroll");
                    }
                    boxed = boxed || (scrolls && lo === "left");
                }
                shown[lo] = Math.max(shown[lo], inner[lo]);
                shown[hi] = Math.min(shown[hi], inner[hi]);
            }
        }
        if (shown.left < column.left - 1 || shown.right > column.right + 1) {
            faults.push(`${boxed ? "its scrolling box" : "it"} reaches from x = `
                        + `${Math.round(shown.left - column.left)} to `
                        + `${Math.round(shown.right - column.left)} px of the column`);
        }
        if (faults.length) {
            problems.push(`${name(e)}, ${width(r)} px wide: ${[...new Set(faults)].join("; ")}`);
        }
    }
    return {column: Math.round(column.right - column.left), count: elements.length, problems};
}"""


def assert_fits_the_column(page, path, screen):
    """The screen check of every page, run by the tests that open it at each size: at
    1280x800 no figure, plot or display equation is cut off or hidden behind a sideways
    scroll; on a 390x844 phone figures, plots and equations may scroll inside their own box,
    but none is cut off and none reaches out of the text column."""
    found = page.evaluate(OUT_OF_THE_COLUMN, screen == "laptop")
    size = "1280x800" if screen == "laptop" else "390x844"
    assert found["problems"] == [], (
        f"{path} at {size}, in a text column of {found['column']} px:\n"
        + "\n".join(found["problems"]))
    if path in CHAPTERS:
        assert found["count"] > 0, f"{path}: no figure, plot or equation found to check"


@pytest.mark.parametrize("path", PAGES)
def test_page_is_clean(visit, path):
    """No console error, no external request, every image loads, display math is typeset,
    and at 1280x800 everything fits the text column (assert_fits_the_column)."""
    v = visit(**LAPTOP)
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
    assert_fits_the_column(page, path, "laptop")

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




@pytest.mark.parametrize("path", [p for p in PAGES if p not in REDIRECTS])
def test_what_is_wider_than_a_phone_shows_that_it_scrolls(visit, path):
    """On a 390-px phone, an equation, figure or table wider than the screen scrolls
    inside its own box, and that box shows it (a shadow at the edge that hides more); no
    figure, plot or equation is cut off or reaches out of the column (assert_fits_the_column)."""
    v = visit(**PHONE)
    page = v.open(path)
    hidden = page.evaluate("""() => {
        const boxes = document.querySelectorAll(
            'mjx-container[display="true"], div.math-wrapper, figure, .cell_output, '
            + '.table-wrapper, table');
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
    assert_fits_the_column(page, path, "phone")


def test_the_column_check_finds_what_is_cut_off_or_hidden(visit):
    """OUT_OF_THE_COLUMN on a page made for it: one image per way of not fitting."""
    image = "<img src='{1}' alt='' style='display: block; flex: none; width: {0}px; height: 20px'>"
    page = visit(**PHONE).page
    page.set_content(f"""<article class="bd-article" style="width: 300px; padding: 0 20px">
        <figure style="overflow-x: auto; margin: 0">{image.format(500, "scrolls.svg")}</figure>
        <figure style="overflow: hidden; margin: 0">{image.format(500, "clipped.svg")}</figure>
        <div style="overflow-x: auto; display: flex; justify-content: center">
            {image.format(500, "centred.svg")}</div>
        <div style="overflow-x: auto; width: 400px">{image.format(450, "wide-box.svg")}</div>
        <p>{image.format(300, "fits.svg")}</p></article>""")
    problems = {strict: page.evaluate(OUT_OF_THE_COLUMN, strict)["problems"]
                for strict in (True, False)}
    assert problems[False] == [
        "image (clipped.svg), 500 px wide: cut off by a box of 300 x 20 px",
        "image (centred.svg), 500 px wide: partly out of reach of its box's scroll",
        "image (wide-box.svg), 450 px wide: its scrolling box reaches from x = 0 to 400 px "
        "of the column",
    ], problems[False]
    assert problems[True] == [
        "image (scrolls.svg), 500 px wide: behind a sideways scroll in a box of 300 px",
        "image (clipped.svg), 500 px wide: cut off by a box of 300 x 20 px",
        "image (centred.svg), 500 px wide: behind a sideways scroll in a box of 300 px",
        "image (wide-box.svg), 450 px wide: behind a sideways scroll in a box of 400 px; "
        "its scrolling box reaches from x = 0 to 400 px of the column",
    ], problems[True]


@pytest.mark.parametrize("path", CHAPTERS)
def test_diagram_and_plot_text_is_legible_on_a_phone(visit, path):
    """Every diagram's and plot's smallest text is at least 11 CSS pixels on a 390-px phone.

    Diagrams and plots are SVG whose text is drawn as paths; book/figures/style.py
    (diagrams) and book/figures/plots.py (the executed plots) record the smallest text size
    (in pt) in each SVG's description, and its width in pt is the SVG's width, so the
    displayed size is smallest * displayed width / SVG width."""
    v = visit(**PHONE)
    page = v.open(path)
    diagrams = page.evaluate("""async () => {
        // The project's diagrams (book/figures/chNN_*.svg, copied to _images/ by Sphinx)
        // and the chapter's executed plots.
        const images = [...document.images].filter(img =>
            /\\/ch\\d\\d_[^/]*\\.svg$/.test(img.src) || img.closest(".cell_output"));
        return Promise.all(images.map(async img => {
            const svg = await (await fetch(img.src)).text();
            return {
                src: img.getAttribute("src"),
                shown: img.getBoundingClientRect().width,
                width: parseFloat((svg.match(/<svg[^>]*\\bwidth="([\\d.]+)pt"/) || [0, 0])[1]),
                smallest: parseFloat((svg.match(/smallest text ([\\d.]+) pt/) || [0, 0])[1]),
            };
        }));
    }""")
    assert any(re.search(r"/ch\d\d_", d["src"]) for d in diagrams), (
        f"{path}: a chapter without a diagram?")
    small = [f"{d['src']}: smallest text {d['smallest'] * d['shown'] / d['width']:.1f} px"
             if d["smallest"] else f"{d['src']}: no smallest text recorded (not drawn by "
                                   "book/figures/style.py or plots.py)"
             for d in diagrams
             if not d["smallest"] or d["smallest"] * d["shown"] / d["width"] < PHONE_TEXT_PX - 0.05]
    assert small == [], f"{path}: text under {PHONE_TEXT_PX} px on a phone: {small}"


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
