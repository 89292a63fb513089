"""Find the notebooks to grade in what the instructor collected.

Three kinds of folder are accepted:

- nbgrader's `submitted/` layout, `<student>/<assignment>/<notebook>.ipynb`,
  with nbgrader's `timestamp.txt` beside the notebook;
- an nbgrader course root (`submitted/` beside `source/`, `release/`,
  `nbgrader_config.py`, `gradebook.db`, ...): its `submitted/` is graded,
  never `source/`, `release/` or `autograded/`;
- a folder of LMS uploads, as nbgrader's `zip_collect` takes them: notebooks
  and zips (at any depth, zips inside zips too), including one bulk
  "Download all submissions" zip that holds a whole class.

In uploads the student is the LMS's unique id, read from the file's name or
from the name of the folder or zip holding it (innermost first):

- Canvas: `name_[late_]userid_fileid_original`; a resubmitted file's original
  name gets `-1`, `-2` before its extension;
- Moodle: `Full Name_12345_assignsubmission_file_original`, or a folder of
  that name per student;
- Blackboard: `Assignment_username_attempt_YYYY-MM-DD-HH-MM-SS_original`;
- Moodle's and Blackboard's ids are then corrected by what the LMS hands out
  beside the uploads (`rosters.py`): Moodle's grading worksheets (its numbers
  change from one assignment to the next) and Blackboard's receipts (a
  username may hold an underscore);
- the instructor's own pattern, nbgrader's `FileNameCollectorPlugin`
  (`c.FileNameCollectorPlugin.named_regexp`, groups `student_id`, `file_id`,
  optionally `timestamp`) or any `c.ZipCollectApp.collector_plugin`, read
  from the course's `nbgrader_config.py`; it is tried before the LMS names
  and given each file's path relative to the uploads folder (a zip's members
  as `archive.zip/member`);
- failing all these, a zip or folder at the top of the uploads folder whose
  contents carry no LMS name is one student's, named like it (`alice.zip`).

The notebook's original name tells the assignment (`01_recurrence.ipynb`,
`01_recurrence-1.ipynb`, `Copy of 01_recurrence.ipynb`). Of several files
for one student and assignment the latest counts: by submission time when
known, then by resubmission number, then by Canvas's file id (Canvas numbers
uploads in order). Times are read by nbgrader's `parse_utc`; Blackboard's
have no zone and are taken as UTC, as `zip_collect` takes them.
Every file that is not graded and not an older attempt is listed in
`Collection.unattributed` with the reason; only hidden files (`.DS_Store`,
`.ipynb_checkpoints/`) and macOS's `__MACOSX/` copies are passed over.
"""

import io
import logging
import re
import shutil
import sys
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from .rosters import Roster, is_student_id
from .status import Status

MAX_NOTEBOOK_BYTES = 20 << 20
MAX_ZIP_DEPTH = 3  # a bulk zip holding a student's zip holding a folder zip
COURSE_FILES = ("nbgrader_config.py", "gradebook.db")
COURSE_FOLDERS = ("source", "release", "autograded", "feedback")

# LMS naming conventions, in nbgrader's named-group vocabulary (student_id,
# file_id, timestamp) plus `label` (the name, for humans), `late` and
# `upload` (Canvas's file id). Tried in this order: Canvas's shape is the
# loosest, so the names with a fixed word (`_attempt_`, `_assignsubmission_`)
# go first.
LMS_NAMES = (
    ("Blackboard", re.compile(
        r"(?P<label>.+)_(?P<student_id>[^_]+)_attempt_"
        r"(?P<timestamp>\d{4}(?:-\d\d){2,5})(?:_(?P<file_id>.+)|\.txt)?$")),  # .txt: receipt
    ("Moodle", re.compile(
        r"(?P<label>.+?)_(?P<student_id>\d+)_assignsubmission_[a-z]+_(?P<file_id>.*)$")),
    ("Canvas", re.compile(
        r"(?P<label>[^_]+)_(?:(?P<late>late)_)?(?P<student_id>\d+)_(?P<upload>\d+)_"
        r"(?P<file_id>.+)$")),
)
RESUBMISSION = re.compile(r"^(?P<stem>.*?)-(?P<n>\d+)$")
COPY_PREFIX = re.compile(r"^(copy of |copy_of_)+", re.IGNORECASE)
MACOS_FORKS = "__MACOSX/"


