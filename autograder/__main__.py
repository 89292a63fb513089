"""python -m autograder {release, grade}."""

import argparse
import sys

from .collect import InstructorError
from .sandbox.runner import Limits


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("release", help="regenerate solutions/source and exercises/ "
                                        "(nbgrader generate_assignment)")
    grade = commands.add_parser("grade", help="grade a class of submissions")
    grade.add_argument("submissions", help="nbgrader submitted/ folder, or a folder of "
                                           "uploaded .zip/.ipynb files")
    grade.add_argument("--out", required=True, help="results folder")
    grade.add_argument("--jobs", type=int, default=None,
                       help="notebooks graded at once (default: every core)")
    grade.add_argument("--assignment", action="append",
                       help="grade only this assignment (repeatable)")
    grade.add_argument("--cell-timeout", type=float, default=30.0, help="seconds per cell")
    grade.add_argument("--timeout", type=float, default=240.0, help="seconds per notebook")
    grade.add_argument("--memory", type=int, default=2048, help="MiB per notebook")
    grade.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)

    if args.command == "release":
        from .release import release

        for path in release():
            print(f"wrote {path}")
        return 0
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be at least 1")
    from . import grade as grading

    limits = Limits(cell_seconds=args.cell_timeout, notebook_seconds=args.timeout,
                    memory_mb=args.memory)
    try:
        rows = grading.run(args.submissions, args.out, jobs=args.jobs, limits=limits,
                           only=args.assignment, progress=not args.quiet)
    except InstructorError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: graded notebooks are saved; run the same command again to "
              "finish", file=sys.stderr)
        return 130
    notebooks = len({(r[0], r[1]) for r in rows})
    print(f"graded {notebooks} notebooks ({len(rows)} functions) -> {args.out}/grades.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
