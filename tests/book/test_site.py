"""The built site, read as files (no browser): links, leaks, alt text, downloads.

Reads ``_build/html`` as built by ``python3 dev.py book`` (``dev.py test`` builds it
before running pytest).
"""

import json
import re
import subprocess
import sys
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
import yaml
from grading_helpers import EXERCISES, ROOT, SITE, toc_pages
from release_helpers import LEAK_MARKERS, solution_lines

import lite
from autograder.contract import ASSIGNMENTS


@pytest.fixture(scope="module", autouse=True)
def built_site():
    if not (SITE / "index.html").is_file():
        pytest.fail("_build/html is missing: build the book first (python3 dev.py book)")


BOOK_PAGES = [f"{page}.html" for page in toc_pages()]
NOTEBOOKS = sorted(p.name for p in EXERCISES.glob("*.ipynb"))
CHAPTERS = {f"book/{Path(name).stem}.html": name for name in NOTEBOOKS}


class Page(HTMLParser):
    """What the checks need from one HTML file."""

    LINK_ATTRIBUTES = ("href", "src", "data", "poster")

    def __init__(self, path):
        super().__init__(convert_charrefs=True)
        self.path = path
        self.ids = set()
        self.links = []          # (tag, attribute, value, rel)
        self.images = []         # (src, alt or None)
        self.exercise_links = []  # href of every <a> inside <section id="exercise">
        self.buttons = []        # href of every theme button (<a class="btn ...">)
        self.code = []           # the text of every <pre> block
        self.text = []           # all text
        self._pre = 0
        self._exercise_depth = 0
        self.feed(path.read_text(encoding="utf-8"))
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for key in ("id", "name" if tag == "a" else None):
            if key and attributes.get(key):
                self.ids.add(attributes[key])
        for key in self.LINK_ATTRIBUTES:
            if attributes.get(key) is not None:
                self.links.append((tag, key, attributes[key], attributes.get("rel") or ""))
        if tag == "img":
            self.images.append((attributes.get("src"), attributes.get("alt")))
        if tag == "pre":
            self._pre += 1
            self.code.append("")
        if tag == "section":
            if self._exercise_depth:
                self._exercise_depth += 1
            elif attributes.get("id") == "exercise":
                self._exercise_depth = 1
        if tag == "a" and self._exercise_depth and attributes.get("href"):
            self.exercise_links.append((attributes["href"], attributes.get("class", "")))
        if tag == "a" and "btn" in (attributes.get("class") or "").split():
            self.buttons.append(attributes.get("href") or "")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("pre", "section"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "pre" and self._pre:
            self._pre -= 1
        if tag == "section" and self._exercise_depth:
            self._exercise_depth -= 1

    def handle_data(self, data):
        self.text.append(data)
        if self._pre:
            self.code[-1] += data


@pytest.fixture(scope="module")
def pages():
    """Every HTML file of the site, parsed, by its path in the site.

    The themes also copy Jinja templates named *.html into _static/
    (webpack-macros.html); those are never served as pages, so links are checked
    only on the pages outside the _-folders, but leaks are looked for in all.
    """
    return {p.relative_to(SITE).as_posix(): Page(p) for p in sorted(SITE.rglob("*.html"))}


def is_page(path):
    """A page of the book: not a template of _-folders, nor the shell of the JupyterLite
    app in lite/ (tests/test_lite.py checks the app)."""
    top = Path(path).parts[0]
    return not top.startswith("_") and top != lite.FOLDER


def is_external(url):
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc)  # http(s), mailto, data, javascript, //host


def resolve(page, url):
    """(site-relative path of the target file, fragment) of a relative link on page."""
    parts = urlsplit(url)
    if not parts.path:
        return page, unquote(parts.fragment)
    target = (SITE / page).parent / unquote(parts.path)
    try:
        relative = target.resolve().relative_to(SITE.resolve())
    except ValueError:
        return None, None  # outside the site
    if (SITE / relative).is_dir():
        relative = relative / "index.html"
    return relative.as_posix(), unquote(parts.fragment)


# --- links -------------------------------------------------------------------------------------

def test_the_site_has_the_pages_of_the_toc(pages):
    for page in BOOK_PAGES:
        assert page in pages, f"{page} (from _toc.yml) was not built"


def test_no_broken_internal_link(pages):
    broken = []
    for page, parsed in pages.items():
        if not is_page(page):
            continue
        for tag, attribute, url, _ in parsed.links:
            if not url or is_external(url):
                continue
            target, fragment = resolve(page, url)
            if target is None:
                broken.append(f"{page}: <{tag} {attribute}={url!r}> points outside the site")
            elif not (SITE / target).is_file():
                broken.append(f"{page}: <{tag} {attribute}={url!r}>: no file {target}")
            elif fragment and target.endswith(".html") and fragment not in pages[target].ids:
                broken.append(f"{page}: <{tag} {attribute}={url!r}>: {target} has no "
                              f"id {fragment!r}")
    assert not broken, f"{len(broken)} broken link(s):\n" + "\n".join(broken)


