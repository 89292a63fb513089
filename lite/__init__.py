"""The exercises in the browser: a JupyterLite site (Pyodide kernel) inside the book.

``python -m lite build SITE`` writes it into ``SITE/lite`` (``dev.py book`` runs it after
Jupyter Book): the notebooks of ``exercises/``, the JupyterLite apps and a Pyodide runtime
with only the packages the kernel and the exercises import, all served by the static site
itself. ``python -m lite refresh`` renews the stored Pyodide packages (lite/refresh.py).

A chapter's "Open in your browser" button (book/_ext/course_buttons.py) opens
``NOTEBOOK_APP?path=<notebook>``.
"""

FOLDER = "lite"  # the app's folder in the built site
APPS = ("notebooks", "tree")  # the one-notebook app, and the file list its menus link to
NOTEBOOK_APP = f"{FOLDER}/notebooks/index.html"  # from the site's root
