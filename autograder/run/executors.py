"""Where notebooks are graded: here, in threads around a pool of sandboxes (a thread
mostly waits for its sandbox), or on a Dask cluster (`cluster.py`).

Both receive the grading function (`grading.notebook.grade_notebook`) from the
command and offer it the same small interface: `submit(job, key)`,
`as_completed(futures)`, `enforcement` and `close()`.
"""

from concurrent.futures import ThreadPoolExecutor, as_completed

from ..sandbox.process import SandboxPool


class LocalExecutor:
    def __init__(self, grade, course, limits, workers, unsandboxed=False):
        self.grade = grade
        self.course = course
        self.limits = limits
        self.pool = SandboxPool(limits, spare=workers, unsandboxed=unsandboxed)
        self.enforcement = self.pool.enforcement
        self.threads = ThreadPoolExecutor(max_workers=workers)

    def submit(self, job, key):
        return self.threads.submit(self.grade, self.course, job, key, self.limits, self.pool)

    @staticmethod
    def as_completed(futures):
        return as_completed(futures)

    def close(self, cancel=False):
        self.threads.shutdown(wait=not cancel, cancel_futures=cancel)
        self.pool.close()
