"""Find the notebooks to grade in what the instructor collected.

Two layouts are accepted:

- nbgrader's `submitted/` layout: `<student>/<assignment>/<notebook>.ipynb`;
- a flat folder of what students uploaded, as nbgrader's `zip_collect` takes
  it: `<student>.zip` (holding the notebooks at any depth), `<student>.ipynb`
  files named like an LMS export `..._<student>_attempt_<time>_<file>`, or
  zips named that way. The notebook's file name tells the assignment.
"""

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

LMS_NAME = re.compile(r".*_(?P<student_id>\w+?)_attempt_(?P<timestamp>[0-9\-]+)_(?P<file_id>.*)")
MAX_NOTEBOOK_BYTES = 20 << 20


class InstructorError(Exception):
    """A mistake in the command line or the folders: the only reason to exit non-zero."""


@dataclass
class Job:
    student: str
    assignment: str
    path: Path = None  # the notebook to grade; None when missing
    note: str = ""
    problem: str = ""  # "missing" or "invalid" when there is nothing to run


def _notebooks(folder):
    return sorted(p for p in folder.glob("*.ipynb") if p.is_file())


def from_submitted(root, known):
    jobs, ignored = [], []
    students = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    present = {a.name for s in students for a in s.iterdir() if a.is_dir() and a.name in known}
    for student in students:
        for folder in sorted(p for p in student.iterdir() if p.is_dir()):
            if folder.name not in known and not folder.name.startswith("."):
                ignored.append(f"{student.name}/{folder.name}")
        for assignment in sorted(present):
            folder = student / assignment
            expected = folder / f"{assignment}.ipynb"
            if not folder.is_dir():
                jobs.append(Job(student.name, assignment, problem="missing",
                                note=f"no {assignment} folder was submitted"))
            elif expected.is_file():
                jobs.append(Job(student.name, assignment, expected))
            elif _notebooks(folder):
                other = _notebooks(folder)[0]
                jobs.append(Job(student.name, assignment, other,
                                note=f"graded {other.name} in place of {expected.name}"))
            else:
                jobs.append(Job(student.name, assignment, problem="missing",
                                note=f"{expected.name} is not in the submission"))
    return jobs, ignored


def _assignment_of(name, known):
    stem = Path(name).stem
    for assignment in known:
        if stem == assignment or stem.endswith(assignment) or assignment in stem:
            return assignment
    return None


def from_uploads(root, known, staging):
    """Unpack uploads into staging/<student>/<assignment>/ and list the jobs."""
    jobs, ignored = [], []
    for upload in sorted(p for p in root.iterdir() if p.is_file()):
        match = LMS_NAME.match(upload.name)
        student = match["student_id"] if match else upload.stem.split("_")[0]
        if upload.suffix == ".zip":
            try:
                with zipfile.ZipFile(upload) as archive:
                    members = [m for m in archive.infolist() if m.filename.endswith(".ipynb")
                               and "__MACOSX" not in m.filename
                               and ".ipynb_checkpoints" not in m.filename]
                    for member in members:
                        assignment = _assignment_of(member.filename, known)
                        if assignment is None or member.file_size > MAX_NOTEBOOK_BYTES:
                            ignored.append(f"{upload.name}:{member.filename}")
                            continue
                        target = staging / student / assignment / f"{assignment}.ipynb"
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(archive.read(member))
                        jobs.append(Job(student, assignment, target))
                    if not members:
                        ignored.append(f"{upload.name} (no notebook inside)")
            except (zipfile.BadZipFile, OSError) as error:
                ignored.append(f"{upload.name} (not a readable zip file: {error})")
        elif upload.suffix == ".ipynb":
            assignment = _assignment_of(match["file_id"] if match else upload.name, known)
            if assignment is None:
                ignored.append(upload.name)
                continue
            jobs.append(Job(student, assignment, upload))
        else:
            ignored.append(upload.name)
    unique = {}
    for job in jobs:  # a later upload of the same notebook replaces an earlier one
        unique[(job.student, job.assignment)] = job
    return list(unique.values()), ignored


def collect(root, known, staging, only=None):
    root = Path(root)
    if not root.is_dir():
        raise InstructorError(f"the submissions folder {root} does not exist")
    if only:
        unknown = sorted(set(only) - set(known))
        if unknown:
            raise InstructorError(f"unknown assignment {', '.join(unknown)}; this course has "
                                  f"{', '.join(known)}")
        known = [a for a in known if a in only]
    if any(p.is_file() and p.suffix in (".zip", ".ipynb") for p in root.iterdir()):
        jobs, ignored = from_uploads(root, known, staging)
    else:
        jobs, ignored = from_submitted(root, known)
    if not jobs:
        raise InstructorError(
            f"no submissions of {', '.join(known)} were found in {root}; expected "
            "<student>/<assignment>/<assignment>.ipynb (nbgrader's submitted/ layout) or "
            "a folder of uploaded .zip/.ipynb files")
    return sorted(jobs, key=lambda j: (j.student, j.assignment)), ignored
