"""Grading on a Dask cluster: the same rows as locally, a killed worker loses and doubles
nothing, and an address where no scheduler listens is the instructor's error."""

import csv
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from grading_helpers import EXERCISES, ROOT, answer_source, grade_cli, source_notebook, with_answer

pytestmark = pytest.mark.slow
A = "01_recurrence"


def _rows(out):
    with open(out / "grades.csv", newline="") as handle:
        return sorted(tuple(row.values()) for row in csv.DictReader(handle))


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def submissions(tmp_path_factory):
    subs = tmp_path_factory.mktemp("cluster") / "submitted"
    correct = source_notebook(A)
    wrong = with_answer(correct, "softmax",
                        answer_source(correct, "softmax").replace("axis=-1, keepdims",
                                                                  "axis=0, keepdims"))
    blank = nbformat.read(EXERCISES / f"{A}.ipynb", as_version=4)
    for k in range(8):
        (subs / f"s{k}" / A).mkdir(parents=True)
        nbformat.write((correct, wrong, blank)[k % 3], subs / f"s{k}" / A / f"{A}.ipynb")
    return subs


@pytest.fixture(scope="module")
def local_rows(submissions, tmp_path_factory):
    out = tmp_path_factory.mktemp("local") / "results"
    run = grade_cli(submissions, "--out", out, "--jobs", "2")
    assert run.returncode == 0, run.stderr
    return _rows(out)


def test_local_cluster_gives_the_rows_of_a_local_run(submissions, local_rows, tmp_path):
    run = grade_cli(submissions, "--out", tmp_path / "out", "--cluster", "local",
                    "--jobs", "2")
    assert run.returncode == 0, run.stderr
    assert "(1 Dask worker)" in run.stdout
    assert "Traceback" not in run.stderr  # Dask's shutdown races stay out of sight
    assert _rows(tmp_path / "out") == local_rows


def test_a_killed_worker_loses_and_doubles_nothing(submissions, local_rows, tmp_path):
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    dask = str(Path(sys.executable).parent / "dask")
    started = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port",
                                 str(port), "--no-dashboard"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)]
    try:
        for _ in range(2):
            started.append(subprocess.Popen(
                [dask, "worker", address, "--nthreads", "1", "--no-nanny",
                 "--no-dashboard"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True))
        out = tmp_path / "out"
        grading = subprocess.Popen(
            [sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out),
             "--quiet", "--cluster", address], cwd=ROOT, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(list(out.glob(".state/*/*.json"))) < 2:
            time.sleep(0.05)
        os.killpg(started[1].pid, signal.SIGKILL)  # one worker dies mid-run
        stdout, stderr = grading.communicate(timeout=300)
        assert grading.returncode == 0, stderr
        assert _rows(out) == local_rows
    finally:
        for process in started:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()


def test_an_address_where_nothing_listens_is_a_clear_error(submissions, tmp_path):
    address = f"tcp://127.0.0.1:{_free_port()}"
    run = grade_cli(submissions, "--out", tmp_path / "out", "--cluster", address)
    assert run.returncode == 2
    assert f"no Dask scheduler answers at {address}" in run.stderr
    assert not (tmp_path / "out" / "grades.csv").exists()
