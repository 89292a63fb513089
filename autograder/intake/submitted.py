"""nbgrader's own layouts: a course root and its `submitted/<student>/<assignment>/`."""

from ..contract import Status
from .jobs import Job, parse_time

COURSE_FILES = ("nbgrader_config.py", "gradebook.db")
COURSE_FOLDERS = ("source", "release", "autograded", "feedback")


def is_course_root(folder):
    has_files = any((folder / name).is_file() for name in COURSE_FILES)
    has_folders = any((folder / name).is_dir() for name in COURSE_FOLDERS)
    return has_files or (has_folders and (folder / "submitted").is_dir())


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
        return parse_time(text), ""
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
