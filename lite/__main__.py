"""python -m lite {build SITE, refresh}: the browser exercises (see lite/__init__.py)."""

import argparse
from pathlib import Path


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m lite", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="write the JupyterLite app into SITE/lite")
    build.add_argument("site", type=Path, help="the built book (_build/html)")
    commands.add_parser("refresh", help="renew lite/packages and lite/wheels from the "
                                        "registries, verified (see lite/refresh.py)")
    args = parser.parse_args(argv)
    if args.command == "build":
        from .build import build as run

        run(args.site)
    else:
        from .refresh import refresh

        refresh()


if __name__ == "__main__":
    main()
