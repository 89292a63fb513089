"""Find the notebooks to grade in what the instructor collected.

Three kinds of folder are accepted:

- nbgrader's `submitted/` layout, `<student>/<assignment>/<notebook>.ipynb`,
  with nbgrader's `timestamp.txt` beside the notebook (`submitted.py`);
- an nbgrader course root (`submitted/` beside `source/`, `release/`,
  `nbgrader_config.py`, `gradebook.db`, ...): its `submitted/` is graded,
  never `source/`, `release/` or `autograded/`;
- a folder of LMS uploads, as nbgrader's `zip_collect` takes them
  (`uploads.py`, the LMS names in `lms.py`); Moodle's and Blackboard's ids
  are then corrected by what the LMS hands out beside the uploads
  (`rosters.py`); the instructor's own pattern, nbgrader's
  `FileNameCollectorPlugin` or any `c.ZipCollectApp.collector_plugin`, is read
  from the course's `nbgrader_config.py` (`nbgrader_config.py`) and tried
  before the LMS names; failing all these, a zip or folder at the top of the
  uploads folder whose contents carry no LMS name is one student's, named
  like it (`alice.zip`).
"""

from pathlib import Path

from ..errors import InstructorError
from .jobs import Collection
from .nbgrader_config import importable_beside, read_config
from .submitted import from_submitted, is_course_root
from .uploads import from_uploads


def collect(root, known, staging, only=None, config=None):
    """The notebooks to grade under `root`, for the assignments `known` (or `only` those).

    `config` is the course's nbgrader_config.py; by default the one of the
    course root (`root` itself, or the folder holding `root` when it is a
    course's `submitted/`).
    """
    root = Path(root)
    if not root.is_dir():
        raise InstructorError(f"the submissions folder {root} does not exist")
    known = list(known)
    if only:
        unknown = sorted(set(only) - set(known))
        if unknown:
            raise InstructorError(f"unknown assignment {', '.join(unknown)}; this course has "
                                  f"{', '.join(known)}")
    selected = [a for a in known if not only or a in only]
    notes = []
    if is_course_root(root):
        if not (root / "submitted").is_dir():
            raise InstructorError(
                f"{root} is an nbgrader course folder without a submitted/ folder; pass "
                "the folder of submissions (run `nbgrader collect` or `nbgrader zip_collect` "
                "first)")
        course, root = root, root / "submitted"
        notes.append(f"graded {root}, the submitted/ folder of the nbgrader course {course}")
    elif root.name == "submitted" and is_course_root(root.parent):
        course = root.parent
    else:
        course = None
    if config is None and course is not None and (course / "nbgrader_config.py").is_file():
        config = course / "nbgrader_config.py"
    config = Path(config) if config else None
    settings = read_config(config) if config else {}
    canvas_ids = False
    if any((s / a).is_dir() for s in root.iterdir() if s.is_dir() for a in known):
        jobs, unattributed = from_submitted(root, known, selected)
    else:
        with importable_beside(config):
            jobs, unattributed, canvas_ids, upload_notes = from_uploads(
                root, known, selected, staging, settings)
        notes += upload_notes
    if not jobs:
        raise InstructorError(
            f"no submissions of {', '.join(selected)} were found in {root}; expected "
            "<student>/<assignment>/<assignment>.ipynb (nbgrader's submitted/ layout) or "
            "a folder of uploaded .zip/.ipynb files"
            + ("" if not unattributed else f" ({len(unattributed)} files could not be "
               f"attributed, e.g. {unattributed[0]})"))
    return Collection(sorted(jobs, key=lambda j: (j.student, j.assignment)), unattributed,
                      config, canvas_ids, notes)
