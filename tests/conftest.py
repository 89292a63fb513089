import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from autograder import authoring  # noqa: E402

SOURCE = authoring.SOURCE
EXERCISES = ROOT / "exercises"
SITE = ROOT / "_build" / "html"


def toc_pages():
    """The book's pages in reading order, from _toc.yml (paths without suffix)."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [chapter["file"] for chapter in part["chapters"]]
    return pages


@pytest.fixture(scope="session")
def course():
    from autograder.grade import Course

    return Course()
