"""The messages between the grading process and a sandbox: their kinds and framing.

Every message is a JSON object with an `op`; values inside it are encoded
by `boundary`. JSON, never pickle: the grader must not run what a
submission sends.
"""

import json
from enum import StrEnum

MAX_MESSAGE_BYTES = 64 * 1024 * 1024


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
    message = json.loads(raw.decode())
    if not isinstance(message, dict) or message.get("op") not in Op.__members__.values():
        raise ValueError("not a grader message")
    return message
