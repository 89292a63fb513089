"""Every file of an uploads folder, zips opened, within bounds.

Zip members are streamed one at a time, each read only up to its limit
whatever size the archive claims, rather than extracted by nbgrader's
extractor, which unpacks everything to disk whatever its size or path. Only
what intake reads is kept (notebooks, and the CSV worksheets and text receipts
of `rosters.py`), under numbered names in a staging folder (a member's name is
never a path on disk). A download that holds more than MAX_MEMBERS files,
more than MAX_READ_BYTES to read, or a member compressed more than MAX_RATIO
times (a zip bomb) costs the files past the bound, each reported; never the
disk or the memory of the grading process.
"""

import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .jobs import MAX_NOTEBOOK_BYTES

MAX_ZIP_DEPTH = 3  # a bulk zip holding a student's zip holding a folder zip
MAX_MEMBERS = 20_000  # files in all zips together
MAX_READ_BYTES = 2 << 30  # bytes read out of zips and kept, in all
MAX_NESTED_ZIP_BYTES = 512 << 20  # a zip inside a zip, copied out to be opened
MAX_RATIO = 200  # uncompressed / compressed size of one member (notebooks: about 5 to 10)
KEPT = (".ipynb", ".csv", ".txt")
MACOS_FORKS = "__MACOSX/"
_UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
               NotImplementedError, RuntimeError)  # RuntimeError: encrypted


@dataclass
class UploadedFile:
    parts: tuple[str, ...]  # path from the uploads folder, a zip's members continuing it
    path: Path | None = None  # where its bytes are kept (KEPT kinds only)
    problem: str = ""  # why it cannot be read

    @property
    def where(self) -> str:
        return "/".join(self.parts)

    @property
    def is_notebook(self) -> bool:
        return self.parts[-1].lower().endswith(".ipynb")


def _hidden(parts):
    """Hidden files and folders (.ipynb_checkpoints, .git, .DS_Store) are no upload."""
    return any(part.startswith(".") for part in parts)


class Unpacker:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.count = 0  # files kept, and zips copied out
        self.members = 0
        self.read = 0

    def walk(self, root: Path) -> Iterator[UploadedFile]:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            parts = path.relative_to(root).parts
            if _hidden(parts):
                continue
            if path.suffix.lower() == ".zip":
                yield from self._unzip(parts, path, 1)
            elif path.stat().st_size > MAX_NOTEBOOK_BYTES:
                yield UploadedFile(parts, problem=f"larger than {MAX_NOTEBOOK_BYTES >> 20} MB")
            else:
                yield UploadedFile(parts, path if path.suffix.lower() in KEPT else None)

    def _unzip(self, parts, source, depth):
        try:
            with zipfile.ZipFile(source) as archive:
                for member in archive.infolist():
                    name = PurePosixPath(member.filename)
                    if member.is_dir() or member.filename.startswith(MACOS_FORKS) \
                            or _hidden(name.parts):
                        continue  # folders, macOS resource forks, checkpoints: no uploads
                    yield from self._member(archive, member, parts + name.parts, depth)
        except _UNREADABLE as error:
            yield UploadedFile(parts, problem=f"not a readable zip file ({error})")

    def _member(self, archive, member, parts, depth):
        self.members += 1
        suffix = PurePosixPath(parts[-1]).suffix.lower()
        nested = suffix == ".zip" and depth < MAX_ZIP_DEPTH
        cap = MAX_NESTED_ZIP_BYTES if nested else MAX_NOTEBOOK_BYTES
        if self.members > MAX_MEMBERS:
            yield UploadedFile(parts, problem=f"not read: the uploads hold more than "
                                              f"{MAX_MEMBERS} files")
        elif member.file_size > MAX_RATIO * max(member.compress_size, 1) \
                and member.file_size > 1 << 20:
            ratio = member.file_size // max(1, member.compress_size)
            yield UploadedFile(parts, problem=f"compressed {ratio} times (a zip bomb?)")
        elif member.file_size > cap:
            yield UploadedFile(parts, problem=f"larger than {cap >> 20} MB")
        elif not nested and suffix not in KEPT:
            yield UploadedFile(parts)  # not read: nothing intake takes from it
        elif self.read + member.file_size > MAX_READ_BYTES:
            yield UploadedFile(parts, problem=f"not read: the uploads hold more than "
                                              f"{MAX_READ_BYTES >> 30} GB to read")
        else:
            target = self._copy(archive, member, cap, suffix)
            if target is None:
                yield UploadedFile(parts, problem=f"larger than {cap >> 20} MB")
            elif nested:
                yield from self._unzip(parts, target, depth + 1)
                target.unlink()
            else:
                yield UploadedFile(parts, target)

    def _copy(self, archive, member, cap, suffix):
        """The member's bytes in a numbered file, streamed and cut at `cap` (the size
        an archive states may lie): its path, or None when it is larger."""
        self.count += 1
        target = self.folder / f"{self.count}{suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(member) as stream, open(target, "wb") as out:
            copied = _copy_at_most(stream, out, cap + 1)
        self.read += copied
        if copied > cap:
            target.unlink()
            return None
        return target


def _copy_at_most(stream, out, limit):
    copied = 0
    while copied < limit:
        chunk = stream.read(min(1 << 20, limit - copied))
        if not chunk:
            break
        out.write(chunk)
        copied += len(chunk)
    return copied
