"""Memory a notebook holds outside its processes' own pages, and the limits on it.

Every case runs with the bound this user normally gets (as root here, a
cgroup) and with the memory watch an ordinary user on cgroup v1 gets (forced,
even as root: the sandbox then runs as root's own user in its user namespace,
since only the memory bounds are under test). The watch counts what the
notebook's processes map and its files in memory (its home, /tmp, /dev/shm,
memfd), and nothing else, so the System V segments no one outside can see are
refused to every sandbox.
"""

import pytest
from grading_helpers import NO_HOST, bounded_pool

from autograder.contract import Status
from autograder.sandbox.limits import Limits
from autograder.sandbox.notebook import Cell, NotebookRun

pytestmark = pytest.mark.slow
LIMITS = Limits(cell_seconds=20, notebook_seconds=60, memory_mb=1024)
OVER = "together used more than its memory limit (1024 MiB)"


@pytest.fixture(scope="module", params=["usual", "memory watch"])
def sandboxes(request):
    with bounded_pool(request.param, LIMITS) as chosen:
        yield chosen


def run(sandboxes, *sources):
    """The outcomes of cells run in order, each a scratch cell."""
    cells = [Cell(i, source) for i, source in enumerate(sources)]
    outcomes = NotebookRun(cells, NO_HOST, LIMITS, sandboxes).run()
    return [outcomes[i] for i in range(len(cells))]


HOGS = {
    # Three forked processes of 600 MiB, each under RLIMIT_AS, pass 1024 MiB together:
    # with a cgroup the kernel kills one of them, then the grader stops the notebook;
    # with the memory watch the grader stops it.
    "forked processes": ("import os, time\n"
                         "for _ in range(3):\n"
                         "    if os.fork() == 0:\n"
                         "        block = bytearray(600 << 20)\n"
                         "        time.sleep(30)\n"
                         "        os._exit(0)\n"
                         "time.sleep(30)\n"),
    # Files in memory that no process maps.
    "memfd files": ("import os\nfds = []\nfor _ in range(30):\n"
                    "    fds.append(os.memfd_create('x'))\n"
                    "    os.write(fds[-1], bytes(40 << 20))\nimport time\ntime.sleep(20)\n"),
}


@pytest.mark.parametrize("name", sorted(HOGS))
def test_memory_of_the_notebook_as_a_whole_ends_the_cell_that_passed_it(sandboxes, name):
    before, hog, after = run(sandboxes, "x = 1", HOGS[name], "print(x)")
    assert (hog.status, before.status, after.status) == (Status.MEMORY, Status.OK, Status.OK)
    assert OVER in hog.message and after.stdout == "1\n"


def test_files_in_memory_folders_count(sandboxes):
    # the home ('.'), /tmp and /dev/shm are each a tmpfs: 600 MiB of files, then 500 MiB
    files = ("for folder in ('.', '/tmp', '/dev/shm'):\n"
             "    for i in range(5):\n"
             "        open(f'{folder}/{i}', 'wb').write(bytes(40 << 20))\n"
             "block = bytearray(500 << 20)\nimport time\ntime.sleep(20)\n")
    (hog,) = run(sandboxes, files)
    assert hog.status == Status.MEMORY and OVER in hog.message, hog


@pytest.mark.parametrize("folder", [".", "/tmp", "/dev/shm"])
def test_memory_folders_are_bounded(sandboxes, folder):
    # 8 files of 40 MiB (RLIMIT_FSIZE caps a file at 50 MiB) into 256 MiB: never the disk
    (fill,) = run(sandboxes, "for i in range(8):\n"
                             f"    open(f'{folder}/{{i}}', 'wb').write(bytes(40 << 20))")
    assert fill.status == Status.ERROR and "No space left on device" in fill.message, fill


def test_a_notebook_within_its_limit_runs_on(sandboxes):
    (fine,) = run(sandboxes, "import numpy as np\nimport os\nfd = os.memfd_create('m')\n"
                             "os.write(fd, bytes(40 << 20))\n"
                             "open('/dev/shm/a', 'wb').write(bytes(40 << 20))\n"
                             "a = np.ones((300 << 20) // 8)\nprint(a.sum() > 0)")
    assert fine.status == Status.OK and fine.stdout == "True\n", fine


SYSTEM_V = ("import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
            "print(libc.shmget(0, ctypes.c_size_t(1 << 20), 0o1600), "
            "os.strerror(ctypes.get_errno()))\n"
            "import resource\nprint(resource.getrlimit(resource.RLIMIT_NOFILE))")


def test_system_v_segments_are_refused_and_open_files_capped(sandboxes):
    (cell,) = run(sandboxes, SYSTEM_V)
    assert cell.status == Status.OK, cell
    assert cell.stdout == "-1 Operation not permitted\n(1024, 1024)\n", cell.stdout
