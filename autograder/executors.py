"""Where notebooks are graded: here (threads around a pool of sandboxes) or on a Dask
cluster (`cluster.py`). Both offer the same small interface to `grade.run`:
`submit(job, key)`, `as_completed(futures)`, `enforcement` and `close()`."""

from concurrent.futures import ThreadPoolExecutor, as_completed

from .sandbox.runner import SandboxPool


class LocalExecutor:
    """One thread per notebook graded at once: a thread mostly waits for its sandbox."""

    def __init__(self, course, limits, workers, unsandboxed=False):
        from .grade import grade_notebook

        self.grade_notebook = grade_notebook
        self.course = course
        self.limits = limits
        self.pool = SandboxPool(limits, spare=workers, unsandboxed=unsandboxed)
        self.enforcement = self.pool.enforcement
        self.threads = ThreadPoolExecutor(max_workers=workers)

    def submit(self, job, key):
        return self.threads.submit(self.grade_notebook, self.course, job, key, self.limits,
                                   self.pool)

    @staticmethod
    def as_completed(futures):
        return as_completed(futures)

    def close(self, cancel=False):
        self.threads.shutdown(wait=not cancel, cancel_futures=cancel)
        self.pool.close()
