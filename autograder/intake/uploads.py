"""A folder of LMS uploads, as nbgrader's `zip_collect` takes them: notebooks and zips
(at any depth, zips inside zips too), including one bulk "Download all submissions"
zip that holds a whole class.

Of several files for one student and assignment the latest counts: by
submission time when known, then by resubmission number, then by Canvas's
file id (Canvas numbers uploads in order). Every file that is not graded and
not an older attempt is reported with the reason; only hidden files
(`.DS_Store`, `.ipynb_checkpoints/`) and macOS's `__MACOSX/` copies are
passed over.
"""

import io
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from .jobs import MAX_NOTEBOOK_BYTES, Job
from .lms import Attempt, UploadedFile, assignment_of, lms_name, lms_time
from .nbgrader_config import Collector
from .rosters import Roster, is_student_id

MAX_ZIP_DEPTH = 3  # a bulk zip holding a student's zip holding a folder zip
MACOS_FORKS = "__MACOSX/"


class Unpacker:
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
                yield UploadedFile(parts, problem="larger than 20 MB")
            else:
                yield UploadedFile(parts, path)

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
                        yield UploadedFile(inner, problem="larger than 20 MB")
                    elif name.suffix.lower() == ".zip" and depth < MAX_ZIP_DEPTH:
                        yield from self._unzip(inner, io.BytesIO(archive.read(member)),
                                               depth + 1)
                    elif name.suffix.lower() in (".ipynb", ".csv", ".txt"):  # rosters.py's too
                        yield UploadedFile(inner, self._keep(archive.read(member), name.suffix))
                    else:
                        yield UploadedFile(inner)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            yield UploadedFile(parts, problem=f"not a readable zip file ({error})")

    def _keep(self, data, suffix):
        self.count += 1
        path = self.folder / f"{self.count}{suffix.lower()}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path


def _attribute(file, known, collector, bulk):
    """An Attempt, or the reason why the file cannot be attributed."""
    try:
        attempt = collector.attempt(file, known)
    except (ValueError, OverflowError) as error:
        return f"the configured pattern gave an unreadable time ({error})"
    if attempt is None:
        found = lms_name(file)
        if found:
            lms, groups, original = found
            assignment, resubmission = assignment_of(original, known)
            try:
                moment = lms_time(groups["timestamp"]) if groups.get("timestamp") else None
            except (ValueError, OverflowError):
                return f"its {lms} time {groups['timestamp']!r} is not a time"
            attempt = Attempt(file, groups["student_id"], assignment, original,
                               label=groups["label"], submitted_at=moment,
                               late=True if groups.get("late") else None,
                               resubmission=resubmission, upload=int(groups.get("upload") or 0),
                               lms=lms)
        elif len(file.parts) > 1 and file.parts[0] not in bulk:
            owner = PurePosixPath(file.parts[0])
            student = owner.stem if owner.suffix.lower() == ".zip" else owner.name
            original = file.parts[-1]
            assignment, resubmission = assignment_of(original, known)
            attempt = Attempt(file, student, assignment, original, label=student,
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
    collector = Collector(config)
    Path(staging).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=staging, prefix=".unpacked-") as unpacked:
        return _attempts_to_jobs(known, selected, staging, collector,
                                 list(Unpacker(unpacked).walk(root)))


def _attempts_to_jobs(known, selected, staging, collector, files):
    # A top-level zip or folder in which some file carries an LMS name is a bulk
    # download (Canvas's submissions.zip), never one student named like it.
    bulk = {f.parts[0] for f in files if len(f.parts) > 1 and lms_name(f)}
    roster, uploads = Roster(), []
    for file in files:
        if file.path is None or not roster.read(file.parts[-1], file.path):
            uploads.append(file)
    attempts: dict[tuple[str, str], list[Attempt]] = {}
    unattributed: list[str] = []
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
        assert latest.file.path is not None  # a notebook's bytes were kept (Unpacker)
        shutil.copyfile(latest.file.path, target)
        note = f"graded {latest.file.where}"
        if len(found) > 1:
            older = ", ".join(a.file.where for a in found[:-1])
            note += f", the latest of {len(found)} attempts (older: {older})"
        jobs.append(Job(student, assignment, target, note, label=latest.label,
                        submitted_at=latest.submitted_at, late=latest.late))
    return jobs, unattributed, lms == {"Canvas"}, roster.notes()


# -- the command's entry point -----------------------------------------------------------
