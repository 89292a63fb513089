"""Everything written into RESULTS, by the command's process alone, whole or not at all
(`files`): the resume state, nbgrader's gradebook, the feedback folder, grades.csv, the
totals and the Canvas export, the summary."""
