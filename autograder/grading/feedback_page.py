"""nbgrader's own feedback page, rendered from a graded notebook (`graded_notebook`).

Rendering runs where the notebook was graded (a grading thread, a Dask
worker); `outputs.feedback` writes the pages into RESULTS.
"""

import functools
import re
from pathlib import Path

import nbgrader
from jinja2 import pass_context
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from traitlets.config import Config

_NBGRADER = Path(nbgrader.__file__).parent
_exporter = None


class _Remembered:
    """A rendering filter that remembers its results: most cells of a class's notebooks
    (the instructor's text, setup and tests) are the same in every notebook, and
    highlighting them is most of the rendering time."""

    def __init__(self, render):
        self.render = functools.lru_cache(maxsize=8192)(render)

    def __call__(self, source, language=None, metadata=None):
        return self.render(source, language)


class FeedbackExporter(HTMLExporter):
    """nbconvert's HTMLExporter minus its closing BeautifulSoup pass, with remembered
    highlighting and Markdown.

    That pass adds alt text to images and tab stops to JupyterLab-styled
    cells; nbgrader's (classic) feedback template has neither, and the pass
    costs four fifths of the rendering time.
    """

    # pygments lexer -> remembered highlighting (one exporter a process)
    _highlighters: dict[str | None, _Remembered] = {}

    @functools.lru_cache(maxsize=4096)  # noqa: B019  (one exporter per process)
    def _markdown(self, source):
        return HTMLExporter.markdown2html(self, {}, source)

    @pass_context
    def markdown2html(self, context, source):
        if context.get("cell", {}).get("attachments"):
            return HTMLExporter.markdown2html(self, context, source)
        return self._markdown(source)

    def from_notebook_node(self, nb, resources=None, **kw):
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        if lexer not in self._highlighters:
            self._highlighters[lexer] = _Remembered(
                Highlight2HTML(pygments_lexer=lexer, parent=self))
        self.register_filter("highlight_code", self._highlighters[lexer])
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


# nbconvert's template loads MathJax 2 from a CDN; feedback pages load the book's offline
# MathJax 3 from RESULTS/feedback/mathjax instead (two folders up from each page), and
# wrap long lines instead of scrolling sideways. A page handed back through nbgrader's
# exchange travels alone (release_feedback copies the HTML only), so where the offline
# copy is not beside it, the same MathJax release comes from the CDN, as in stock pages.
_MATHJAX_BLOCK = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->",
                            re.S)
MATHJAX_FILE = "tex-svg.js"
MATHJAX_CDN = f"https://cdn.jsdelivr.net/npm/mathjax@3.2.2/es5/{MATHJAX_FILE}"
_OFFLINE_HEAD = f"""<script>
window.MathJax = {{tex: {{inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]],
  displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]], processEscapes: true, tags: "ams"}}}};
function loadMathJaxFromCdn() {{
  const script = document.createElement("script");
  script.src = "{MATHJAX_CDN}";
  document.head.appendChild(script);
}}
</script>
<script id="MathJax-script" async src="../../mathjax/{MATHJAX_FILE}"
  onerror="loadMathJaxFromCdn()"></script>
<style>
div.output_area pre, div.output_text pre {{ white-space: pre-wrap; overflow-wrap: anywhere; }}
div.input_area pre {{ white-space: pre-wrap; overflow-wrap: anywhere; }}
</style>"""


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
    return _MATHJAX_BLOCK.sub(lambda _: _OFFLINE_HEAD, html, count=1)
