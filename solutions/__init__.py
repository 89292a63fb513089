"""Instructor-only material: nbgrader source notebooks and reference implementations."""