def test_the_site_loads_nothing_from_another_host(pages):
    """Scripts, styles, fonts and images all come from the site, so it works offline: in
    the book's pages and in those of the JupyterLite app."""
    not_fetched = {"canonical", "alternate", "author", "license"}  # <link rel=...> mere URLs
    external = []
    for page, parsed in pages.items():
        if Path(page).parts[0].startswith("_"):
            continue
        for tag, attribute, url, rel in parsed.links:
            remote = urlsplit(url).scheme in ("http", "https") or url.startswith("//")
            if remote and tag != "a" and not (tag == "link" and set(rel.split()) <= not_fetched):
                external.append(f"{page}: <{tag} {attribute}={url!r}>")
    assert not external, "the site loads from another host:\n" + "\n".join(external)


# --- leaks -------------------------------------------------------------------------------------

def distinctive_solution_lines():
    """Reference-solution lines (tests/test_release.solution_lines) worth looking for.

    A bare control-flow header such as ``for t in range(T):`` is no answer on its
    own, and the book's PyTorch code legitimately loops over time the same way.
    """
    header = re.compile(r"^(for|if|elif|else|while|with|try|except)\b.*:$")
    lines = set()
    for functions in ASSIGNMENTS.values():
        for name in functions:
            for line in solution_lines(name):
                if not (header.match(line) and "np." not in line):
                    lines.add((name, line))
    return sorted(lines)


SOLUTION_LINES = distinctive_solution_lines()
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def fenced_code(markdown):
    """The code blocks of a MyST page (code-cell and plain fences)."""
    blocks, current, fence = [], None, None
    for line in markdown.splitlines():
        match = FENCE.match(line)
        if current is None and match:
            current, fence = [], match.group(1)
        elif current is not None and line.strip().startswith(fence) and \
                line.strip().strip(fence[0]) == "":
            blocks.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return "\n".join(blocks)


def code_of(path, text, pages):
    """The text of a shipped file in which an answer would be a leak.

    Prose may state an equation in code formatting (the exercises do, by design:
    tests/test_release.py checks their code cells), so in pages and notebooks only
    code counts; every other file counts whole.
    """
    relative = path.relative_to(SITE).as_posix()
    if path.suffix == ".html":
        return "\n".join(pages[relative].code)
    if path.suffix == ".ipynb":
        nb = nbformat.reads(text, as_version=4)
        return "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    if path.suffix == ".md":
        return fenced_code(text)
    return text


# Compressed or compiled: no line of code can be read in them. They are the Pyodide
# runtime and packages of the browser exercises, which tests/test_lite.py checks are the
# official files, byte for byte.
UNREADABLE = {".whl", ".zip", ".wasm"}


def shipped_files():
    """Every file of the site in which text can be read."""
    return sorted(p for p in SITE.rglob("*") if p.is_file() and p.suffix not in UNREADABLE)


def test_no_solution_and_no_hidden_test_anywhere_in_the_site(pages):
    assert SOLUTION_LINES, "no reference lines to look for"
    leaks = []
    files = shipped_files()
    assert any(p.suffix == ".ipynb" for p in files) and any("_sources" in p.parts for p in files)
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="ignore")
        relative = path.relative_to(SITE).as_posix()
        # Markers anywhere, also in a page's text (where markup may split them).
        searched = [text]
        if path.suffix == ".html":
            searched.append("".join(pages[relative].text))
        for marker in LEAK_MARKERS:
            if any(marker in s for s in searched):
                leaks.append(f"{relative}: contains {marker!r}")
        code = code_of(path, text, pages)
        for name, line in SOLUTION_LINES:
            if line in code:
                leaks.append(f"{relative}: a line of the reference {name}: {line}")
    assert not leaks, "the published site leaks answers:\n" + "\n".join(leaks)


# --- images and downloads ----------------------------------------------------------------------

def test_every_image_has_alt_text(pages):
    missing = [f"{page}: <img src={src!r}>" for page, parsed in pages.items()
               if page in BOOK_PAGES for src, alt in parsed.images if not (alt or "").strip()]
    assert any(parsed.images for page, parsed in pages.items() if page in CHAPTERS)
    assert not missing, "images without alt text:\n" + "\n".join(missing)


def test_every_notebook_has_a_chapter():
    assert NOTEBOOKS, "exercises/ is empty"
    for page in CHAPTERS:
        assert page in BOOK_PAGES, f"exercises/{CHAPTERS[page]} has no chapter {page} in _toc.yml"


