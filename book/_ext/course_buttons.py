"""The site's buttons: those that need the course's repository, and the exercise launchers.

Repository: the one setting ``repository.url`` of _config.yml decides. Empty, no page shows
a button that needs a repository (repository, issues, edit, and the launchers of
``launch_buttons``: Binder, ...), so the site never points at an address that does not
exist; set, every page shows them. Jupyter Book refuses ``html.use_*_button`` without a
URL, so they are set here from the URL and not in _config.yml.

Exercise launchers: wherever a page links a notebook of ``exercises/`` for download, a row
follows with two buttons, "Download" and "Open in your browser" (the same notebook in the
site's own JupyterLite app, built by ``python -m lite build``), and a note on where the
browser keeps the work and how to submit it.
"""

import posixpath
from pathlib import Path

from docutils import nodes
from sphinx import addnodes

import lite

REPOSITORY_BUTTONS = ("use_repository_button", "use_issues_button", "use_edit_page_button")


def repository_buttons(app, config):
    options = config.html_theme_options
    configured = bool((options.get("repository_url") or "").strip())
    for button in REPOSITORY_BUTTONS:
        options[button] = configured
    if not configured:
        options["repository_url"] = ""
        options["launch_buttons"] = {}


def exercise_notebook(app, reference, docname):
    """The name of the exercise notebook that a download reference links, else None."""
    _, path = app.env.relfn2path(reference["reftarget"], docname)
    path = Path(path)
    exercises = Path(app.srcdir) / "exercises"
    return path.name if path.parent == exercises and path.suffix == ".ipynb" else None


def launch_row(reference, notebook, href):
    download = reference.deepcopy()
    download["classes"] += ["sd-btn", "sd-btn-outline-primary"]
    download.children = [nodes.Text(f"Download {notebook}")]
    browser = nodes.reference("", "Open in your browser", refuri=href, target="_blank",
                              rel="noopener", classes=["sd-btn", "sd-btn-primary",
                                                       "lite-launch"])
    buttons = nodes.paragraph("", "", download, nodes.Text(" "), browser,
                              classes=["exercise-launch"])
    note = nodes.paragraph(
        "", "", nodes.strong("", "In your browser"),
        nodes.Text(", the notebook runs in JupyterLite: Python served by this site, with "
                   "nothing to install and no account (the first start loads tens of "
                   "megabytes). Your work is kept in this browser's storage for this site "
                   "only: clearing the browser's data for the site, or a private window, "
                   "loses it. To keep or submit it, use "),
        nodes.strong("", "File → Download"),
        nodes.Text(f", which saves the notebook and downloads it: the {notebook} that "
                   "arrives is the one you hand in."),
        classes=["exercise-launch-note"])
    return [buttons, note]


def exercise_launchers(app, doctree, docname):
    if app.builder.format != "html":
        return
    page = posixpath.dirname(app.builder.get_target_uri(docname))
    app_url = posixpath.relpath(lite.NOTEBOOK_APP, page or ".")
    done = set()
    for reference in list(doctree.findall(addnodes.download_reference)):
        notebook = exercise_notebook(app, reference, docname)
        if notebook and notebook not in done:
            done.add(notebook)
            block = reference.parent
            while not isinstance(block, nodes.paragraph):
                block = block.parent
            block.parent.insert(block.parent.index(block) + 1,
                                launch_row(reference, notebook, f"{app_url}?path={notebook}"))


def setup(app):
    app.connect("config-inited", repository_buttons)
    app.connect("doctree-resolved", exercise_launchers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
