"""Grading on a Dask cluster, for a class too big for one machine.

The notebooks run on the workers, each in the same bubblewrap sandbox as
locally (one sandbox pool per worker process, made on its first task); the
result, feedback page included, comes back to the command's process, which
alone writes the gradebook, the state and the CSVs. A worker that dies
mid-notebook costs nothing: the scheduler gives its task to another worker,
and the sandboxes of the dead one die with it (bubblewrap's
--die-with-parent). Before any notebook is sent, every worker is checked: it
must import this grader, hold the same course, and be able to make a
sandbox; otherwise the command stops and says which worker and why.

    python -m autograder grade SUBMISSIONS --out RESULTS --cluster tcp://host:8786
    python -m autograder grade SUBMISSIONS --out RESULTS --cluster local
"""

import logging
import socket

from ..errors import InstructorError
from ..grading.course import Course
from ..sandbox.process import SandboxPool
from .startup import skip_iri_checker

# Per worker process: the course and the sandbox pool, made once.
_WORKER: dict = {}
CONNECT_SECONDS = 10


def _on_worker(limits, unsandboxed, threads):
    """This worker's course and sandbox pool (a sandbox started ahead for each of its
    threads), made by `check_worker`, or by the first task of a worker that joined later."""
    if "pool" not in _WORKER:
        _WORKER["course"] = Course.load()
        _WORKER["pool"] = SandboxPool(limits, spare=threads, unsandboxed=unsandboxed)
    return _WORKER["course"], _WORKER["pool"]


def grade_on_worker(grade, job, key, limits, unsandboxed):
    """A Dask task: grade one notebook on this worker with `grade` (sent by reference)
    and return its NotebookResult."""
    from distributed import get_worker

    course, pool = _on_worker(limits, unsandboxed, get_worker().state.nthreads)
    return grade(course, job, key, limits, pool)


def quiet_at_shutdown():
    """Silence Dask's own logs in this process: a worker's heartbeat may race the
    scheduler's shutdown and log a harmless CommClosedError traceback
    (dask/distributed#7105) after every notebook is in."""
    logging.getLogger("distributed").setLevel(logging.CRITICAL)


def check_worker(limits, unsandboxed, dask_worker):
    """Run on every worker before grading (`Client.run` gives the worker): (host, course
    fingerprint, sandbox in words)."""
    course, pool = _on_worker(limits, unsandboxed, dask_worker.state.nthreads)
    return socket.gethostname(), course.fingerprint, pool.enforcement


class ClusterExecutor:
    def __init__(self, address, grade, course, limits, workers, unsandboxed=False):
        import dask

        try:
            from distributed import Client, LocalCluster
        except ImportError as error:
            raise InstructorError("--cluster needs Dask: pip install dask distributed "
                                  f"({error})") from None
        # Workers are daemonic by default, and a daemonic process may not start
        # children (the feedback renderer, multiprocessing in student code).
        dask.config.set({"distributed.worker.daemon": False})
        self.cluster = None
        self.grade = grade
        self.limits, self.unsandboxed = limits, unsandboxed
        try:
            if address == "local":
                # One worker process with a thread for each notebook graded at once, as
                # the local executor has: a grading thread mostly waits for its sandbox.
                # Measured on 2 cores against the local pool: one worker of 2 threads
                # about even; 2 workers of 2 threads 15-25 % slower, 2 single-threaded
                # workers 30-45 % slower (a worker renders a feedback page while its
                # sandbox slot stands idle).
                self.cluster = LocalCluster(n_workers=1, threads_per_worker=workers,
                                            processes=True, dashboard_address=None)
                address = self.cluster.scheduler_address
            self.client = Client(address, timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError) as error:
            self.close()
            raise InstructorError(f"no Dask scheduler answers at {address} ({error}); start "
                                  "one with `dask scheduler` and workers with `dask worker "
                                  f"{address}`, or use --cluster local") from None
        self._check_workers(course)

    def _check_workers(self, course):
        if not self.client.scheduler_info()["workers"]:
            self.close()
            raise InstructorError("the Dask scheduler has no workers; start some with "
                                  "`dask worker ADDRESS`")
        try:
            self.client.run(skip_iri_checker)  # before a task makes a worker import nbformat
            answers = self.client.run(check_worker, self.limits, self.unsandboxed)
        except Exception as error:  # a worker without our environment or without bwrap
            self.close()
            raise InstructorError(f"a Dask worker cannot grade: {type(error).__name__}: "
                                  f"{error}") from None
        wrong = {w: a for w, a in answers.items() if a[1] != course.fingerprint}
        if wrong:
            self.close()
            raise InstructorError(
                f"the Dask workers {', '.join(sorted(wrong))} hold another version of the "
                "course (solutions/source): install the same checkout on every worker")
        workers = f"{len(answers)} Dask worker" + "s" * (len(answers) > 1)
        self.enforcement = "; ".join(sorted({f"{a[2]} ({workers})" for a in answers.values()}))

    def submit(self, job, key):
        return self.client.submit(grade_on_worker, self.grade, job, key, self.limits,
                                  self.unsandboxed, pure=False)

    @staticmethod
    def as_completed(futures):
        from distributed import as_completed

        return as_completed(list(futures))

    def close(self, cancel=False):
        client = getattr(self, "client", None)
        if client is not None:
            if self.cluster is not None:  # our own workers and scheduler, closed with us
                try:
                    client.run(quiet_at_shutdown)
                except Exception:  # a worker already gone needs no silencing
                    pass
                quiet_at_shutdown()
            client.close()
        if self.cluster is not None:
            self.cluster.close()