@pytest.mark.parametrize("page", sorted(CHAPTERS))
def test_chapter_links_its_notebook_in_its_exercise_section(pages, page):
    name = CHAPTERS[page]
    links = [href for href, cls in pages[page].exercise_links
             if "download" in cls.split() and Path(urlsplit(href).path).name == name]
    assert links, f"{page}: its Exercise section has no download link to {name}"
    for href in links:
        target, _ = resolve(page, href)
        assert target and (SITE / target).read_bytes() == (EXERCISES / name).read_bytes(), (
            f"{page} links {href}, which is not exercises/{name}: rebuild the book")
        # And the notebook is a valid one.
        json.loads((SITE / target).read_text())


@pytest.mark.parametrize("page", sorted(CHAPTERS))
def test_chapter_opens_its_notebook_in_the_browser_beside_its_download(pages, page):
    """The Exercise section's two buttons, Download and Open in your browser (the same
    notebook in the site's JupyterLite app), and the note on where the work is kept."""
    name = CHAPTERS[page]
    buttons = [(href, cls.split()) for href, cls in pages[page].exercise_links
               if "sd-btn" in cls.split()]
    assert [("download" in cls, "lite-launch" in cls) for _, cls in buttons] == [
        (True, False), (False, True)], f"{page}: not a Download and a browser button"
    download, browser = (href for href, _ in buttons)
    target, _ = resolve(page, download)
    assert (SITE / target).read_bytes() == (EXERCISES / name).read_bytes()
    parts = urlsplit(browser)
    app, _ = resolve(page, parts.path)
    assert app == lite.NOTEBOOK_APP and parts.query == f"path={name}", browser
    # The app serves exercises/<name> itself as <name>, at the root of its files.
    assert (SITE / lite.FOLDER / "files" / name).read_bytes() == (EXERCISES / name).read_bytes()
    text = " ".join("".join(pages[page].text).split())
    for needed in ("this browser's storage", "clearing the browser's data", "File → Download",
                   "the one you hand in"):
        assert needed in text, f"{page}: its note no longer says {needed!r}"


# --- the buttons that need the course's repository ---------------------------------------------

REPOSITORY = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]
# The address the site pointed at before the course's was known: a repository that does
# not exist.
PLACEHOLDER = "rnn-course/rnn-course"


def _hrefs(parsed):
    return [value for tag, key, value, _ in parsed.links if tag == "a" and key == "href"]


def repository_button_problems(parsed, page, repository, notebook_page):
    """What is wrong with one page's theme buttons for `repository` (its url and branch):
    with a url, the repository, issue and edit buttons, and on a notebook page the Binder
    launch, all pointing at it; without one, no button that leaves the site. Every page
    keeps its source download."""
    url = (repository.get("url") or "").rstrip("/")
    source = Path(page).with_suffix(".md").as_posix()
    leaving = [href for href in parsed.buttons if is_external(href)]
    problems = []
    if url:
        owner_and_name = urlsplit(url).path.strip("/")
        branch = repository["branch"]
        wanted = {"repository": url, "issue": f"{url}/issues/new?",
                  "edit": f"{url}/edit/{branch}/{source}"}
        if notebook_page:
            wanted["Binder"] = (f"https://mybinder.org/v2/gh/{owner_and_name}/{branch}"
                                f"?urlpath=lab/tree/{source}")
        problems += [f"{page}: no {button} button ({href})" for button, href in wanted.items()
                     if not any(h.startswith(href) for h in leaving)]
        problems += [f"{page}: a button leads to {href}, outside {url}" for href in leaving
                     if not href.startswith(url) and href not in wanted.values()]
    else:
        problems += [f"{page}: a button leads outside the site with no repository "
                     f"configured: {href}" for href in leaving]
    if not any("_sources/" in h and h.endswith(".md") for h in parsed.buttons):
        problems.append(f"{page}: no download button for its source")
    return problems


@pytest.mark.parametrize("page", BOOK_PAGES)
def test_every_page_has_the_repository_buttons_of_the_configuration(pages, page):
    problems = repository_button_problems(pages[page], page, REPOSITORY, page in CHAPTERS)
    assert not problems, "\n".join(problems)
    for href in (h for h in pages[page].buttons if "_sources/" in h and h.endswith(".md")):
        target, _ = resolve(page, href)
        assert target and (SITE / target).read_bytes() == (ROOT / page).with_suffix(
            ".md").read_bytes(), f"{page}: {href} is not its source"


def test_no_placeholder_repository_address_anywhere_in_the_site():
    assert PLACEHOLDER not in (REPOSITORY.get("url") or "")
    found = [p.relative_to(SITE).as_posix() for p in shipped_files()
             if PLACEHOLDER.encode() in p.read_bytes()]
    assert not found, f"the placeholder address {PLACEHOLDER} is in {found}"


