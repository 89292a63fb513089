"""Running a submission's cells in a process of its own, under limits."""