class InstructorError(Exception):
    """A mistake in the command line or the folders: the only reason to exit non-zero."""


@dataclass
class Job:
    student: str  # the LMS's unique id, or nbgrader's folder name in submitted/
    assignment: str
    path: Path = None  # the notebook to grade; None when there is nothing to run
    note: str = ""  # a sentence for the instructor
    problem: str = ""  # Status.MISSING or Status.INVALID when there is nothing to run
    label: str = ""  # the name the LMS gave, for humans
    submitted_at: datetime = None  # timezone-aware UTC, when known
    late: bool = None  # True when the LMS marked the upload late


@dataclass
class Collection:
    jobs: list  # sorted by (student, assignment)
    unattributed: list = field(default_factory=list)  # "file: why it was not graded"
    # The course's nbgrader_config.py: the one passed in, else the course root's.
    config: Path = None
    # True when every student id came from Canvas names, so that it is Canvas's
    # user id (the `ID` column of its gradebook CSV) and not a login.
    canvas_ids: bool = False
    notes: list = field(default_factory=list)  # sentences about the collection as a whole


def read_config(path):
    """The traitlets Config of an nbgrader_config.py, read as nbgrader reads it."""
    from traitlets.config.loader import PyFileConfigLoader

    path = Path(path)
    if not path.is_file():
        raise InstructorError(f"the nbgrader configuration {path} does not exist")
    try:
        return PyFileConfigLoader(path.name, str(path.parent)).load_config()
    except Exception as error:  # the instructor's Python: any error is theirs to fix
        raise InstructorError(f"{path} could not be read: {type(error).__name__}: "
                              f"{error}") from error


@contextmanager
def importable_beside(config):
    """Let the config name plugin modules kept beside it, as nbgrader (run there) finds them."""
    folder = str(config.parent.resolve()) if config else None
    if folder:
        sys.path.insert(0, folder)
    try:
        yield
    finally:
        if folder:
            sys.path.remove(folder)


def _course_root(folder):
    has_files = any((folder / name).is_file() for name in COURSE_FILES)
    has_folders = any((folder / name).is_dir() for name in COURSE_FOLDERS)
    return has_files or (has_folders and (folder / "submitted").is_dir())


def _timestamp(text):
    """nbgrader's parsing of a submission time, as an aware UTC datetime."""
    from nbgrader.utils import parse_utc

    return parse_utc(text).replace(tzinfo=UTC)


# -- nbgrader's submitted/ layout ------------------------------------------------------


def _notebooks(folder):
    return sorted(p for p in folder.glob("*.ipynb") if p.is_file())


def _read_timestamp(folder):
    """(time or None, a note): nbgrader's timestamp.txt beside the notebook."""
    stamp = folder / "timestamp.txt"
    if not stamp.is_file():
        return None, ""
    text = stamp.read_text(errors="replace").strip()
    if not text:
        return None, "its timestamp.txt is empty"
    try:
        return _timestamp(text), ""
    except (ValueError, OverflowError):
        return None, f"its timestamp.txt ({text[:40]!r}) is not a time nbgrader can read"


