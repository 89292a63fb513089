"""nbgrader's own feedback page, rendered from our graded notebook."""

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

import nbgrader
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from traitlets.config import Config

_NBGRADER = Path(nbgrader.__file__).parent
_exporter = None


class FeedbackExporter(HTMLExporter):
    """nbconvert's HTMLExporter minus its closing BeautifulSoup pass.

    That pass adds alt text to images and tab stops to JupyterLab-styled
    cells; nbgrader's (classic) feedback template has neither, and the pass
    costs four fifths of the rendering time.
    """

    def from_notebook_node(self, nb, resources=None, **kw):
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        self.register_filter("highlight_code", self.filters.get(
            "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


def exporter():
    """One HTMLExporter per process, configured as nbgrader's GenerateFeedback does."""
    global _exporter
    if _exporter is None:
        config = Config()
        config.HTMLExporter.template_name = "feedback"
        config.HTMLExporter.extra_template_basedirs = [
            str(_NBGRADER / "server_extensions" / "formgrader" / "templates")]
        config.HTMLExporter.extra_template_paths = [str(
            _NBGRADER / "server_extensions" / "formgrader" / "static" / "node_modules"
            / "bootstrap" / "dist" / "css")]
        _exporter = FeedbackExporter(config=config)
        _exporter.register_preprocessor(CSSHTMLHeaderPreprocessor(), enabled=True)
    return _exporter


def render(nb, student, assignment, notebook, score, max_score, late_penalty=0.0):
    """nbgrader's feedback page for one graded notebook, as HTML text."""
    resources = {"nbgrader": {"student": student, "assignment": assignment,
                              "notebook": notebook, "score": score, "max_score": max_score,
                              "late_penalty": late_penalty}}
    for cell in nb.cells:  # nbgrader's GetGrades adds these from the gradebook
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta and meta.get("solution"):
            meta.setdefault("comment", None)
    html, _ = exporter().from_notebook_node(nb, resources=resources)
    return html


def write(path, html):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(html)
    os.replace(tmp, path)


def write_exchange_files(folder, job):
    """What `nbgrader release_feedback` reads beside each page: the submission's
    `timestamp.txt` and `submission_secret.txt`, copied from nbgrader's submitted/
    folder. A notebook that did not come through nbgrader's exchange (an LMS
    upload) gets its submission time, or the grading time, and a fresh secret: its
    feedback can be released, and goes back to the student through the LMS."""

    folder = Path(folder)
    submitted = job.path.parent if job.path is not None else None
    for name in ("timestamp.txt", "submission_secret.txt"):
        source = submitted / name if submitted is not None else None
        if source is not None and source.is_file():
            write(folder / name, source.read_text())
        elif name == "timestamp.txt":
            moment = job.submitted_at or datetime.now(UTC)
            write(folder / name, moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
        else:
            write(folder / name, secrets.token_hex(16))
