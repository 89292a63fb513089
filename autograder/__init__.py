"""The course's grading machinery, in the order a submission goes through it.

- `contract/`: what is graded, once (shared by the build, the reference and the grader);
- `intake/`: SUBMISSIONS -> typed jobs (nbgrader's layouts, LMS uploads and rosters, the
  course's nbgrader configuration and late policy);
- `grading/`: one notebook: assembled, run, judged, scored, fed back;
- `sandbox/`: runs a notebook's code in a bubblewrap sandbox; knows nothing of judging;
- `outputs/`: everything written into RESULTS, by the command's process alone;
- `run/`: the command: plan, execute (here or on Dask), record;
- `errors`: the instructor's mistakes.

See ARCHITECTURE.md for the path of one submission.
"""