def from_submitted(root, known, selected):
    jobs, unattributed = [], []
    students = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    unattributed += [f"{p.name}: not a student folder (<student>/<assignment>/)"
                     for p in sorted(root.iterdir()) if p.is_file()
                     and not p.name.startswith(".")]
    present = {a.name for s in students for a in s.iterdir() if a.is_dir() and a.name in selected}
    for student in students:
        for entry in sorted(student.iterdir()):
            if entry.name.startswith(".") or entry.name in known:
                continue
            reason = "not an assignment of this course" if entry.is_dir() \
                else "not inside an assignment folder"
            unattributed.append(f"{student.name}/{entry.name}: {reason}")
        for assignment in sorted(present):
            folder = student / assignment
            expected = folder / f"{assignment}.ipynb"
            job = Job(student.name, assignment)
            if folder.is_dir():
                job.submitted_at, job.note = _read_timestamp(folder)
            if not folder.is_dir():
                job.problem, job.note = Status.MISSING, f"no {assignment} folder was submitted"
            elif expected.is_file():
                job.path = expected
            elif _notebooks(folder):
                job.path = _notebooks(folder)[0]
                job.note = _sentence(f"graded {job.path.name} in place of {expected.name}",
                                     job.note)
            else:
                job.problem = Status.MISSING
                job.note = _sentence(f"{expected.name} is not in the submission", job.note)
            jobs.append(job)
    return jobs, unattributed


def _sentence(*parts):
    return "; ".join(p for p in parts if p)


# -- uploads ---------------------------------------------------------------------------


@dataclass
class _File:
    parts: tuple  # path from the uploads folder, a zip's members continuing it
    path: Path = None  # where a notebook's bytes are on disk (zip members: unpacked)
    problem: str = ""  # why it cannot be read

    @property
    def where(self):
        return "/".join(self.parts)

    @property
    def is_notebook(self):
        return self.parts[-1].lower().endswith(".ipynb")


class _Unpacker:
    """Every file under the uploads folder, zips opened (to MAX_ZIP_DEPTH).

    Zip members are read in memory one at a time, each within the size limit,
    rather than by nbgrader's extractor, which unpacks everything to disk
    whatever its size or path. Only notebooks are kept, in `folder`, so that a
    class's bulk download never has to fit in memory.
    """

    def __init__(self, folder):
        self.folder = Path(folder)
        self.count = 0

    def walk(self, root):
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            parts = path.relative_to(root).parts
            if any(part.startswith(".") for part in parts):
                continue  # hidden files and folders (.ipynb_checkpoints, .git) are no upload
            if path.suffix.lower() == ".zip":
                yield from self._unzip(parts, path, 1)
            elif path.stat().st_size > MAX_NOTEBOOK_BYTES:
                yield _File(parts, problem="larger than 20 MB")
            else:
                yield _File(parts, path)

    def _unzip(self, parts, source, depth):
        try:
            with zipfile.ZipFile(source) as archive:
                for member in archive.infolist():
                    name = PurePosixPath(member.filename)
                    inner = parts + name.parts
                    if member.is_dir() or member.filename.startswith(MACOS_FORKS) \
                            or any(p.startswith(".") for p in name.parts):
                        continue  # folders, macOS resource forks, checkpoints: no uploads
                    if member.file_size > MAX_NOTEBOOK_BYTES:
                        yield _File(inner, problem="larger than 20 MB")
                    elif name.suffix.lower() == ".zip" and depth < MAX_ZIP_DEPTH:
                        yield from self._unzip(inner, io.BytesIO(archive.read(member)),
                                               depth + 1)
                    elif name.suffix.lower() in (".ipynb", ".csv", ".txt"):  # rosters.py's too
                        yield _File(inner, self._keep(archive.read(member), name.suffix))
                    else:
                        yield _File(inner)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            yield _File(parts, problem=f"not a readable zip file ({error})")

    def _keep(self, data, suffix):
        self.count += 1
        path = self.folder / f"{self.count}{suffix.lower()}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path


