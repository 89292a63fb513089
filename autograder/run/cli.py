"""python -m autograder {release, grade}: the instructor's command line."""

import argparse
import subprocess
import sys
import warnings

from ..errors import InstructorError
from ..grading.course import BUILD_MODULE
from ..outputs.destination import DEFAULT_EXTRAS
from ..outputs.escaping import terminal_text
from ..sandbox.errors import SandboxUnavailable
from ..sandbox.limits import Limits
from .startup import INTERRUPTED


def parsers() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The command's parser and its subcommands' (abbreviated options are refused: a
    typo must not pass for another option)."""
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__,
                                     allow_abbrev=False)
    commands = parser.add_subparsers(dest="command", required=True)
    release = commands.add_parser("release", allow_abbrev=False,
                                  help="regenerate solutions/source and exercises/ "
                                       "(nbgrader generate_assignment)")
    grade = commands.add_parser("grade", help="grade a class of submissions",
                                allow_abbrev=False)
    grade.add_argument("submissions", help="an nbgrader course folder (or its submitted/), "
                                           "or a folder of uploaded .zip/.ipynb files")
    grade.add_argument("--out", default=None,
                       help="results folder; for an nbgrader course, where the class-wide "
                            f"files go (default: COURSE/{DEFAULT_EXTRAS})")
    grade.add_argument("--into-gradebook", action="store_true",
                       help="record into the gradebook.db found in --out although this "
                            "command did not write it (its roster is kept)")
    grade.add_argument("--jobs", type=int, default=None,
                       help="notebooks graded at once (default: every core)")
    grade.add_argument("--assignment", action="append",
                       help="grade only this assignment (repeatable)")
    grade.add_argument("--student", action="append", help="grade only this student "
                       "(repeatable)")
    grade.add_argument("--force", action="store_true",
                       help="grade again even what is already graded")
    grade.add_argument("--nbgrader-config", default=None,
                       help="the course's nbgrader_config.py (due dates, late penalties); "
                            "default: the one in the course root, if any")
    grade.add_argument("--cell-timeout", type=float, default=Limits.cell_seconds,
                       help="seconds per cell")
    grade.add_argument("--timeout", type=float, default=Limits.notebook_seconds,
                       help="seconds per notebook")
    grade.add_argument("--memory", type=int, default=Limits.memory_mb, help="MiB per notebook")
    grade.add_argument("--processes", type=int, default=Limits.processes,
                       help="processes and threads per notebook")
    grade.add_argument("--unsandboxed", action="store_true",
                       help="run student code WITHOUT an operating-system sandbox (only "
                            "where none can be made, and only for code you trust)")
    grade.add_argument("--cluster", default=None, metavar="ADDRESS",
                       help="grade on a Dask cluster: a scheduler's address "
                            "(tcp://host:8786), or `local` to start one on this machine")
    grade.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser, {"release": release, "grade": grade}


def main(argv=None) -> int:
    parser, subcommands = parsers()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # said by the subcommand, with its own usage
        subcommands[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.command == "release":
        # The build lives with the course; the grader imports nothing of it.
        return subprocess.run([sys.executable, "-m", BUILD_MODULE]).returncode
    if args.jobs is not None and args.jobs < 1:
        subcommands["grade"].error("--jobs must be at least 1")
    warnings.filterwarnings("ignore", module="nbformat")  # MissingIDField on old notebooks
    from .command import run

    limits = Limits(cell_seconds=args.cell_timeout, notebook_seconds=args.timeout,
                    memory_mb=args.memory, processes=args.processes)
    try:
        report = run(args.submissions, args.out, jobs=args.jobs, limits=limits,
                     assignments=args.assignment, students=args.student, force=args.force,
                     progress=not args.quiet, unsandboxed=args.unsandboxed,
                     nbgrader_config=args.nbgrader_config, cluster=args.cluster,
                     into_gradebook=args.into_gradebook)
    except (InstructorError, SandboxUnavailable) as error:
        print(terminal_text(f"error: {error}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return 130
    if report.enforcement:
        print(f"sandbox: {report.enforcement}")
    for note in report.notes:
        print(terminal_text(note))
    if report.course:
        print(terminal_text(f"recorded into the nbgrader course {report.course}"))
    anew = f", {report.repenalized} late penalties computed anew" if report.repenalized else ""
    print(terminal_text(f"graded {report.graded - report.repenalized} notebooks{anew} "
                        f"({report.skipped} unchanged, kept) -> {report.extras}/grades.csv"))
    for student, assignment, message in report.grader_failures:
        print(terminal_text(f"not graded (grader failure, run again): {student}/{assignment}: "
                            f"{message}"), file=sys.stderr)
    for name in report.unattributed:
        print(terminal_text(f"not attributed: {name}"), file=sys.stderr)
    return 0
