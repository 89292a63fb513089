"""The course's grading machinery: release, sandboxed autograding, feedback."""
