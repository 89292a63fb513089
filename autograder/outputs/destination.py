"""Where a run records: into the nbgrader course the submissions came from, or into a
results folder of its own.

- Given an nbgrader course (its root, or its `submitted/`), the command records
  as `nbgrader autograde` and `generate_feedback` do: the course's gradebook
  (wherever its nbgrader_config.py puts it), `autograded/<student>/<assignment>/`
  and `feedback/<student>/<assignment>/` of the course. The class-wide files
  (grades.csv, totals, the Canvas export, the summary) and the resume state go
  to `--out`, by default `<course>/autograder_results/`.
- Otherwise everything goes to `--out`: a gradebook.db of the command's own,
  `autograded/`, `feedback/`, the class-wide files and the state. A gradebook
  found there that the command did not write (an nbgrader course's) is refused
  unless the instructor asks to record into it (`into_gradebook`).

Only a gradebook the command made is the command's to prune (students withdrawn,
due dates copied in); in anyone else's, the roster, its names and emails, due
dates and extensions are left as they are.
"""

from dataclasses import dataclass
from pathlib import Path

from ..errors import InstructorError
from .state import StateStore

DEFAULT_EXTRAS = "autograder_results"  # inside an nbgrader course


@dataclass(frozen=True)
class Destination:
    gradebook: Path  # an sqlite file
    autograded: Path
    feedback: Path
    extras: Path  # class-wide files and the resume state
    course: Path | None  # the nbgrader course recorded into
    owns_gradebook: bool  # the command made it: its to prune

    @classmethod
    def choose(cls, course: Path | None, course_gradebook: Path | None, out: Path | None,
               into_gradebook: bool = False) -> "Destination":
        if course is not None:
            extras = Path(out) if out else course / DEFAULT_EXTRAS
            gradebook = course_gradebook or course / "gradebook.db"
            return cls(gradebook, course / "autograded", course / "feedback", extras, course,
                       owns_gradebook=False)
        if out is None:
            raise InstructorError("--out is needed: the submissions are not an nbgrader "
                                  "course's, so the results need a folder of their own")
        out = Path(out)
        gradebook = out / "gradebook.db"
        ours = StateStore(out).read_meta().get("made_gradebook") is True
        if gradebook.is_file() and not ours and not into_gradebook:
            raise InstructorError(
                f"{gradebook} is a gradebook this command did not write (an nbgrader "
                "course's?): it is left untouched. To grade an nbgrader course, give the "
                "course folder as SUBMISSIONS; to record into this gradebook anyway, keeping "
                "its roster, add --into-gradebook; else choose another --out")
        return cls(gradebook, out / "autograded", out / "feedback", out, None,
                   owns_gradebook=ours or not gradebook.is_file())
