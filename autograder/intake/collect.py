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
from .submitted import COURSE_FOLDERS, from_submitted, is_course_root
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
    _refuse_what_is_not_submissions(root, known)
    notes = []
    course = course_of(root)
    if course == root:
        if not (root / "submitted").is_dir():
            raise InstructorError(
                f"{root} is an nbgrader course folder without a submitted/ folder; pass "
                "the folder of submissions (run `nbgrader collect` or `nbgrader zip_collect` "
                "first)")
        root = root / "submitted"
        notes.append(f"graded {root}, the submitted/ folder of the nbgrader course {course}")
    config = config_of(course, config)
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
                      config, canvas_ids, notes, course)


def course_of(root: Path) -> Path | None:
    """The nbgrader course `root` is (its root) or is the submitted/ folder of, if any."""
    if is_course_root(root):
        return root
    if root.name == "submitted" and is_course_root(root.parent):
        return root.parent
    return None


def config_of(course: Path | None, config=None) -> Path | None:
    """The nbgrader_config.py given, else the course's own, if any."""
    if config is None and course is not None and (course / "nbgrader_config.py").is_file():
        config = course / "nbgrader_config.py"
    return Path(config) if config else None


def _refuse_what_is_not_submissions(root, known):
    """An nbgrader course's other folders, or this command's results, given where the
    submissions were expected: the instructor's mistake, named."""
    course_folder = root.name in COURSE_FOLDERS and is_course_root(root.parent)
    notebooks_by_assignment = [a for a in known if (root / a / f"{a}.ipynb").is_file()]
    if course_folder or notebooks_by_assignment:
        raise InstructorError(
            f"{root} holds the course's own notebooks (<assignment>/<notebook>.ipynb, as "
            f"nbgrader's {root.name if course_folder else 'source/ or release/'} folder "
            "does), not students' submissions: give the course folder, its submitted/ "
            "folder, or a folder of uploads")
    if (root / ".state").is_dir() or (root / "grades.csv").is_file():
        raise InstructorError(f"{root} is a results folder of this command, not "
                              "submissions: give the folder the submissions are in")
