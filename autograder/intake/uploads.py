"""A folder of uploads, as nbgrader's `zip_collect` takes them: notebooks and zips, at
any depth, zips inside zips too, including one bulk "Download all submissions" zip
that holds a whole class.

Who a file belongs to, and when it came, is read only where the LMS (or the
instructor) wrote names, never inside a student's own upload:

- the uploads folder's own entries, which the instructor put there: a file or
  a student's zip or folder named by an LMS (extracted from its download), a
  bulk download (a zip or folder whose entries an LMS named: its *layer*), or
  a zip or folder the instructor named after a student (`alice.zip`);
- the entries of a bulk download, each a student's file, zip or folder.

Which LMS wrote the names is decided for the download as a whole (the naming
scheme that reads the most of its names: the course's configured pattern,
Canvas, Moodle or Blackboard), and only that scheme reads them; a name it does
not read is reported, never tried with another. Where a folder of uploads
holds both bulk downloads and folders named after students, a zip that looks
like a bulk download cannot be told from a student's zip made to look like
one: it is reported. Names below the layer (inside a student's zip or folder)
only tell which notebook it is. Rosters (`rosters.py`) are read only in the
layer too.

Of several files for one student and assignment the latest counts: by
submission time when known, then by resubmission number, then by Canvas's
file id (Canvas numbers uploads in order). Every file that is not graded and
not an older attempt is reported with the reason; only hidden files
(`.DS_Store`, `.ipynb_checkpoints/`) and macOS's `__MACOSX/` copies are
passed over.
"""

import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from .jobs import Job
from .lms import Owner, assignment_of, read_name, schemes_of, with_extension
from .names import is_student_id, student_folder
from .nbgrader_config import Collector
from .rosters import Roster
from .unpack import Unpacker, UploadedFile

NO_OWNER = "no student id in its name (not a Canvas, Moodle or Blackboard name, nor the " \
           "configured pattern)"


@dataclass
class Attempt:
    file: UploadedFile
    owner: Owner
    assignment: str
    resubmission: int = 0

    @property
    def order(self):
        """Later attempts sort last."""
        moment = self.owner.submitted_at or datetime.min.replace(tzinfo=UTC)
        return (moment, self.resubmission, self.owner.upload, self.file.where)


class Layer:
    """Where the names of an uploads folder are the LMS's or the instructor's."""

    def __init__(self, files: list[UploadedFile], collector: Collector):
        self.collector = collector
        entries = {f.parts[0] for f in files if len(f.parts) > 1}  # top-level zips, folders
        self.roots = {entry: sorted({f.parts[1] for f in files
                                     if len(f.parts) > 1 and f.parts[0] == entry})
                      for entry in entries}
        top = sorted({f.parts[0] for f in files})
        self.scheme = self._scheme(top + [f"{e}/{n}" for e in entries for n in self.roots[e]])
        self.bulk: set[str] = set()
        self.per_student: set[str] = set()
        self.ambiguous: set[str] = set()
        for entry in entries:
            if self._reads((entry,)):
                continue  # itself a student's zip or folder, named by the LMS
            named = [n for n in self.roots[entry] if self._reads((entry, n))]
            (self.bulk if named else self.per_student).add(entry)
        if self.bulk and self.per_student:  # a student's zip may pose as a bulk download
            self.ambiguous, self.bulk = self.bulk, set()

    def _scheme(self, paths):
        """The naming scheme that reads the most of these paths' last names."""
        if self.collector.plugin is not None:
            if any(self._configured(path) for path in paths):
                return "pattern"
        votes = Counter(s for path in paths for s in schemes_of(PurePosixPath(path).name))
        ranked = votes.most_common(2)
        if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
            return None  # no LMS wrote these names, or two did as much: none is guessed
        return ranked[0][0]

    def _configured(self, path):
        try:
            return self.collector.owner(path) is not None
        except (ValueError, OverflowError):
            return True  # the pattern read it; its time is reported with the file

    def _reads(self, parts):
        try:
            return self.owner(parts) is not None
        except (ValueError, OverflowError):
            return True

    def owner(self, parts: tuple[str, ...]) -> Owner | None:
        """What the download's scheme reads in the layer name at the end of `parts`
        (ValueError: an unreadable time)."""
        if self.scheme == "pattern":
            return self.collector.owner("/".join(parts))
        return read_name(self.scheme, parts[-1]) if self.scheme else None

    def place(self, file: UploadedFile) -> tuple[tuple[str, ...], str]:
        """(the parts of the layer name that owns `file`, how to read it): `scheme`, or
        `folder` for a container the instructor named after a student; `()` and the
        reason when nothing may own it."""
        first = file.parts[:1]
        if len(file.parts) == 1 or first[0] not in self.roots:
            return first, "scheme"
        if first[0] in self.ambiguous:
            return (), ("it is in a zip or folder whose entries carry LMS names beside "
                        "folders named after students: a bulk download, or a student's "
                        "upload made to look like one? Unpack it on its own")
        if first[0] in self.bulk:
            return file.parts[:2], "scheme"
        if first[0] in self.per_student:
            return first, "folder"
        return first, "scheme"  # the container's own name is the LMS's


