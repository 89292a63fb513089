"""Build and release: authored notebooks + reference -> nbgrader source notebooks -> exercises/."""