@dataclass
class _Attempt:
    file: _File
    student: str
    assignment: str
    original: str  # the notebook's name as the student uploaded it
    label: str = ""
    submitted_at: datetime = None
    late: bool = None
    resubmission: int = 0
    upload: int = 0  # Canvas's file id
    lms: str = ""

    @property
    def order(self):
        """Later attempts sort last."""
        moment = self.submitted_at or datetime.min.replace(tzinfo=UTC)
        return (moment, self.resubmission, self.upload, self.file.where)


def _assignment_of(original, known):
    """(assignment or None, resubmission number) from a notebook's original name."""
    stem = COPY_PREFIX.sub("", PurePosixPath(original).stem).strip()
    resubmission = 0
    again = RESUBMISSION.match(stem)
    if again and any(a in again["stem"] for a in known):
        stem, resubmission = again["stem"], int(again["n"])
    if stem in known:
        return stem, resubmission
    inside = [a for a in known if a in stem]
    return (inside[0] if len(inside) == 1 else None), resubmission


def _lms_time(text):
    """Blackboard's 2026-03-01-12-30-45, read as 2026-03-01 12:30:45 UTC.

    Given as it is, nbgrader's parse_utc (dateutil) takes the trailing -45 for a
    time zone, and fails or shifts the time.
    """
    fields = text.split("-")
    return _timestamp(" ".join(["-".join(fields[:3]), ":".join(fields[3:])]).strip())


def _with_extension(file_id, file):
    # nbgrader's zip_collect keeps the file's own extension when file_id has none.
    name = PurePosixPath(file_id or file.parts[-1]).name
    return name if PurePosixPath(name).suffix else name + PurePosixPath(file.parts[-1]).suffix


def _lms_name(file):
    """(LMS, groups, original name) from the innermost name that follows an LMS's naming."""
    last = len(file.parts) - 1
    for depth in range(last, -1, -1):
        name = file.parts[depth]
        for lms, pattern in LMS_NAMES:
            match = pattern.match(name)
            # Only containers an LMS names: an uploaded zip, or Moodle's folder per
            # student (`..._assignsubmission_file_`), not any folder that looks alike.
            if match and (depth == last or name.lower().endswith(".zip")
                          or (lms == "Moodle" and not match["file_id"])):
                # A container's name says whose it is; the notebook inside keeps its name.
                file_id = match["file_id"] if depth == last else ""
                return lms, match.groupdict(), _with_extension(file_id, file)
    return None


class _Collector:
    """The instructor's zip_collect pattern or collector plugin from nbgrader_config.py."""

    def __init__(self, config):
        from nbgrader.plugins.zipcollect import FileNameCollectorPlugin
        from traitlets.utils.importstring import import_item

        configured = config.get("ZipCollectApp", {}).get("collector_plugin")
        plugin_class = FileNameCollectorPlugin
        if configured:  # a class, or an importable name as nbgrader's Type trait takes it
            plugin_class = import_item(configured) if isinstance(configured, str) else configured
        elif not config.get("FileNameCollectorPlugin", {}).get("named_regexp"):
            self.plugin = None
            return
        # nbgrader's plugin warns of every name its pattern does not match: not news here,
        # where the names it does not match are tried against the LMS conventions.
        quiet = logging.getLogger("autograder.collect")
        quiet.setLevel(logging.ERROR)
        self.plugin = plugin_class(config=config, log=quiet)

    def attempt(self, file, known):
        if self.plugin is None:
            return None
        info = self.plugin.collect(file.where)
        if not info or not info.get("student_id"):
            return None
        original = _with_extension(info.get("file_id"), file)
        assignment, resubmission = _assignment_of(original, known)
        moment = info.get("timestamp")
        if isinstance(moment, str):
            moment = _timestamp(moment) if moment.strip() else None
        return _Attempt(file, str(info["student_id"]), assignment, original,
                        label=" ".join(filter(None, (info.get("first_name"),
                                                     info.get("last_name")))),
                        submitted_at=moment,
                        resubmission=resubmission, lms="pattern")


