"""The instructor's mistakes: the only reason the command exits non-zero."""


class InstructorError(Exception):
    """A mistake in the command line or the folders, said in a sentence the instructor
    can act on."""
