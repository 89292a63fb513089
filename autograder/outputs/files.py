"""Every file of RESULTS is written whole or not at all.

A reader (the instructor, a spreadsheet, a second run after Ctrl-C) never
sees half a file: each is written beside its place and renamed over it.
"""

import csv
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write `data` to `path` (its folder made if needed) in one rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    if isinstance(data, str):
        tmp.write_text(data, encoding="utf-8")
    else:
        tmp.write_bytes(data)
    os.replace(tmp, path)


def write_csv(path: Path, rows: Iterable[Sequence]) -> None:
    """A CSV file of `rows` (the header first), written atomically."""
    text = io.StringIO(newline="")
    csv.writer(text).writerows(rows)
    write_atomic(path, text.getvalue())
