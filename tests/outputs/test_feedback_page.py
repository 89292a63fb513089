"""A feedback page as a student opens it, offline: math typeset by the MathJax copied
beside the pages, plots shown, the reason for every lost mark, nothing from the network;
and the same page handed back alone through nbgrader's exchange, whose math comes from
the CDN instead."""

import shutil

import nbformat
import pytest
from grading_helpers import answer_source, grade_cli, source_notebook, with_answer

from autograder.grading.feedback_page import MATHJAX_CDN, MATHJAX_FILE

pytestmark = [pytest.mark.slow, pytest.mark.browser]
A = "03_vanishing_gradients"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update"]


@pytest.fixture(scope="module")
def page_path(tmp_path_factory):
    root = tmp_path_factory.mktemp("feedback-page")
    correct = source_notebook(A)
    wrong = with_answer(correct, "tanh_jacobian", answer_source(correct, "tanh_jacobian")
                        .replace("(1 - h_t ** 2)", "(1 - h_t)"))
    folder = root / "submitted" / "ada" / A
    folder.mkdir(parents=True)
    nbformat.write(wrong, folder / f"{A}.ipynb")
    run = grade_cli(root / "submitted", "--out", root / "results")
    assert run.returncode == 0, run.stderr
    return root / "results" / "feedback" / "ada" / A / f"{A}.html"


def _open(path, cdn_body=None):
    """Open the page in Chromium once MathJax has typeset it: (page figures, the URLs
    asked of the network). With `cdn_body`, the CDN answers with it; else it is offline."""
    from playwright.sync_api import sync_playwright

    external = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("request", lambda r: r.url.startswith("file:") or external.append(r.url))
        if cdn_body is not None:
            page.route(MATHJAX_CDN, lambda route: route.fulfill(
                body=cdn_body, content_type="application/javascript"))
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_function("() => window.MathJax && MathJax.startup && "
                               "MathJax.startup.promise", timeout=30_000)
        page.evaluate("() => MathJax.startup.promise")
        figures = {
            "typeset": page.locator("mjx-container").count(),
            "plots": page.locator("img[src^='data:image/png']").count(),
            "widest": page.evaluate(
                "() => Math.max(...[...document.querySelectorAll('div.output_area pre')]"
                ".map(e => e.scrollWidth - e.clientWidth))")}
        browser.close()
    return figures, external


def test_the_page_typesets_math_offline_and_shows_plots_and_reasons(page_path):
    assert "Marks lost (wrong): tanh_jacobian" in page_path.read_text()
    figures, external = _open(page_path)
    typeset, plots, widest = figures["typeset"], figures["plots"], figures["widest"]
    assert typeset > 10, "the page's math was not typeset"
    assert plots >= 1, "the notebook's plot is not on the page"
    assert widest <= 1, "an output scrolls sideways instead of wrapping"
    assert not external, external


def test_a_page_handed_back_alone_takes_mathjax_from_the_cdn(page_path, tmp_path):
    """fetch_feedback puts the page in `<assignment>/feedback/<timestamp>/`, without the
    MathJax folder; the CDN (answered here with the same file) typesets it."""
    fetched = tmp_path / "ada" / A / "feedback" / "2026-11-24 10:00:00.000000 UTC" / page_path.name
    fetched.parent.mkdir(parents=True)
    shutil.copyfile(page_path, fetched)
    offline_copy = page_path.parents[2] / "mathjax" / MATHJAX_FILE
    figures, external = _open(fetched, cdn_body=offline_copy.read_bytes())
    assert external == [MATHJAX_CDN]
    assert figures["typeset"] > 10, "the page's math was not typeset"
