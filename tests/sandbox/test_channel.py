"""The channel from a sandbox to the grading process: deadlines and budgets.

Code in a notebook can find the socket the sandbox talks to the grader on (a
file descriptor of its own process) and write to it directly. Each case
here does one thing a hostile (or careless) notebook can do to that channel
or to what crosses it; the grading process must end the cell within its
limits, say what was sent, run no cell after a protocol violation, and keep
what it holds of a notebook within the budgets of `protocol.py`.
"""

import pytest
from grading_helpers import NO_HOST, pool

from autograder.contract import Status
from autograder.sandbox import protocol
from autograder.sandbox.limits import Limits
from autograder.sandbox.notebook import Cell, NotebookRun

pytestmark = pytest.mark.slow
LIMITS = Limits(cell_seconds=8, notebook_seconds=60, memory_mb=1024)

# The socket to the grader, found as a notebook would find it.
SOCKET = ("import os, stat, struct, time, json\n"
          "fd = next(int(f) for f in os.listdir('/proc/self/fd')\n"
          "          if os.path.exists(f'/proc/self/fd/{f}')\n"
          "          and stat.S_ISSOCK(os.fstat(int(f)).st_mode))\n")


def run(*sources):
    """The outcomes of cells run in order (scratch cells)."""
    cells = [Cell(i, source) for i, source in enumerate(sources)]
    outcomes = NotebookRun(cells, NO_HOST, LIMITS, pool(LIMITS)).run()
    return [outcomes[i] for i in range(len(cells))]


def assert_violation(outcome, words):
    assert outcome.status is Status.CRASHED, outcome
    assert "channel" in outcome.violation and words in outcome.message, outcome


def test_a_frame_announcing_a_gigabyte_ends_the_notebook_at_once():
    before, attack, after = run(
        "x = 1",
        SOCKET + "os.write(fd, struct.pack('!I', 1 << 30))\ntime.sleep(60)",
        "print(x)")
    assert before.status is Status.OK
    assert_violation(attack, f"at most {protocol.MAX_MESSAGE_BYTES >> 20} MiB")
    assert after.status is Status.CRASHED and "broke the grading protocol" in after.message


def test_half_a_frame_then_a_sleep_is_a_timeout_of_that_cell():
    (attack,) = run(SOCKET + "os.write(fd, struct.pack('!I', 100) + b'{\"op\": \"do')\n"
                    "time.sleep(60)")
    assert attack.status is Status.TIMEOUT, attack


def test_requests_whose_replies_are_never_read_end_the_cell():
    """A flood of well-formed requests: the grader's replies fill the socket (a write
    deadline) or the flood passes the cap on requests; either way the cell ends."""
    request = "{\"op\": \"ref\", \"name\": \"softmax\", \"args\": {\"t\": \"list\", \"items\": []}}"
    (attack,) = run(SOCKET + f"frame = {request!r}.encode()\n"
                    "frame = struct.pack('!I', len(frame)) + frame\n"
                    "for _ in range(100_000):\n    os.write(fd, frame)\ntime.sleep(60)")
    assert attack.status in (Status.TIMEOUT, Status.CRASHED), attack
    if attack.status is Status.CRASHED:
        assert_violation(attack, f"more than {protocol.REQUESTS_PER_CELL} times")


@pytest.mark.parametrize("frame,words", [
    (b"\xff\xfe not json", "not UTF-8"),
    (b'{"op": "launch_missiles"}', "unknown operation"),
    (b'{"op": "done", "x": [' + b"[]," * 30_000 + b"[]]}", "JSON arrays and objects"),
    (b'{"op": "ref", "name": "softmax", "args": {"t": "nd", "dtype": "|O", "shape": [1], '
     b'"data": ""}}', "does not decode"),
], ids=["garbage", "unknown operation", "a message of empty lists", "a value of objects"])
def test_what_is_not_the_sandboxs_own_message_ends_the_notebook(frame, words):
    attack, after = run(SOCKET + f"frame = {frame!r}\n"
                        "os.write(fd, struct.pack('!I', len(frame)) + frame)\n"
                        "time.sleep(60)", "print(1)")
    assert_violation(attack, words)
    assert after.status is Status.CRASHED


def test_raised_stream_limits_cannot_make_the_grader_hold_more():
    """The child's own limit changed by the notebook: the grader refuses the message."""
    (attack,) = run("import sys\n"
                    "sys.modules['autograder.sandbox.child']._cut.__globals__['STREAM_CHARS'] = "
                    "10**9\nprint('x' * (60 << 20))")
    assert_violation(attack, "announced a message")


def test_huge_figures_are_left_out_with_a_note():
    (cell,) = run("import numpy as np, matplotlib.pyplot as plt\n"
                  "for _ in range(6):\n"
                  "    plt.figure(figsize=(60, 60)).gca().imshow(np.random.rand(3000, 3000))")
    assert cell.status is Status.OK, cell
    assert cell.figures == [] and any("left out" in note for note in cell.notes), cell.notes


def test_noise_plots_in_many_cells_stay_within_the_notebooks_budget():
    plot = ("import numpy as np, matplotlib.pyplot as plt\n"
            "for _ in range(4):\n"
            "    plt.figure(figsize=(8, 8)).gca().imshow(np.random.rand(400, 400))")
    outcomes = run(*[plot] * 12)
    kept = sum(len(f) * 3 // 4 for o in outcomes for f in o.figures)
    assert all(o.status is Status.OK for o in outcomes)
    assert 0 < kept <= protocol.NOTEBOOK_FIGURE_BYTES
    assert any("left out" in note for o in outcomes for note in o.notes)


def test_long_output_is_cut_with_a_note():
    (cell,) = run("print('y' * 100_000)")
    assert len(cell.stdout) == protocol.STREAM_CHARS
    assert any("cut at" in note for note in cell.notes)
