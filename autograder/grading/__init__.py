"""Grading one notebook: put it together with its source, run it, judge, score, feed back.

- `course`: the source notebooks and the reference (the one module naming `solutions/`);
- `source`, `cells`, `assemble`: the instructor's notebook, cell predicates, the notebook
  that runs;
- `judge`: a student's function against the reference (`hidden_tests`: the same judge
  in-process, for stock nbgrader);
- `scoring`, `graded_notebook`, `feedback_page`: points and statuses, the notebook and
  the page a student gets back; `results`: what grading produced;
- `notebook`: the whole path of one notebook (`grade_notebook`).
"""