MINI_CHAPTER = """---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
  language: python
---

# A chapter

```{code-cell}
1 + 1
```

## Exercise

The notebook, {download}`01_recurrence.ipynb <../exercises/01_recurrence.ipynb>`.
"""


@pytest.fixture(scope="module", params=["", "https://github.com/course-owner/course-repo"],
                ids=["no repository", "a repository"])
def small_book(request, tmp_path_factory):
    """A two-page book (a start page, a chapter that is a notebook) built with the course's
    own _config.yml, its repository.url set to the parameter; not executed (about 10 s).
    Returns (repository settings, the built site)."""
    root = tmp_path_factory.mktemp("small_book")
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["repository"]["url"] = request.param
    config["execute"]["execute_notebooks"] = "off"
    config["sphinx"]["local_extensions"] = {
        name: str(ROOT / path) for name, path in config["sphinx"]["local_extensions"].items()}
    (root / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (root / "_toc.yml").write_text(yaml.safe_dump({
        "format": "jb-book", "root": "book/intro", "chapters": [{"file": "book/01_recurrence"}]}))
    (root / "book").mkdir()
    for shared in ("_static", "_extra", "references.bib"):
        (root / "book" / shared).symlink_to(ROOT / "book" / shared)
    (root / "book" / "intro.md").write_text("# The start\n\nA page.\n", encoding="utf-8")
    (root / "book" / "01_recurrence.md").write_text(MINI_CHAPTER, encoding="utf-8")
    (root / "exercises").mkdir()
    (root / "exercises" / "01_recurrence.ipynb").symlink_to(EXERCISES / "01_recurrence.ipynb")
    built = subprocess.run([Path(sys.executable).parent / "jupyter-book", "build", root,
                            "--builder", "html", "-W", "-n", "--keep-going"],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return config["repository"], root / "_build" / "html"


@pytest.mark.parametrize("page", ["book/intro.html", "book/01_recurrence.html"])
def test_repository_buttons_appear_only_with_a_configured_address(small_book, page):
    repository, site = small_book
    parsed = Page(site / page)
    problems = repository_button_problems(parsed, page, repository,
                                          page == "book/01_recurrence.html")
    assert not problems, "\n".join(problems)
    if not repository["url"]:  # then these pages, whose own text links nothing, link no host
        assert not [href for href in _hrefs(parsed) if is_external(href)]


def test_start_page_tells_a_student_how_to_work(pages):
    """The two ways to work (in the browser, or set up locally), download and open, check
    (validate or restart and run all), submit, fix."""
    text = " ".join("".join(pages[BOOK_PAGES[0]].text).split()).replace("\u2019", "'")
    for needed in ("pip install -r requirements/student.txt", "jupyter lab", "Download",
                   "Open in your browser", "File → Download", "this browser's storage",
                   "nbgrader validate", "Restart", "Run All", "submit", "A failing test",
                   "Likely cause"):
        assert needed in text, f"the start page no longer says {needed!r}"


# --- the pages that list the course -------------------------------------------------------------

TOC_CHAPTERS = [page for page in BOOK_PAGES if Path(page).name[:2].isdigit()]
COUNTS = "zero one two three four five six seven eight nine ten eleven twelve".split()


def _article(page):
    """The page's own text and the targets of its links, without the navigation around it."""
    html = (SITE / page).read_text(encoding="utf-8")
    article = re.search(r'<article class="bd-article"[^>]*>(.*)</article>', html, re.S).group(1)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", article)).split())
    targets = {resolve(page, href)[0] for href in re.findall(r'<a [^>]*href="([^"]*)"', article)
               if not is_external(href)}
    return text, targets


@pytest.mark.parametrize("page", [BOOK_PAGES[0], "book/instructors.html"])
def test_start_and_instructors_pages_name_every_chapter_and_notebook(page):
    """Every chapter of _toc.yml is linked and every notebook of the contract is named, and
    a count of the chapters in words ("six chapters") is the count of _toc.yml."""
    assert page in BOOK_PAGES
    text, targets = _article(page)
    assert sorted(f"book/{name}.html" for name in ASSIGNMENTS) == sorted(TOC_CHAPTERS), (
        "the contract's assignments and the chapters of _toc.yml differ")
    unlinked = [chapter for chapter in TOC_CHAPTERS if chapter not in targets]
    assert not unlinked, f"{page} does not link the chapters {unlinked}"
    unnamed = [f"{name}.ipynb" for name in ASSIGNMENTS if f"{name}.ipynb" not in text]
    assert not unnamed, f"{page} does not name the notebooks {unnamed}"
    for count in re.findall(r"\b(\w+) chapters\b", text):
        if count.lower() in COUNTS:
            assert COUNTS.index(count.lower()) == len(TOC_CHAPTERS), (
                f"{page} says {count} chapters; _toc.yml has {len(TOC_CHAPTERS)}")