def _attribute(file, layer, known, roster):
    """An Attempt, or the reason why the file cannot be attributed."""
    parts, how = layer.place(file)
    if not parts:
        return how
    name = parts[-1]
    if how == "folder":
        student = PurePosixPath(name).stem if name.lower().endswith(".zip") else name
        owner = Owner(student, "folder", student)
    else:
        try:
            owner = layer.owner(parts)
        except (ValueError, OverflowError) as error:
            return f"its name {name!r} holds a time that is not one ({error})"
        if owner is None:
            return NO_OWNER
        roster.identify(owner, name)
    if not file.is_notebook:
        return "not a notebook"
    # The name the student gave the notebook: the layer's when the layer names the file.
    original = with_extension(owner.original, name) if parts == file.parts \
        else file.parts[-1]
    assignment, resubmission = assignment_of(original, known)
    if assignment is None:
        return f"its name {original!r} does not name an assignment of this course " \
               f"({', '.join(known)})"
    if not is_student_id(owner.student):
        return f"{owner.student!r} cannot be a student id"
    return Attempt(file, owner, assignment, resubmission)


def from_uploads(root, known, selected, staging, config):
    collector = Collector(config)
    Path(staging).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=staging, prefix=".unpacked-") as unpacked:
        files = list(Unpacker(Path(unpacked)).walk(root))
        return _attempts_to_jobs(known, selected, staging, Layer(files, collector), files)


def _attempts_to_jobs(known, selected, staging, layer, files):
    roster, uploads = Roster(), []
    for file in files:  # rosters: only where the LMS wrote names, never in a student's zip
        parts, how = layer.place(file)
        if not (file.path is not None and parts == file.parts and how == "scheme"
                and roster.read(file.parts[-1], file.path)):
            uploads.append(file)
    attempts: dict[tuple[str, str], list[Attempt]] = {}
    unattributed: list[str] = []
    for file in uploads:
        outcome = file.problem or _attribute(file, layer, known, roster)
        if isinstance(outcome, str):
            unattributed.append(f"{file.where}: {outcome}")
        elif outcome.assignment in selected:
            key = (outcome.owner.student, outcome.assignment)
            attempts.setdefault(key, []).append(outcome)
    jobs = []
    for (student, assignment), found in sorted(attempts.items()):
        found.sort(key=lambda a: a.order)
        latest = found[-1]
        target = Path(staging) / student_folder(student) / assignment / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        assert latest.file.path is not None  # a notebook's bytes were kept (Unpacker)
        shutil.copyfile(latest.file.path, target)
        note = f"graded {latest.file.where}"
        if len(found) > 1:
            older = ", ".join(a.file.where for a in found[:-1])
            note += f", the latest of {len(found)} attempts (older: {older})"
        owner = latest.owner
        jobs.append(Job(student, assignment, target, note, label=owner.label,
                        submitted_at=owner.submitted_at, late=owner.late))
    canvas_ids = bool(jobs) and layer.scheme == "Canvas" and not any(
        a.owner.scheme != "Canvas" for found in attempts.values() for a in found)
    return jobs, unattributed, canvas_ids, roster.notes()