def _attribute(file, known, collector, bulk):
    """An _Attempt, or the reason why the file cannot be attributed."""
    try:
        attempt = collector.attempt(file, known)
    except (ValueError, OverflowError) as error:
        return f"the configured pattern gave an unreadable time ({error})"
    if attempt is None:
        found = _lms_name(file)
        if found:
            lms, groups, original = found
            assignment, resubmission = _assignment_of(original, known)
            try:
                moment = _lms_time(groups["timestamp"]) if groups.get("timestamp") else None
            except (ValueError, OverflowError):
                return f"its {lms} time {groups['timestamp']!r} is not a time"
            attempt = _Attempt(file, groups["student_id"], assignment, original,
                               label=groups["label"], submitted_at=moment,
                               late=True if groups.get("late") else None,
                               resubmission=resubmission, upload=int(groups.get("upload") or 0),
                               lms=lms)
        elif len(file.parts) > 1 and file.parts[0] not in bulk:
            owner = PurePosixPath(file.parts[0])
            student = owner.stem if owner.suffix.lower() == ".zip" else owner.name
            original = file.parts[-1]
            assignment, resubmission = _assignment_of(original, known)
            attempt = _Attempt(file, student, assignment, original, label=student,
                               resubmission=resubmission)
        else:
            return "no student id in its name (not a Canvas, Moodle or Blackboard name, " \
                   "nor the configured pattern)"
    if not file.is_notebook:
        return "not a notebook"
    if attempt.assignment is None:
        return f"its name {attempt.original!r} does not name an assignment of this course " \
               f"({', '.join(known)})"
    if not is_student_id(attempt.student):
        return f"{attempt.student!r} cannot be a student id"
    return attempt


def from_uploads(root, known, selected, staging, config):
    collector = _Collector(config)
    Path(staging).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=staging, prefix=".unpacked-") as unpacked:
        return _attempts_to_jobs(known, selected, staging, collector,
                                 list(_Unpacker(unpacked).walk(root)))


def _attempts_to_jobs(known, selected, staging, collector, files):
    # A top-level zip or folder in which some file carries an LMS name is a bulk
    # download (Canvas's submissions.zip), never one student named like it.
    bulk = {f.parts[0] for f in files if len(f.parts) > 1 and _lms_name(f)}
    roster, uploads = Roster(), []
    for file in files:
        if file.path is None or not roster.read(file.parts[-1], file.path):
            uploads.append(file)
    attempts, unattributed = {}, []
    for file in uploads:
        outcome = file.problem or _attribute(file, known, collector, bulk)
        if isinstance(outcome, str):
            unattributed.append(f"{file.where}: {outcome}")
            continue
        roster.identify(outcome)
        if outcome.assignment in selected:
            attempts.setdefault((outcome.student, outcome.assignment), []).append(outcome)
    jobs, lms = [], set()
    for (student, assignment), found in sorted(attempts.items()):
        found.sort(key=lambda a: a.order)
        latest = found[-1]
        lms.add(latest.lms)
        target = Path(staging) / student / assignment / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(latest.file.path, target)
        note = f"graded {latest.file.where}"
        if len(found) > 1:
            older = ", ".join(a.file.where for a in found[:-1])
            note += f", the latest of {len(found)} attempts (older: {older})"
        jobs.append(Job(student, assignment, target, note, label=latest.label,
                        submitted_at=latest.submitted_at, late=latest.late))
    return jobs, unattributed, lms == {"Canvas"}, roster.notes()


# -- the command's entry point -----------------------------------------------------------


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
    if _course_root(root):
        if not (root / "submitted").is_dir():
            raise InstructorError(
                f"{root} is an nbgrader course folder without a submitted/ folder; pass "
                "the folder of submissions (run `nbgrader collect` or `nbgrader zip_collect` "
                "first)")
        course, root = root, root / "submitted"
        notes.append(f"graded {root}, the submitted/ folder of the nbgrader course {course}")
    elif root.name == "submitted" and _course_root(root.parent):
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
