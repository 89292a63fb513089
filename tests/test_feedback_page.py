"""A feedback page as a student opens it, offline: math typeset by the MathJax copied
beside the pages, plots shown, the reason for every lost mark, nothing from the network."""

import nbformat
import pytest
from grading_helpers import answer_source, grade_cli, source_notebook, with_answer

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


def test_the_page_typesets_math_offline_and_shows_plots_and_reasons(page_path):
    from playwright.sync_api import sync_playwright

    assert "Marks lost (wrong): tanh_jacobian" in page_path.read_text()
    external = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("request", lambda r: r.url.startswith("file:") or external.append(r.url))
        page.goto(page_path.as_uri(), wait_until="load")
        page.wait_for_function("() => window.MathJax && MathJax.startup && "
                               "MathJax.startup.promise", timeout=30_000)
        page.evaluate("() => MathJax.startup.promise")
        typeset = page.locator("mjx-container").count()
        plots = page.locator("img[src^='data:image/png']").count()
        widest = page.evaluate("() => Math.max(...[...document.querySelectorAll("
                               "'div.output_area pre')].map(e => e.scrollWidth - e.clientWidth))")
        browser.close()
    assert typeset > 10, "the page's math was not typeset"
    assert plots >= 1, "the notebook's plot is not on the page"
    assert widest <= 1, "an output scrolls sideways instead of wrapping"
    assert not external, external
