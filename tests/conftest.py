import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from autograder import authoring  # noqa: E402

SOURCE = authoring.SOURCE
EXERCISES = ROOT / "exercises"


@pytest.fixture(scope="session")
def course():
    from autograder.grade import Course

    return Course()
