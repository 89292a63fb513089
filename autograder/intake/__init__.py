"""Intake: what the instructor collected -> one typed `Job` per (student, assignment).

`collect` decides the layout (`submitted`: nbgrader's; `uploads`: an LMS's
download, named by `lms` and `rosters`); `nbgrader_config` reads the course's
configuration and collector plugin; `lateness` its due dates and late policy.
"""
