"""RESULTS/feedback: nbgrader's feedback folder, one page per graded notebook.

`<student>/<assignment>/<assignment>.html` beside the files `nbgrader
release_feedback` reads, and the offline MathJax the pages load.
"""

import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path

from ..grading.feedback_page import MATHJAX_FILE
from .files import write_atomic


def install_mathjax(feedback_dir):
    """Copy the offline MathJax the book uses beside the feedback pages, once."""
    target = Path(feedback_dir) / "mathjax" / MATHJAX_FILE
    if target.is_file():
        return
    from importlib.metadata import files

    source = next(f for f in files("sphinx-mathjax-offline") or ()
                  if f.name == MATHJAX_FILE and f.parent.name == "mathjax")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source.locate(), target)


def write_page(out: Path, result, job) -> None:
    """The feedback page of one graded notebook and its exchange files."""
    install_mathjax(out / "feedback")
    folder = out / "feedback" / result.student / result.assignment
    write_atomic(folder / f"{result.assignment}.html", result.feedback_html)
    write_exchange_files(folder, job)


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
            write_atomic(folder / name, source.read_text())
        elif name == "timestamp.txt":
            moment = job.submitted_at or datetime.now(UTC)
            write_atomic(folder / name,
                         moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
        else:
            write_atomic(folder / name, secrets.token_hex(16))
