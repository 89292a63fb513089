"""The course's nbgrader_config.py, read as nbgrader reads it, and its collector plugin."""

import logging
import sys
from contextlib import contextmanager
from pathlib import Path

from ..errors import InstructorError
from .jobs import parse_time
from .lms import Owner


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


def course_gradebook(course: Path | None, config: Path | None, settings) -> Path | None:
    """The sqlite file of the course's gradebook, as nbgrader finds it: the configured
    `c.CourseDirectory.db_url`, else gradebook.db in `c.CourseDirectory.root`, which is
    the config's own folder unless set (nbgrader runs in the course folder), else the
    course root. None: no course, or a gradebook that is not an sqlite file."""
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    folder = config.parent if config else course
    if folder is None:
        return None
    coursedir = CourseDirectory(config=settings or Config())
    if "root" not in settings.get("CourseDirectory", {}):
        coursedir.root = str(Path(folder).resolve())
    url = coursedir.db_url
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


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


class Collector:
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

    def owner(self, path: str) -> Owner | None:
        """What the configured pattern reads in `path` (a name of the LMS's layer, with
        the folders above it), or None (ValueError: an unreadable time)."""
        if self.plugin is None:
            return None
        info = self.plugin.collect(path)
        if not info or not info.get("student_id"):
            return None
        moment = info.get("timestamp")
        if isinstance(moment, str):
            moment = parse_time(moment) if moment.strip() else None
        return Owner(str(info["student_id"]), "pattern",
                     " ".join(filter(None, (info.get("first_name"), info.get("last_name")))),
                     info.get("file_id") or "", moment)
