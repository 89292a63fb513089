"""The messages between the grading process and a sandbox: their kinds, framing and sizes.

Every message is a JSON object with an `op`; values inside it are encoded
by `boundary`. JSON, never pickle: the grader must not run what a
submission sends. The child keeps within the sizes below by itself (it
truncates and leaves out, with a note); the grading process enforces them
again as the bytes arrive (`channel.py`), since code in the notebook can
change the child or write to the socket itself: only then is a limit
crossed, and that ends the notebook.
"""

import json
import re
import struct
from enum import StrEnum

HEADER = struct.Struct("!I")  # a frame: its length, big-endian, then the JSON bytes

# What the grading process accepts (channel.py).
MAX_MESSAGE_BYTES = 8 << 20  # one message
CELL_BYTES = 24 << 20  # everything received while one cell runs
NOTEBOOK_BYTES = 64 << 20  # everything received from one notebook
MAX_CONTAINERS = 20_000  # JSON arrays and objects in one message (decoding cost)
REQUESTS_PER_CELL = 5_000  # checks, calls and reference values one cell may ask for
# What the child sends at most (child.py), well inside the above.
STREAM_CHARS = 20_000  # of stdout and of stderr, per cell
MAX_FIGURES = 4  # per cell
FIGURE_PIXELS = 2_000  # the longer side of a figure, at most
FIGURE_BYTES = 1 << 20  # one PNG
NOTEBOOK_FIGURE_BYTES = 8 << 20  # every PNG of the notebook together
VALUE_BYTES = 4 << 20  # a function's result, or the arguments of a reference value


class Op(StrEnum):
    # sandbox -> grader
    READY = "ready"  # the sandbox has started and holds its limits
    DONE = "done"  # a cell finished: outputs, error, what it tried
    CHECK = "check"  # a hidden test asks the grader to judge a function
    CALL_RESULT = "call_result"  # what the student's function returned for one case
    REF = "ref"  # a test cell calls an earlier function: the reference answers
    # grader -> sandbox
    EXEC = "exec"  # run one cell
    CALL = "call"  # call the function under check on one case's inputs
    VERDICT = "verdict"  # the outcome of a check
    REF_RESULT = "ref_result"
    REF_ERROR = "ref_error"


def dumps(message):
    return json.dumps(message, separators=(",", ":")).encode()


def loads(raw):
    """A message, or ValueError saying why these bytes are not one."""
    try:
        message = json.loads(raw.decode())
    except RecursionError:
        raise ValueError("a message nested too deeply") from None
    except UnicodeDecodeError:
        raise ValueError("a message that is not UTF-8") from None
    if not isinstance(message, dict) or message.get("op") not in Op.__members__.values():
        raise ValueError(f"a message that is not the grader's (op {str(message)[:40]!r})"
                         if not isinstance(message, dict)
                         else f"an unknown operation {str(message.get('op'))[:40]!r}")
    return message


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')


def loads_bounded(raw):
    """`loads` for what comes from a sandbox: first, what decoding it would cost is
    bounded (its arrays and objects, counted outside its strings)."""
    structure = _JSON_STRING.sub(b'""', raw)
    containers = structure.count(b"[") + structure.count(b"{")
    if containers > MAX_CONTAINERS:
        raise ValueError(f"a message of {containers} JSON arrays and objects (at most "
                         f"{MAX_CONTAINERS})")
    return loads(raw)
